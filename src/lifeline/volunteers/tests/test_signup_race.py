"""Seed scenario (1), "10 volunteers for tomorrow's testing": 500 sign-ups at once from 32
threads on PostgreSQL give exactly 10 confirmed and 490 waiting in arrival order, with no
error; a cancellation promotes the first waiting and tells them. And one volunteer
signing up for two overlapping shifts at once is booked on one only."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection, connections

from lifeline.core.errors import Conflict
from lifeline.core.models import OutboxMessage
from lifeline.testing.factories import SmallCity
from lifeline.volunteers.models import Booking, BookingStatus, Shift, Volunteer, VolunteerStatus
from lifeline.volunteers.services import booking_cancel, booking_signup
from lifeline.volunteers.tests.helpers import make_duty, shift, volunteer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PEOPLE = 500
PLACES = 10
THREADS = 32


def _at_once(jobs: list[Callable[[], Any]], threads: int) -> list[str]:
    gate = threading.Barrier(threads)

    def one(job: Callable[[], Any]) -> str:
        try:
            job()
            return "ok"
        except Conflict as refused:
            return refused.code
        except Exception as exc:  # counted: nothing else may fail
            return f"error: {exc!r}"

    def worker(part: list[Callable[[], Any]]) -> list[str]:
        gate.wait()
        try:
            return [one(job) for job in part]
        finally:
            connections.close_all()

    parts = [jobs[i::threads] for i in range(threads)]
    with ThreadPoolExecutor(threads) as pool:
        return [outcome for part in pool.map(worker, parts) for outcome in part]


def test_scenario_1_five_hundred_sign_ups_for_ten_places(city: SmallCity) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the cap under concurrency is tested on PostgreSQL")
    duty = make_duty(city)
    call = shift(duty, 0, 4, capacity=PLACES)
    now = call.created_at
    Volunteer.objects.bulk_create(
        Volunteer(
            area=city.community,
            area_path=city.community.path,
            name=f"志愿者{n}",
            phone=f"1370000{n:04d}",
            status=VolunteerStatus.ACTIVE,
            created_at=now,
        )
        for n in range(PEOPLE)
    )
    people = list(Volunteer.objects.filter(phone__startswith="1370000"))

    outcomes = _at_once(
        [lambda p=p: booking_signup(volunteer=p, shift=call) for p in people], THREADS
    )

    assert outcomes == ["ok"] * PEOPLE, sorted(set(outcomes))
    call.refresh_from_db()
    assert (call.confirmed, call.waiting, call.arrivals) == (PLACES, PEOPLE - PLACES, PEOPLE)
    rows = list(Booking.objects.filter(shift=call).order_by("position"))
    assert [b.position for b in rows] == list(range(1, PEOPLE + 1))
    assert [b.status for b in rows] == ["confirmed"] * PLACES + ["waiting"] * (PEOPLE - PLACES)
    # arrival order is the order their bookings were written in
    assert [b.pk for b in rows] == sorted(b.pk for b in rows)
    # one of the ten cancels: the first waiting (position 11) is on duty and is told
    first_waiting = rows[PLACES]
    booking_cancel(booking=rows[0])
    first_waiting.refresh_from_db()
    assert first_waiting.status == BookingStatus.CONFIRMED
    told = OutboxMessage.objects.get(recipient=first_waiting.volunteer.phone)
    assert "核酸采样点" in told.body
    assert Shift.objects.get(pk=call.pk).confirmed == PLACES


def test_one_volunteer_on_two_overlapping_shifts_at_once_gets_one(city: SmallCity) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the volunteer's lock is tested on PostgreSQL")
    duty = make_duty(city)
    person = volunteer(duty, 1)
    shifts = [shift(duty, 0, 4, capacity=5), shift(duty, 2, 4, capacity=5)]
    for _round in range(5):
        outcomes = _at_once(
            [lambda s=s: booking_signup(volunteer=person, shift=s) for s in shifts], 2
        )
        assert sorted(outcomes) == ["limits", "ok"], outcomes
        live = Booking.objects.filter(volunteer=person, status=BookingStatus.CONFIRMED)
        assert live.count() == 1
        booking_cancel(booking=live.get())
