"""Changing a plan: publishing, moving a stop, inserting an urgent visit, and two
dispatchers at once (the second is told the plan moved on)."""

from __future__ import annotations

import datetime as dt

import pytest

from lifeline.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from lifeline.core.models import AuditRecord, OutboxMessage
from lifeline.teams import storage
from lifeline.teams.models import Plan, PlanStop, Vehicle, VisitKind
from lifeline.teams.planner.validate import plan_violations
from lifeline.teams.problem import distance_provider
from lifeline.teams.services import (
    appointment_set,
    plan_create,
    plan_insert_urgent,
    plan_move_stop,
    plan_publish,
    stop_arrive,
)
from lifeline.teams.tests.helpers import CENTRES, DAY, make_order, make_orders

FAST = 0.3


def _violations(plan: Plan) -> list[str]:
    loaded = storage.load(plan)
    return plan_violations(plan=loaded.plan, request=loaded.request, distances=distance_provider())


def _order_of(plan: Plan, vehicle: Vehicle) -> list[str]:
    return [s.key for s in plan.stops.filter(route__vehicle=vehicle).order_by("seq")]


@pytest.fixture
def two_vans(city, fleet):
    """Team A with a second vehicle, 10 orders in grid A, and a draft plan of the team."""
    second = Vehicle.objects.create(
        team=fleet.teams["A"],
        name="A-2",
        depot_lat=CENTRES["A"][0],
        depot_lng=CENTRES["A"][1],
        capacity=40,
        skills=["gas_topup"],
    )
    make_orders(fleet, city, per_grid=10)
    plan = plan_create(
        actor=fleet.dispatchers["A"], team_id=fleet.teams["A"].pk, day=DAY, time_limit=FAST
    )
    return plan, fleet.vehicles["A"], second


def test_publishing_bumps_the_version_and_supersedes_the_days_older_plan(city, fleet):
    make_orders(fleet, city, per_grid=3)
    dispatcher, team = fleet.dispatchers["A"], fleet.teams["A"].pk
    first = plan_create(actor=dispatcher, team_id=team, day=DAY, time_limit=FAST)
    plan_publish(actor=dispatcher, plan=first, expected_version=1)
    first.refresh_from_db()
    assert (first.status, first.version) == (Plan.Status.PUBLISHED, 2)
    second = plan_create(actor=dispatcher, team_id=team, day=DAY, time_limit=FAST)
    plan_publish(actor=dispatcher, plan=second, expected_version=1)
    first.refresh_from_db()
    assert first.status == Plan.Status.SUPERSEDED and first.version == 3
    with pytest.raises(ServiceError) as error:
        plan_publish(actor=dispatcher, plan=second, expected_version=2)
    assert error.value.code == "not_draft"
    assert AuditRecord.objects.filter(action="teams.plan_publish").count() == 2


def test_crew_is_told_when_the_route_is_published(city, fleet):
    crew = fleet.members["A"]
    crew.phone = "13912345678"
    crew.save()
    make_orders(fleet, city, per_grid=2)
    plan = plan_create(
        actor=fleet.dispatchers["A"], team_id=fleet.teams["A"].pk, day=DAY, time_limit=FAST
    )
    plan_publish(actor=fleet.dispatchers["A"], plan=plan, expected_version=1)
    sent = OutboxMessage.objects.get(object_type="teams.plan", object_id=str(plan.pk))
    assert sent.recipient == crew.phone and DAY.isoformat() in sent.body


def test_two_dispatchers_one_wins_the_other_is_told_to_reload(two_vans, fleet):
    plan, van1, van2 = two_vans
    first, second = fleet.dispatchers["A"], fleet.company_dispatcher
    seen = plan.version
    stop = plan.stops.filter(route__vehicle=van1).order_by("seq").first() or plan.stops.first()
    assert stop is not None
    # when both act on the version they loaded, the first one's change goes through
    plan_publish(actor=first, plan=plan, expected_version=seen)
    before = sorted(plan.stops.values_list("pk", "route_id", "seq"))
    with pytest.raises(Conflict) as error:
        plan_move_stop(
            actor=second,
            plan=plan,
            stop_id=stop.pk,
            vehicle_id=van2.pk,
            position=1,
            expected_version=seen,
        )
    # then the second gets a conflict naming both versions, and nothing of theirs is written
    assert error.value.code == "stale_plan" and error.value.status == 409
    assert str(seen) in str(error.value.message) and str(seen + 1) in str(error.value.message)
    assert sorted(plan.stops.values_list("pk", "route_id", "seq")) == before
    plan.refresh_from_db()
    assert plan.version == seen + 1


def test_moving_a_stop_to_another_vehicle_retimes_both_routes(two_vans):
    plan, van1, van2 = two_vans
    donor, taker = (van1, van2) if _order_of(plan, van1) else (van2, van1)
    moving = plan.stops.filter(route__vehicle=donor).order_by("seq").first()
    assert moving is not None
    old_donor, old_taker = _order_of(plan, donor), _order_of(plan, taker)
    moved = plan_move_stop(
        actor=plan.created_by,
        plan=plan,
        stop_id=moving.pk,
        vehicle_id=taker.pk,
        position=1,
        expected_version=1,
    )
    assert moved.version == 2
    assert _order_of(plan, taker) == [moving.key, *old_taker]
    assert _order_of(plan, donor) == [k for k in old_donor if k != moving.key]
    assert _violations(plan) == []
    moving.refresh_from_db()
    assert moving.seq == 1 and moving.route.vehicle_id == taker.pk


def test_moving_within_a_route_reorders_it(two_vans):
    plan, van1, van2 = two_vans
    van = van1 if len(_order_of(plan, van1)) >= 3 else van2
    keys = _order_of(plan, van)
    assert len(keys) >= 3
    first = plan.stops.get(route__vehicle=van, seq=1)
    try:
        plan_move_stop(
            actor=plan.created_by,
            plan=plan,
            stop_id=first.pk,
            vehicle_id=van.pk,
            position=3,
            expected_version=1,
        )
    except ServiceError as error:  # a window may forbid it; then nothing changed
        assert error.code == "infeasible"
        assert _order_of(plan, van) == keys
        return
    assert _order_of(plan, van) == [keys[1], keys[2], keys[0], *keys[3:]]
    assert _violations(plan) == []


def test_a_move_that_breaks_a_window_is_refused_and_changes_nothing(city, fleet):
    # given two orders: an early window and a late one, planned in that order
    early = make_order(grid=city.grid_a, unit=fleet.units["A"], near=CENTRES["A"])
    late = make_order(grid=city.grid_a, unit=fleet.units["A"], near=CENTRES["A"])
    for order, (start, end) in ((early, (8, 9)), (late, (15, 16))):
        appointment_set(
            actor=fleet.dispatchers["A"],
            work_order_id=order.pk,
            day=DAY,
            start=dt.time(start),
            end=dt.time(end),
        )
    plan = plan_create(
        actor=fleet.dispatchers["A"], team_id=fleet.teams["A"].pk, day=DAY, time_limit=FAST
    )
    van = fleet.vehicles["A"]
    assert _order_of(plan, van) == [f"work_order:{early.pk}", f"work_order:{late.pk}"]
    stop = plan.stops.get(ref_id=early.pk)
    # when the dispatcher puts the early visit after the late one
    with pytest.raises(ServiceError) as error:
        plan_move_stop(
            actor=fleet.dispatchers["A"],
            plan=plan,
            stop_id=stop.pk,
            vehicle_id=van.pk,
            position=2,
            expected_version=1,
        )
    assert error.value.code == "infeasible"
    plan.refresh_from_db()
    assert plan.version == 1
    assert _order_of(plan, van) == [f"work_order:{early.pk}", f"work_order:{late.pk}"]


def test_a_vehicle_without_the_skill_cannot_take_the_stop(two_vans):
    plan, van1, van2 = two_vans
    Vehicle.objects.filter(pk=van2.pk).update(skills=[])
    # the plan kept the skills it was made with; a fresh plan sees the change
    fresh = plan_create(actor=plan.created_by, team_id=plan.team_id, day=DAY, time_limit=FAST)
    stop = fresh.stops.filter(route__vehicle=van1).first()
    assert stop is not None and not fresh.stops.filter(route__vehicle=van2).exists()
    with pytest.raises(ServiceError) as error:
        plan_move_stop(
            actor=plan.created_by,
            plan=fresh,
            stop_id=stop.pk,
            vehicle_id=van2.pk,
            position=1,
            expected_version=1,
        )
    assert error.value.code == "not_allowed"


def test_urgent_order_goes_into_the_live_plan_without_replanning(city, fleet, two_vans):
    plan, van1, van2 = two_vans
    before = {v.pk: _order_of(plan, v) for v in (van1, van2)}
    urgent = make_order(grid=city.grid_a, unit=fleet.units["A"], near=CENTRES["A"], priority=1)
    result = plan_insert_urgent(
        actor=fleet.dispatchers["A"],
        plan=plan,
        kind=VisitKind.WORK_ORDER,
        ref_id=urgent.pk,
        expected_version=1,
    )
    assert result.stop is not None and result.unserved is None
    assert result.plan.version == 2
    after = {v.pk: _order_of(plan, v) for v in (van1, van2)}
    taker = result.stop.route.vehicle_id
    # every other stop keeps its vehicle and its order; the new one is added once
    assert [k for k in after[taker] if k != result.stop.key] == before[taker]
    other = van2.pk if taker == van1.pk else van1.pk
    assert after[other] == before[other]
    assert _violations(plan) == []
    with pytest.raises(ServiceError) as error:
        plan_insert_urgent(
            actor=fleet.dispatchers["A"],
            plan=plan,
            kind=VisitKind.WORK_ORDER,
            ref_id=urgent.pk,
            expected_version=2,
        )
    assert error.value.code == "already_planned"


def test_urgent_visit_that_fits_nowhere_is_listed_with_the_reason(city, fleet, two_vans):
    plan, _van1, _van2 = two_vans
    urgent = make_order(grid=city.grid_a, unit=fleet.units["A"], near=CENTRES["A"])
    appointment_set(
        actor=fleet.dispatchers["A"],
        work_order_id=urgent.pk,
        day=DAY,
        start=dt.time(21),
        end=dt.time(22),
    )
    result = plan_insert_urgent(
        actor=fleet.dispatchers["A"],
        plan=plan,
        kind="work_order",
        ref_id=urgent.pk,
        expected_version=1,
    )
    assert result.stop is None and result.unserved is not None
    assert result.unserved.reason == "time_window_unreachable"
    assert plan.unserved.filter(ref_id=urgent.pk).count() == 1


def test_an_unserved_visit_can_be_tried_again_once_there_is_room(city, fleet):
    # given a plan where one order did not fit (its window was impossible), then widened
    order = make_order(grid=city.grid_a, unit=fleet.units["A"], near=CENTRES["A"])
    dispatcher = fleet.dispatchers["A"]
    appointment_set(
        actor=dispatcher, work_order_id=order.pk, day=DAY, start=dt.time(22), end=dt.time(23)
    )
    plan = plan_create(actor=dispatcher, team_id=fleet.teams["A"].pk, day=DAY, time_limit=FAST)
    assert plan.unserved.filter(ref_id=order.pk).exists()
    appointment_set(
        actor=dispatcher, work_order_id=order.pk, day=DAY, start=dt.time(10), end=dt.time(12)
    )
    result = plan_insert_urgent(
        actor=dispatcher, plan=plan, kind="work_order", ref_id=order.pk, expected_version=1
    )
    assert result.stop is not None
    assert not plan.unserved.filter(ref_id=order.pk).exists()
    assert 10 * 3600 <= result.stop.start <= 12 * 3600


def test_urgent_visit_lands_after_the_stops_already_visited(city, fleet):
    make_orders(fleet, city, per_grid=5)
    dispatcher = fleet.dispatchers["A"]
    plan = plan_create(actor=dispatcher, team_id=fleet.teams["A"].pk, day=DAY, time_limit=FAST)
    plan_publish(actor=dispatcher, plan=plan, expected_version=1)
    visited = list(plan.stops.order_by("seq")[:2])
    for stop in visited:
        stop_arrive(actor=fleet.members["A"], stop=stop)
    # an urgent order right at the depot would be cheapest first, but the first two are done
    urgent = make_order(grid=city.grid_a, unit=fleet.units["A"], near=CENTRES["A"])
    urgent.lat, urgent.lng = CENTRES["A"]
    urgent.save()
    result = plan_insert_urgent(
        actor=dispatcher, plan=plan, kind="work_order", ref_id=urgent.pk, expected_version=2
    )
    assert result.stop is not None and result.stop.seq >= 3
    assert [s.pk for s in plan.stops.order_by("seq")[:2]] == [s.pk for s in visited]


def test_only_dispatchers_of_the_unit_change_plans(city, fleet, command_staff, two_vans):
    plan, van1, _van2 = two_vans
    stop = plan.stops.first()
    assert stop is not None
    for outsider in (fleet.dispatchers["B"], fleet.members["A"], command_staff):
        with pytest.raises((NotFound, PermissionDenied)):
            plan_publish(actor=outsider, plan=plan, expected_version=1)
        with pytest.raises((NotFound, PermissionDenied)):
            plan_move_stop(
                actor=outsider,
                plan=plan,
                stop_id=stop.pk,
                vehicle_id=van1.pk,
                position=1,
                expected_version=1,
            )
    plan.refresh_from_db()
    assert plan.version == 1 and plan.status == Plan.Status.DRAFT


def test_stops_of_a_superseded_plan_cannot_be_moved(city, fleet, two_vans):
    plan, van1, _van2 = two_vans
    dispatcher = fleet.dispatchers["A"]
    plan_publish(actor=dispatcher, plan=plan, expected_version=1)
    newer = plan_create(actor=dispatcher, team_id=plan.team_id, day=DAY, time_limit=FAST)
    plan_publish(actor=dispatcher, plan=newer, expected_version=1)
    plan.refresh_from_db()
    stop = PlanStop.objects.filter(plan=plan).first()
    assert stop is not None
    with pytest.raises(ServiceError) as error:
        plan_move_stop(
            actor=dispatcher,
            plan=plan,
            stop_id=stop.pk,
            vehicle_id=van1.pk,
            position=1,
            expected_version=plan.version,
        )
    assert error.value.code == "superseded"
