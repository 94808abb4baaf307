"""The planner's hooks for the teams app: a vehicle that keeps to its own areas whatever the
request allows, and visited stops that an urgent visit may not be put before."""

from __future__ import annotations

from dataclasses import replace

from lifeline.teams.planner.insert import insert_visit
from lifeline.teams.planner.model import PlanRequest
from lifeline.teams.planner.solve import solve
from lifeline.teams.planner.tests.helpers import PLANE, door, van
from lifeline.teams.planner.tests.test_insert import TENTHS, corner_plan


def test_a_strict_vehicle_stays_home_when_others_may_help():
    north, south = (
        van("north", areas=("N",)),
        van("south", areas=("S",), depot=door("x", 0, 50).location),
    )
    request = PlanRequest(
        vehicles=(replace(north, area_policy="strict"), south),
        visits=(door("n1", 0, 5, area="N"), door("s1", 0, 45, area="S")),
        area_policy="neighbours",
        neighbours={"N": frozenset({"S"}), "S": frozenset({"N"})},
        time_limit=0.2,
    )
    assert request.allowed_areas(vehicle=request.vehicles[0]) == {"N"}
    assert request.allowed_areas(vehicle=request.vehicles[1]) == {"N", "S"}
    # when the south van is out of service, the strict north van still leaves the south alone
    alone = replace(request, vehicles=(request.vehicles[0],))
    plan = solve(request=alone, distances=PLANE)
    assert [s.visit_id for s in plan.routes[0].stops] == ["n1"]
    assert [u.visit_id for u in plan.unserved] == ["s1"]


def test_urgent_visit_goes_after_the_visited_stops():
    request, plan = corner_plan(b_window=(0, 1000))
    near_depot = door("U", 1, 0, service=0)
    free = insert_visit(plan=plan, request=request, visit=near_depot, distances=TENTHS)
    assert free.position == 0
    kept = insert_visit(
        plan=plan, request=request, visit=near_depot, distances=TENTHS, frozen={"v1": 1}
    )
    assert kept.position is not None and kept.position >= 1
    assert kept.plan.routes[0].stops[0].visit_id == "A"
