"""Inserting one urgent visit into a live plan."""

from __future__ import annotations

import time

import pytest

from lifeline.bench._synthetic import make_city, urgent_visit
from lifeline.teams.planner.baseline import plan_by_hand
from lifeline.teams.planner.distances import EuclideanDistance, HaversineDistance
from lifeline.teams.planner.insert import insert_visit
from lifeline.teams.planner.model import Plan, PlanRequest, Reason
from lifeline.teams.planner.schedule import make_route
from lifeline.teams.planner.tests.helpers import door, van
from lifeline.teams.planner.validate import plan_violations

TENTHS = EuclideanDistance(scale=10)


def corner_plan(b_window: tuple[int, int]) -> tuple[PlanRequest, Plan]:
    """One van: depot (0,0) -> A (10,0) -> B (10,10) -> depot; 100 tenths per side."""
    vehicle = van(end=2000)
    a, b = door("A", 10, 0, window=(100, 100)), door("B", 10, 10, window=b_window)
    request = PlanRequest(vehicles=(vehicle,), visits=(a, b))
    matrix = TENTHS.matrix(origins=[vehicle.depot, a.location, b.location])
    route = make_route(vehicle=vehicle, visits=[a, b], nodes=[1, 2], depot=0, matrix=matrix)
    assert [(s.arrival, s.start) for s in route.stops] == [(100, 100), (200, 200)]
    return request, Plan(routes=(route,), unserved=())


def test_cheapest_place_is_between_a_and_b_when_b_can_wait():
    request, plan = corner_plan(b_window=(0, 1000))
    new = door("U", 11, 5, service=30)
    result = insert_visit(plan=plan, request=request, visit=new, distances=TENTHS)
    assert (result.vehicle_id, result.position) == ("v1", 1)
    assert [s.visit_id for s in result.plan.routes[0].stops] == ["A", "U", "B"]
    # 2 * trunc(10 * sqrt(26)) - 100 = 2 * 50 - 100
    assert result.added_distance == 0
    assert result.plan.total_distance == plan.total_distance
    extended = PlanRequest(vehicles=request.vehicles, visits=(*request.visits, new))
    assert plan_violations(plan=result.plan, request=extended, distances=TENTHS) == []


def test_insertion_respects_the_window_of_an_already_planned_stop():
    request, plan = corner_plan(b_window=(200, 200))
    new = door("U", 11, 5, service=30)
    result = insert_visit(plan=plan, request=request, visit=new, distances=TENTHS)
    # Between A and B would make B start at 200 + 30 + ... > 200: it must go after B.
    assert result.position == 2
    route = result.plan.routes[0]
    assert [s.visit_id for s in route.stops] == ["A", "B", "U"]
    assert route.stops[:2] == plan.routes[0].stops
    assert result.added_distance > 0
    extended = PlanRequest(vehicles=request.vehicles, visits=(*request.visits, new))
    assert plan_violations(plan=result.plan, request=extended, distances=TENTHS) == []


def test_no_room_anywhere_is_reported_not_forced():
    request, plan = corner_plan(b_window=(200, 200))
    new = door("U", 11, 5, service=30, window=(150, 160))
    result = insert_visit(plan=plan, request=request, visit=new, distances=TENTHS)
    assert result.vehicle_id is None
    assert result.unserved is not None and result.unserved.reason is Reason.DROPPED_BY_SOLVER
    assert result.plan.routes == plan.routes
    assert result.plan.unserved == (result.unserved,)


def test_full_van_sends_the_visit_to_another_van():
    request, plan = corner_plan(b_window=(0, 1000))
    small = van(capacity=2, end=2000)
    spare = van("spare", depot=door("far", 50, 50).location, end=5000)
    request = PlanRequest(vehicles=(small, spare), visits=request.visits)
    plan = Plan(routes=(plan.routes[0],), unserved=())
    result = insert_visit(plan=plan, request=request, visit=door("U", 11, 5), distances=TENTHS)
    assert result.vehicle_id == "spare"
    assert [r.vehicle_id for r in result.plan.routes] == ["v1", "spare"]


def test_impossible_urgent_visit_gets_its_reason():
    request, plan = corner_plan(b_window=(0, 1000))
    result = insert_visit(
        plan=plan, request=request, visit=door("U", 5, skill="crane"), distances=TENTHS
    )
    assert result.unserved is not None
    assert result.unserved.reason is Reason.NO_VEHICLE_WITH_SKILL


def test_already_planned_visit_is_refused():
    request, plan = corner_plan(b_window=(0, 1000))
    with pytest.raises(ValueError, match="already"):
        insert_visit(plan=plan, request=request, visit=door("A", 10), distances=TENTHS)


def test_insert_into_a_city_day_is_fast_and_feasible():
    request = make_city(visits=10_000, vehicles=200, seed=3)
    roads = HaversineDistance()
    plan = plan_by_hand(request=request, distances=roads)
    assert plan.served_count > 8_000
    urgent = urgent_visit(request=request, seed=5)
    began = time.perf_counter()
    result = insert_visit(plan=plan, request=request, visit=urgent, distances=roads)
    elapsed = time.perf_counter() - began
    assert elapsed < 1.0
    assert result.vehicle_id is not None
    route = result.plan.route_of(urgent.id)
    assert route is not None and route.vehicle_id == result.vehicle_id
    extended = PlanRequest(
        vehicles=request.vehicles,
        visits=(*request.visits, urgent),
        area_policy=request.area_policy,
        neighbours=request.neighbours,
    )
    assert plan_violations(plan=result.plan, request=extended, distances=roads) == []


def test_second_insertion_needs_the_first_in_the_request():
    request, plan = corner_plan(b_window=(0, 1000))
    first = insert_visit(plan=plan, request=request, visit=door("U", 11, 5), distances=TENTHS)
    with pytest.raises(ValueError, match="missing from the request"):
        insert_visit(plan=first.plan, request=request, visit=door("V", 1, 1), distances=TENTHS)
    extended = PlanRequest(vehicles=request.vehicles, visits=(*request.visits, door("U", 11, 5)))
    second = insert_visit(
        plan=first.plan, request=extended, visit=door("V", 1, 1), distances=TENTHS
    )
    assert second.vehicle_id == "v1"
    # Before A would be cheapest, but A must start at exactly 100 and V would make it 104.
    assert second.position != 0
    both = PlanRequest(vehicles=request.vehicles, visits=(*extended.visits, door("V", 1, 1)))
    assert plan_violations(plan=second.plan, request=both, distances=TENTHS) == []
