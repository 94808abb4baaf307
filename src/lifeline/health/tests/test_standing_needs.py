"""Standing needs: dialysis weekdays and chemo dates produce their transport orders ahead of
time through the worker's sweep, once per session, with the access decision attached."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from lifeline.accounts.models import Membership, Role
from lifeline.accounts.services import membership_revoke
from lifeline.core.clock import frozen_at
from lifeline.core.errors import NotFound, ServiceError
from lifeline.core.periodic import run_periodic_sweeps
from lifeline.health.models import MedicalTransfer, StandingNeed
from lifeline.health.services import (
    health_status_set,
    standing_need_create,
    standing_need_end,
    standing_trips_create,
)
from lifeline.health.services.standing import session_times
from lifeline.testing.factories import make_user
from lifeline.workorders.models import Status

CST = dt.timezone(dt.timedelta(hours=8))
# Monday 21 November 2022, local time.
MONDAY = dt.date(2022, 11, 21)


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """``day`` days after that Monday, local time."""
    return dt.datetime.combine(MONDAY + dt.timedelta(days=day), dt.time(hour, minute), CST)


def _dialysis(actor, person, **more):
    values = {
        "kind": "dialysis",
        "weekdays": [1, 3, 5],
        "time": dt.time(8, 0),
        "active_from": MONDAY,
        "lead_hours": 24,
    }
    values.update(more)
    with frozen_at(at(0, 6)):
        return standing_need_create(actor=actor, person=person, **values)


def test_dialysis_trip_is_ordered_a_day_ahead_once_with_the_decision(
    city, hospitals, community_staff
):
    # given a green-code dialysis patient on Monday, Wednesday and Friday at 08:00
    person = city.people_a[1]
    need = _dialysis(community_staff, person)
    # when the sweep runs on Tuesday 07:00, 25 hours before Wednesday's session
    with frozen_at(at(1, 7)):
        assert standing_trips_create().created == 0
    # when it runs on Tuesday 08:30 (Wednesday's session is now within a day), twice
    with frozen_at(at(1, 8, 30)):
        first = standing_trips_create()
        again = standing_trips_create()
    # then Wednesday's trip is ordered once, and the second run filed nothing new
    assert (first.created, again.created) == (1, 0)
    trip = MedicalTransfer.objects.get()
    assert trip.standing_need == need and trip.appointment_at == at(2, 8)
    assert trip.kind == MedicalTransfer.Kind.STANDING and trip.person == person
    # with the decision of the table in force: the designated hospital, contacted ahead
    decision = trip.decision
    assert decision.rule.name == "special_needs_other" and decision.rule_version == 1
    assert decision.inputs["needs"] == ["dialysis"] and decision.channel == "standing_need"
    assert decision.hospital == hospitals.designated == trip.hospital
    assert "receiving_hospital" in decision.notify
    order = trip.order
    assert order.category.code == "medical_care" and order.extra["need"] == "dialysis"
    assert order.status == Status.DISPATCHED and order.created_by == community_staff
    assert "2022-11-23 08:00" in order.description
    assert any(e.data.get("decision") == decision.pk for e in order.events.all())


def test_sessions_follow_weekdays_dates_and_the_active_period(city, community_staff):
    need = _dialysis(community_staff, city.people_a[1], active_to=MONDAY + dt.timedelta(days=9))
    week = list(session_times(need, start=at(-3, 0), end=at(14, 0)))
    # Mon, Wed, Fri, then Mon and Wed of the next week: the period ends that Wednesday
    assert week == [at(0, 8), at(2, 8), at(4, 8), at(7, 8), at(9, 8)]
    chemo = _dialysis(
        community_staff,
        city.people_a[2],
        kind="chemo",
        weekdays=[],
        dates=["2022-11-22", "2022-12-06"],
        time=dt.time(14, 30),
    )
    assert list(session_times(chemo, start=at(0, 0), end=at(30, 0))) == [
        at(1, 14, 30),
        at(15, 14, 30),
    ]


def test_red_code_dialysis_patient_gets_a_closed_loop_trip(city, hospitals, community_staff):
    person = city.people_a[1]
    with frozen_at(at(0, 5)):
        health_status_set(actor=community_staff, person=person, colour="red")
    _dialysis(community_staff, person)
    with frozen_at(at(1, 9)):
        assert standing_trips_create().created == 1
    decision = MedicalTransfer.objects.get().decision
    assert decision.rule.name == "special_needs_red" and decision.how == "transfer_120"
    assert decision.notify[0] == "receiving_hospital"


def test_the_worker_beat_runs_the_sweep(city, hospitals, community_staff):
    _dialysis(community_staff, city.people_a[1])
    with frozen_at(at(1, 9)):
        results = run_periodic_sweeps()
        again = run_periodic_sweeps()
    assert results["lifeline.health.tasks.run_periodic"]["standing_trips_created"] == 1
    assert again["lifeline.health.tasks.run_periodic"]["standing_trips_created"] == 0
    assert MedicalTransfer.objects.count() == 1


def test_ending_a_need_cancels_its_future_trips_and_stops_the_sweep(
    city, hospitals, community_staff
):
    need = _dialysis(community_staff, city.people_a[1])
    with frozen_at(at(1, 9)):
        standing_trips_create()
    trip = MedicalTransfer.objects.get()
    with frozen_at(at(1, 10)):
        ended = standing_need_end(actor=community_staff, need=need, reason="转院治疗")
    trip.order.refresh_from_db()
    assert trip.order.status == Status.CANCELLED
    assert not ended.active and ended.active_to == MONDAY + dt.timedelta(days=1)
    with frozen_at(at(3, 9)):
        assert standing_trips_create().created == 0


def test_a_need_whose_arranger_lost_the_area_is_reported_and_others_go_on(
    city, hospitals, community_staff
):
    leaver = make_user("leaver", role=Role.GRID_WORKER, area=city.grid_a)
    lost = _dialysis(leaver, city.people_a[1])
    kept = _dialysis(community_staff, city.people_a[2])
    for membership in Membership.objects.filter(user=leaver):
        membership_revoke(actor=None, membership=membership)
    with frozen_at(at(1, 9)):
        result = standing_trips_create()
    assert (result.created, result.failed) == (1, 1)
    assert MedicalTransfer.objects.get().standing_need == kept
    lost.refresh_from_db()
    assert lost.last_error and lost.last_error_at == at(1, 9)


def test_bad_schedules_are_refused_with_field_errors(city, community_staff, grid_worker_b):
    person = city.people_a[1]
    for values, field in (
        ({"weekdays": [0, 8]}, "weekdays"),
        ({"weekdays": [], "dates": []}, "weekdays"),
        ({"weekdays": [], "dates": ["2022-13-01"]}, "dates"),
        ({"lead_hours": 0}, "lead_hours"),
        ({"kind": "massage"}, "kind"),
        ({"active_to": MONDAY - dt.timedelta(days=1)}, "active_to"),
    ):
        with pytest.raises(ServiceError) as refused:
            _dialysis(community_staff, person, **values)
        assert field in refused.value.fields, values
    with pytest.raises(NotFound):
        _dialysis(grid_worker_b, person)
    assert StandingNeed.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sweeps_running_at_once_file_each_session_once(city, community_staff):
    if connection.vendor == "sqlite":
        pytest.skip("row-level races need PostgreSQL")
    for person in (*city.people_a, *city.people_b):
        _dialysis(make_user(f"arranger{person.pk}", role=Role.GRID_WORKER, area=city.city), person)
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def sweep() -> None:
        try:
            start.wait()
            with frozen_at(at(1, 9)):
                standing_trips_create()
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert MedicalTransfer.objects.count() == 6
