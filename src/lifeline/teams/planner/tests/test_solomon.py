"""Solomon C101: parser, the DIMACS distance convention, and the solver against best-known."""

from __future__ import annotations

from pathlib import Path

import pytest

from lifeline.bench import _solomon as solomon
from lifeline.teams.planner.model import Plan
from lifeline.teams.planner.schedule import first_violation, make_route
from lifeline.teams.planner.solve import solve
from lifeline.teams.planner.validate import plan_violations

# C101 of Solomon (1987) with its best-known solution, kept beside the test.
DATA = Path(__file__).resolve().parent / "data"


def test_parser_reads_c101():
    instance = solomon.read_instance(path=DATA / "C101.txt")
    assert (instance.name, instance.vehicles, instance.capacity) == ("C101", 25, 200)
    assert len(instance.customers) == 101
    depot, first = instance.customers[0], instance.customers[1]
    assert (depot.x, depot.y, depot.due) == (40, 50, 1236)
    assert (first.number, first.demand, first.ready, first.due, first.service) == (
        1,
        10,
        912,
        967,
        90,
    )
    best = solomon.read_solution(path=DATA / "C101.sol")
    assert best.cost == 827.3
    assert len(best.routes) == 10
    assert sorted(c for r in best.routes for c in r) == list(range(1, 101))


def test_best_known_routes_cost_what_the_file_says_under_our_convention():
    instance = solomon.read_instance(path=DATA / "C101.txt")
    best = solomon.read_solution(path=DATA / "C101.sol")
    request = solomon.to_request(instance=instance)
    distances = solomon.distances()
    visits = {v.id: v for v in request.visits}
    vehicle = request.vehicles[0]
    points = [vehicle.depot, *(v.location for v in request.visits)]
    matrix = distances.matrix(origins=points)
    routes = []
    for customers in best.routes:
        order = [visits[str(c)] for c in customers]
        route = make_route(
            vehicle=vehicle, visits=order, nodes=list(customers), depot=0, matrix=matrix
        )
        # The published solution must also be feasible under our reading of the windows.
        assert first_violation(vehicle=vehicle, visits=order, route=route) is None
        routes.append(route)
    assert solomon.cost(plan=Plan(routes=tuple(routes), unserved=())) == pytest.approx(827.3)


def test_c101_is_solved_within_one_percent_of_best_known():
    instance = solomon.read_instance(path=DATA / "C101.txt")
    best = solomon.read_solution(path=DATA / "C101.sol")
    request = solomon.to_request(instance=instance, time_limit=2.0, seed=1)
    distances = solomon.distances()
    plan = solve(request=request, distances=distances)
    assert plan.unserved == ()
    assert plan_violations(plan=plan, request=request, distances=distances) == []
    assert sum(1 for r in plan.routes if r.stops) <= instance.vehicles
    gap = solomon.gap_percent(cost=solomon.cost(plan=plan), best_known=best.cost)
    assert -1e-9 <= gap <= 1.0
