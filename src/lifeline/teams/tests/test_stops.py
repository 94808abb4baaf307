"""The crew records arrival and completion, so planned and actual times and kilometres can
be compared; only the crew of the route (or a dispatcher) may record."""

from __future__ import annotations

import datetime as dt

import pytest

from lifeline.accounts.models import Role
from lifeline.core import clock
from lifeline.core.errors import Conflict, NotFound, ServiceError
from lifeline.core.models import AuditRecord
from lifeline.teams.models import Delivery, PlanStop, TeamMember
from lifeline.teams.selectors import route_for_member
from lifeline.teams.services import (
    delivery_create,
    plan_create,
    plan_publish,
    stop_arrive,
    stop_complete,
)
from lifeline.teams.tests.helpers import DAY, make_orders
from lifeline.testing.factories import make_user

FAST = 0.3


@pytest.fixture
def live(city, fleet):
    make_orders(fleet, city, per_grid=4)
    dispatcher = fleet.dispatchers["A"]
    plan = plan_create(actor=dispatcher, team_id=fleet.teams["A"].pk, day=DAY, time_limit=FAST)
    return plan_publish(actor=dispatcher, plan=plan, expected_version=1)


def test_member_records_arrival_and_completion_with_the_trip_meter(fleet, live):
    crew = fleet.members["A"]
    day = route_for_member(actor=crew, day=DAY)
    first = day.next_stop
    assert first is not None and first.seq == 1
    at = dt.datetime(2030, 3, 4, 8, 20)
    with clock.frozen_at(at):
        stop_arrive(actor=crew, stop=first, km=3.4)
    with clock.frozen_at(at + dt.timedelta(minutes=7)):
        stop_complete(actor=crew, stop=first, outcome="done", note="已充值")
    first.refresh_from_db()
    assert first.arrived_km == 3.4 and first.outcome == "done" and first.note == "已充值"
    assert (first.completed_at - first.arrived_at) == dt.timedelta(minutes=7)
    assert first.recorded_by == crew
    assert not first.late
    # then the next stop is the second one
    assert route_for_member(actor=crew, day=DAY).next_stop.seq == 2
    assert AuditRecord.objects.filter(action="teams.stop_complete").count() == 1


def test_completion_without_arrival_takes_arrival_as_now(fleet, live):
    stop = live.stops.order_by("seq").first()
    stop_complete(actor=fleet.members["A"], stop=stop, outcome="nobody_home", km=2)
    stop.refresh_from_db()
    assert stop.arrived_at == stop.completed_at and stop.outcome == "nobody_home"


def test_recording_twice_is_a_conflict(fleet, live):
    stop = live.stops.order_by("seq").first()
    crew = fleet.members["A"]
    stop_arrive(actor=crew, stop=stop)
    with pytest.raises(Conflict):
        stop_arrive(actor=crew, stop=stop)
    stop_complete(actor=crew, stop=stop)
    with pytest.raises(Conflict):
        stop_complete(actor=crew, stop=stop)


def test_arriving_after_the_window_counts_as_late(fleet, live):
    stop = live.stops.order_by("seq").first()
    PlanStop.objects.filter(pk=stop.pk).update(latest=9 * 3600)
    with clock.frozen_at(dt.datetime(2030, 3, 4, 9, 30)):
        stop_arrive(actor=fleet.members["A"], stop=stop)
    stop.refresh_from_db()
    assert stop.late


def test_other_crews_cannot_record_and_drafts_are_not_live(city, fleet, live):
    stop = live.stops.order_by("seq").first()
    with pytest.raises(NotFound):
        stop_arrive(actor=fleet.members["B"], stop=stop)
    stranger = make_user("stranger")
    with pytest.raises(NotFound):
        stop_complete(actor=stranger, stop=stop)
    draft = plan_create(
        actor=fleet.dispatchers["A"], team_id=fleet.teams["A"].pk, day=DAY, time_limit=FAST
    )
    with pytest.raises(ServiceError) as error:
        stop_arrive(actor=fleet.members["A"], stop=draft.stops.first())
    assert error.value.code == "not_live"
    stop.refresh_from_db()
    assert stop.arrived_at is None


def test_a_dispatcher_may_record_for_the_crew(fleet, live):
    stop = live.stops.order_by("seq").first()
    stop_arrive(actor=fleet.dispatchers["A"], stop=stop, note="电话确认到达")
    stop.refresh_from_db()
    assert stop.arrived_at is not None


def test_a_member_riding_no_vehicle_records_for_any_vehicle_of_the_team(city, fleet, live):
    loose = make_user("loose", role=Role.FIELD_TEAM, unit=fleet.units["A"])
    TeamMember.objects.create(team=fleet.teams["A"], user=loose)
    stop = live.stops.order_by("seq").first()
    stop_arrive(actor=loose, stop=stop)
    assert route_for_member(actor=loose, day=DAY).stops


@pytest.mark.parametrize(
    "kwargs,field", [({"km": -1}, "km"), ({"km": 10_000}, "km"), ({"note": "x" * 501}, "note")]
)
def test_bad_readings_are_refused(fleet, live, kwargs, field):
    stop = live.stops.order_by("seq").first()
    with pytest.raises(ServiceError) as error:
        stop_arrive(actor=fleet.members["A"], stop=stop, **kwargs)
    assert field in error.value.fields
    stop.refresh_from_db()
    assert stop.arrived_at is None


def test_unknown_outcome_is_refused(fleet, live):
    stop = live.stops.order_by("seq").first()
    with pytest.raises(ServiceError):
        stop_complete(actor=fleet.members["A"], stop=stop, outcome="vanished")


def test_completing_a_delivery_takes_it_off_the_queue(city, fleet, grid_worker_a):
    staff = fleet.dispatchers["A"]
    delivery = delivery_create(
        actor=grid_worker_a,
        household_id=city.people_a[0].household_id,
        unit_id=fleet.units["A"].pk,
        day=DAY,
        what="蔬菜包",
    )
    plan = plan_create(actor=staff, team_id=fleet.teams["A"].pk, day=DAY, time_limit=FAST)
    plan_publish(actor=staff, plan=plan, expected_version=1)
    stop = plan.stops.get()
    stop_complete(actor=fleet.members["A"], stop=stop)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED and delivery.delivered_at is not None
    # and tomorrow's plan no longer carries it
    again = plan_create(
        actor=staff, team_id=fleet.teams["A"].pk, day=DAY + dt.timedelta(days=1), time_limit=FAST
    )
    assert again.visits == 0
