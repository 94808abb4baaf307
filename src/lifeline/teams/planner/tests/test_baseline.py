"""The by-hand plan: own areas only, nearest-feasible-next, still feasible."""

from __future__ import annotations

from lifeline.bench._synthetic import make_city
from lifeline.teams.planner.baseline import plan_by_hand
from lifeline.teams.planner.distances import HaversineDistance
from lifeline.teams.planner.model import PlanRequest, Reason
from lifeline.teams.planner.solve import solve
from lifeline.teams.planner.tests.helpers import PLANE, door, van
from lifeline.teams.planner.validate import plan_violations


def test_each_area_is_served_only_by_its_own_vehicle():
    request = make_city(visits=400, vehicles=8, areas=4, seed=11)
    roads = HaversineDistance()
    plan = plan_by_hand(request=request, distances=roads)
    assert plan_violations(plan=plan, request=request, distances=roads, own_areas_only=True) == []
    areas = {v.id: v.areas for v in request.vehicles}
    visits = {v.id: v for v in request.visits}
    for route in plan.routes:
        for stop in route.stops:
            assert visits[stop.visit_id].area in areas[route.vehicle_id]
    assert plan.served_count > 300


def test_neighbour_area_without_a_team_is_left_by_hand_but_planned_by_the_optimiser():
    request = PlanRequest(
        vehicles=(van("north", areas=("N",)),),
        visits=(door("n", 1, area="N"), door("s", 2, area="S")),
        area_policy="neighbours",
        neighbours={"N": frozenset({"S"})},
        time_limit=0.2,
    )
    by_hand = plan_by_hand(request=request, distances=PLANE)
    assert {u.visit_id: u.reason for u in by_hand.unserved} == {"s": Reason.OUTSIDE_SERVICE_AREAS}
    optimised = solve(request=request, distances=PLANE)
    assert optimised.unserved == ()


def test_greedy_goes_to_the_soonest_door_and_keeps_windows():
    request = PlanRequest(
        vehicles=(van(end=100),),
        visits=(
            door("near-later", 1, window=(50, 60)),
            door("far-now", 5, window=(0, 10)),
            door("too-late", 6, window=(0, 5), service=1),
        ),
    )
    plan = plan_by_hand(request=request, distances=PLANE)
    assert [s.visit_id for s in plan.routes[0].stops] == ["far-now", "near-later"]
    assert [(s.arrival, s.start) for s in plan.routes[0].stops] == [(5, 5), (9, 50)]
    # Even a direct trip reaches "too-late" at 6, after its window closes at 5.
    assert {u.visit_id: u.reason for u in plan.unserved} == {
        "too-late": Reason.TIME_WINDOW_UNREACHABLE
    }
    assert plan_violations(plan=plan, request=request, distances=PLANE) == []


def test_greedy_leaves_what_does_not_fit_with_a_reason():
    request = PlanRequest(
        vehicles=(van(capacity=2),),
        visits=(door("a", 1), door("b", 2), door("c", 3)),
    )
    plan = plan_by_hand(request=request, distances=PLANE)
    assert [s.visit_id for s in plan.routes[0].stops] == ["a", "b"]
    assert {u.visit_id: u.reason for u in plan.unserved} == {"c": Reason.DROPPED_BY_SOLVER}
