"""Hand-checkable problems for the optimised plan."""

from __future__ import annotations

from lifeline.teams.planner.model import PlanRequest, Reason
from lifeline.teams.planner.solve import solve
from lifeline.teams.planner.tests.helpers import PLANE, door, van
from lifeline.teams.planner.validate import plan_violations


def plan(request: PlanRequest):
    result = solve(request=request, distances=PLANE)
    assert plan_violations(plan=result, request=request, distances=PLANE) == []
    return result


def reasons(result) -> dict[str, Reason]:
    return {u.visit_id: u.reason for u in result.unserved}


def test_line_of_doors_has_exact_times_and_distances():
    request = PlanRequest(
        vehicles=(van(),),
        visits=(door("c", 3, service=1), door("a", 1, service=1), door("b", 2, service=1)),
        time_limit=0.2,
    )
    result = plan(request)
    (route,) = result.routes
    assert [s.visit_id for s in route.stops] in (["a", "b", "c"], ["c", "b", "a"])
    assert [s.cum_distance for s in route.stops] == [1, 2, 3]
    assert [(s.arrival, s.start, s.departure) for s in route.stops] == [
        (1, 1, 2),
        (3, 3, 4),
        (5, 5, 6),
    ]
    assert (route.distance, route.end, route.load) == (6, 9, 3)
    assert result.total_distance == 6 and result.unserved == ()


def test_skill_nobody_has_is_listed_with_that_reason():
    request = PlanRequest(
        vehicles=(van(skills=("nurse",)),),
        visits=(door("boat", 5, skill="boat"), door("care", 5, skill="nurse")),
        time_limit=0.2,
    )
    result = plan(request)
    assert reasons(result) == {"boat": Reason.NO_VEHICLE_WITH_SKILL}
    assert [s.visit_id for s in result.routes[0].stops] == ["care"]


def test_skilled_visit_goes_to_the_skilled_vehicle_only():
    request = PlanRequest(
        vehicles=(van("plain"), van("nurse", skills=("nurse",), depot=door("x", 100).location)),
        visits=(door("care", 1, skill="nurse"), door("food", 1, 1)),
        time_limit=0.2,
    )
    result = plan(request)
    by_vehicle = {r.vehicle_id: [s.visit_id for s in r.stops] for r in result.routes}
    # The nurse lives 99 units further away, yet only she may do the care visit.
    assert "care" in by_vehicle["nurse"] and "care" not in by_vehicle["plain"]
    assert result.unserved == ()


def test_unreachable_window_is_listed():
    request = PlanRequest(
        vehicles=(van(end=1000),),
        visits=(door("late", 50, window=(0, 40)), door("night", 10, window=(2000, 2100))),
        time_limit=0.2,
    )
    result = plan(request)
    assert reasons(result) == {
        "late": Reason.TIME_WINDOW_UNREACHABLE,
        "night": Reason.TIME_WINDOW_UNREACHABLE,
    }
    assert result.served_count == 0


def test_too_big_for_every_vehicle_is_capacity():
    request = PlanRequest(
        vehicles=(van(capacity=3), van("v2", capacity=4)),
        visits=(door("piano", 2, size=5), door("box", 2, size=4)),
        time_limit=0.2,
    )
    result = plan(request)
    assert reasons(result) == {"piano": Reason.CAPACITY}
    assert result.route_of("box") is not None and result.route_of("box").vehicle_id == "v2"


def test_day_over_capacity_drops_the_least_urgent():
    request = PlanRequest(
        vehicles=(van(capacity=2),),
        visits=(
            door("a", 1, priority=1),
            door("b", 2, priority=0),
            door("c", 3, priority=1),
        ),
        time_limit=0.3,
    )
    result = plan(request)
    assert reasons(result) == {"b": Reason.DROPPED_BY_SOLVER}
    assert result.routes[0].load == 2


def test_strict_area_policy_refuses_the_neighbouring_area():
    vehicles = (van("north", areas=("N",)),)
    visits = (door("home", 1, area="N"), door("next", 2, area="S"), door("far", 3, area="X"))
    strict = plan(PlanRequest(vehicles=vehicles, visits=visits, time_limit=0.2))
    assert reasons(strict) == {
        "next": Reason.OUTSIDE_SERVICE_AREAS,
        "far": Reason.OUTSIDE_SERVICE_AREAS,
    }
    relaxed = plan(
        PlanRequest(
            vehicles=vehicles,
            visits=visits,
            area_policy="neighbours",
            neighbours={"N": frozenset({"S"})},
            time_limit=0.2,
        )
    )
    assert reasons(relaxed) == {"far": Reason.OUTSIDE_SERVICE_AREAS}
    assert relaxed.route_of("next") is not None


def test_areas_pick_the_right_team_even_when_another_is_nearer():
    vehicles = (van("west", areas=("W",)), van("east", areas=("E",), depot=door("d", 100).location))
    visits = (door("w1", 10, area="W"), door("e1", 5, area="E"))
    result = plan(PlanRequest(vehicles=vehicles, visits=visits, time_limit=0.2))
    assert result.route_of("e1").vehicle_id == "east"
    assert result.route_of("w1").vehicle_id == "west"


def test_forbidden_areas_across_a_split_day_stay_feasible():
    # Force the decomposition: four areas in a row, one van each, chunks of ~2 areas.
    areas = ["A", "B", "C", "D"]
    vehicles = tuple(
        van(a, areas=(a,), depot=door(a, 20 * k).location) for k, a in enumerate(areas)
    )
    visits = tuple(
        door(f"{a}{j}", 20 * k + j, 1, area=a) for k, a in enumerate(areas) for j in range(5)
    )
    neighbours = {a: frozenset(areas[max(0, k - 1) : k + 2]) - {a} for k, a in enumerate(areas)}
    request = PlanRequest(
        vehicles=vehicles,
        visits=visits,
        area_policy="neighbours",
        neighbours=neighbours,
        time_limit=0.5,
        max_subproblem=10,
    )
    result = plan(request)
    assert result.unserved == ()
