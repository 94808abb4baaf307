"""Property: on random small days, every plan returned is feasible and accounts for every visit."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lifeline.teams.planner.baseline import plan_by_hand
from lifeline.teams.planner.insert import insert_visit
from lifeline.teams.planner.model import PlanRequest, Point, Reason, Vehicle, Visit
from lifeline.teams.planner.solve import solve
from lifeline.teams.planner.tests.helpers import PLANE
from lifeline.teams.planner.validate import plan_violations

AREAS = ["a", "b", "c"]
SKILLS = [None, None, "nurse", "heavy"]
coord = st.integers(min_value=0, max_value=60)


@st.composite
def vehicles(draw: st.DrawFn, k: int) -> Vehicle:
    start = draw(st.integers(0, 100))
    return Vehicle(
        id=f"v{k}",
        depot=Point(draw(coord), draw(coord)),
        capacity=draw(st.integers(1, 6)),
        shift_start=start,
        shift_end=start + draw(st.integers(50, 400)),
        cost_per_km=draw(st.sampled_from([1.0, 1.5])),
        skills=frozenset(draw(st.sets(st.sampled_from(["nurse", "heavy"]), max_size=2))),
        areas=frozenset(draw(st.sets(st.sampled_from(AREAS), max_size=2))),
    )


@st.composite
def visits(draw: st.DrawFn, k: int) -> Visit:
    earliest = draw(st.integers(0, 300))
    return Visit(
        id=f"c{k}",
        location=Point(draw(coord), draw(coord)),
        service=draw(st.integers(0, 20)),
        earliest=earliest,
        latest=earliest + draw(st.integers(0, 200)),
        priority=draw(st.integers(0, 2)),
        skill=draw(st.sampled_from(SKILLS)),
        size=draw(st.integers(1, 4)),
        area=draw(st.sampled_from([*AREAS, None])),
    )


@st.composite
def requests(draw: st.DrawFn) -> PlanRequest:
    n_vehicles = draw(st.integers(1, 3))
    n_visits = draw(st.integers(0, 9))
    return PlanRequest(
        vehicles=tuple(draw(vehicles(k)) for k in range(n_vehicles)),
        visits=tuple(draw(visits(k)) for k in range(n_visits)),
        area_policy=draw(st.sampled_from(["strict", "neighbours"])),
        neighbours={"a": frozenset({"b"}), "b": frozenset({"a", "c"}), "c": frozenset({"b"})},
        time_limit=0.05,
        seed=draw(st.integers(0, 5)),
        max_subproblem=draw(st.sampled_from([3, 400])),
    )


FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(request=requests())
def test_optimised_plans_are_feasible_and_complete(request: PlanRequest):
    plan = solve(request=request, distances=PLANE)
    assert plan_violations(plan=plan, request=request, distances=PLANE) == []
    skills = set().union(*(v.skills for v in request.vehicles))
    for unserved in plan.unserved:
        visit = next(v for v in request.visits if v.id == unserved.visit_id)
        if unserved.reason is Reason.NO_VEHICLE_WITH_SKILL:
            assert visit.skill not in skills
        if unserved.reason is Reason.CAPACITY:
            assert visit.size > min(v.capacity for v in request.vehicles)


@FAST
@given(request=requests())
def test_by_hand_plans_are_feasible_and_own_area(request: PlanRequest):
    plan = plan_by_hand(request=request, distances=PLANE)
    assert plan_violations(plan=plan, request=request, distances=PLANE, own_areas_only=True) == []


@FAST
@given(request=requests(), extra=visits(99))
def test_insertion_keeps_a_plan_feasible(request: PlanRequest, extra: Visit):
    plan = plan_by_hand(request=request, distances=PLANE)
    result = insert_visit(plan=plan, request=request, visit=extra, distances=PLANE)
    extended = PlanRequest(
        vehicles=request.vehicles,
        visits=(*request.visits, extra),
        area_policy=request.area_policy,
        neighbours=request.neighbours,
    )
    assert plan_violations(plan=result.plan, request=extended, distances=PLANE) == []
    assert (result.vehicle_id is None) == (result.unserved is not None)
