"""The duty clock: a confirmed volunteer not checked in half an hour after the start is a
no-show, flagged once, and the post's nearest coordinators are texted once per shift; each
confirmed volunteer gets one reminder about 12 hours ahead. Run twice, or from many
workers at once, nothing is flagged or sent twice."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from lifeline.accounts.models import Role, User
from lifeline.core.models import AuditRecord, OutboxMessage
from lifeline.core.periodic import run_periodic_sweeps
from lifeline.testing.factories import SmallCity, make_user
from lifeline.volunteers.models import Booking, Shift
from lifeline.volunteers.services import booking_cancel, booking_check_in, booking_signup
from lifeline.volunteers.services.duty_sweep import coordinator_phones, run_periodic
from lifeline.volunteers.tests.helpers import HOUR, Duty, make_duty, shift, volunteer

pytestmark = pytest.mark.django_db

MINUTE = dt.timedelta(minutes=1)
COORDINATOR_PHONE = "13700001111"


@pytest.fixture
def duty(city: SmallCity) -> Duty:
    made = make_duty(city)
    User.objects.filter(pk=made.coordinator.pk).update(phone=COORDINATOR_PHONE)
    return made


def _texts(phone: str) -> list[str]:
    return list(OutboxMessage.objects.filter(recipient=phone).values_list("body", flat=True))


def _signed_up(duty: Duty, day: Shift, *numbers: int) -> list[Booking]:
    return [booking_signup(volunteer=volunteer(duty, n), shift=day) for n in numbers]


def test_a_no_show_is_flagged_once_and_the_coordinator_told_once(duty):
    # given two confirmed volunteers, one of whom checks in
    day = shift(duty, 0, 4)
    came, missed = _signed_up(duty, day, 1, 2)
    booking_check_in(booking=came, post_id=day.post_id, now=day.starts_at + 10 * MINUTE)

    # when the clock runs before the grace, then after it, twice
    early = run_periodic(now=day.starts_at + 29 * MINUTE)
    told_early = _texts(COORDINATOR_PHONE)
    first = run_periodic(now=day.starts_at + 31 * MINUTE)
    again = run_periodic(now=day.starts_at + 45 * MINUTE)

    # then only the one who did not come is flagged, once, and the coordinator told once
    assert early["volunteer_no_shows"] == 0 and not told_early
    assert (first["volunteer_no_shows"], first["volunteer_no_show_alerts"]) == (1, 1)
    assert (again["volunteer_no_shows"], again["volunteer_no_show_alerts"]) == (0, 0)
    assert not Booking.objects.get(pk=came.pk).no_show
    assert Booking.objects.get(pk=missed.pk).no_show
    [text] = _texts(COORDINATOR_PHONE)
    assert "志愿者2" in text and "志愿者1" not in text
    assert f"/volunteers/shifts/{day.pk}/" in text
    assert AuditRecord.objects.filter(action="volunteers.no_show").count() == 1


def test_a_later_no_show_of_the_same_shift_is_flagged_but_not_told_again(duty):
    # given a shift whose coordinator was told of one no-show
    day = shift(duty, 0, 4)
    (first,) = _signed_up(duty, day, 1)
    run_periodic(now=day.starts_at + 31 * MINUTE)
    # when someone else is confirmed afterwards and does not come either
    (late,) = _signed_up(duty, day, 2)
    result = run_periodic(now=day.starts_at + 40 * MINUTE)
    # then they are flagged, and the coordinator is not texted a second time
    assert (result["volunteer_no_shows"], result["volunteer_no_show_alerts"]) == (1, 0)
    assert Booking.objects.filter(pk__in=[first.pk, late.pk], no_show=True).count() == 2
    assert len(_texts(COORDINATOR_PHONE)) == 1


def test_a_late_check_in_clears_the_flag_and_it_is_not_set_again(duty):
    day = shift(duty, 0, 4)
    (booking,) = _signed_up(duty, day, 1)
    run_periodic(now=day.starts_at + 31 * MINUTE)
    booking_check_in(booking=booking, post_id=day.post_id, now=day.starts_at + HOUR)
    result = run_periodic(now=day.starts_at + 2 * HOUR)
    assert result["volunteer_no_shows"] == 0
    assert not Booking.objects.get(pk=booking.pk).no_show


def test_waiting_cancelled_and_long_past_bookings_are_not_no_shows(duty):
    # given a full shift with one waiting, and a cancelled booking
    day = shift(duty, 0, 4, capacity=1)
    kept, _waiting = _signed_up(duty, day, 1, 2)
    (gone,) = _signed_up(duty, shift(duty, 5, 2), 3)
    booking_cancel(booking=gone)
    # when the clock first runs two days later, then at the right time
    stale = run_periodic(now=day.starts_at + 2 * 24 * HOUR)
    result = run_periodic(now=day.starts_at + 6 * HOUR)
    # then a shift past the lookback is left alone; only the confirmed one is flagged
    assert stale["volunteer_no_shows"] == 0
    assert result["volunteer_no_shows"] == 1
    assert list(Booking.objects.filter(no_show=True).values_list("pk", flat=True)) == [kept.pk]


def test_the_nearest_coordinators_are_told_and_not_other_areas(duty):
    city = duty.city
    district = make_user("vol_district", role=Role.DISTRICT_STAFF, area=city.district)
    elsewhere = make_user("vol_coord_b", role=Role.VOLUNTEER_COORDINATOR, area=city.grid_b)
    staff = make_user("vol_staff", role=Role.COMMUNITY_STAFF, area=city.community)
    for user, phone in ((district, "13700002222"), (elsewhere, "13700003333")):
        User.objects.filter(pk=user.pk).update(phone=phone)
    User.objects.filter(pk=staff.pk).update(phone="13700004444")

    assert coordinator_phones(duty.post.area_path) == [COORDINATOR_PHONE]
    User.objects.filter(pk=duty.coordinator.pk).update(is_active=False)
    # without a volunteer coordinator, the nearest who manage volunteers (community staff)
    assert coordinator_phones(duty.post.area_path) == ["13700004444"]
    User.objects.filter(pk=staff.pk).update(phone="")
    assert coordinator_phones(duty.post.area_path) == []


def test_a_reminder_goes_to_each_confirmed_volunteer_once_about_12_hours_ahead(duty):
    # given a shift at a post with an address: two confirmed (one allows no texts), one waiting
    duty.post.address = "泰山路1号"
    duty.post.save(update_fields=["address"])
    day = shift(duty, 0, 4, capacity=2)
    booking_signup(volunteer=volunteer(duty, 1), shift=day)
    booking_signup(volunteer=volunteer(duty, 2, sms_ok=False), shift=day)
    booking_signup(volunteer=volunteer(duty, 3), shift=day)

    # when the clock runs 13 hours ahead, then 12, then again
    too_soon = run_periodic(now=day.starts_at - 13 * HOUR)
    due = run_periodic(now=day.starts_at - 12 * HOUR)
    again = run_periodic(now=day.starts_at - 11 * HOUR)

    # then the two confirmed are reminded once; only the one who allows texts gets one
    assert too_soon["volunteer_reminders"] == 0
    assert (due["volunteer_reminders"], again["volunteer_reminders"]) == (2, 0)
    [text] = _texts("13900000001")
    assert "泰山路1号" in text and "核酸采样点" in text
    assert not _texts("13900000002") and not _texts("13900000003")


def test_no_reminder_for_a_cancelled_booking_or_a_shift_about_to_start(duty):
    day = shift(duty, 0, 4)
    soon = shift(duty, 6, 2)
    (cancelled,) = _signed_up(duty, day, 1)
    booking_cancel(booking=cancelled)
    booking_signup(volunteer=volunteer(duty, 2), shift=soon)
    result = run_periodic(now=soon.starts_at - 30 * MINUTE)
    assert result["volunteer_reminders"] == 0
    assert not _texts("13900000001") and not _texts("13900000002")


def test_the_worker_runs_the_duty_clock_from_its_list_of_sweeps(duty, settings):
    settings.LIFELINE_PERIODIC_SWEEPS = ["lifeline.volunteers.tasks.run_periodic"]
    day = shift(duty, 0, 4)
    _signed_up(duty, day, 1)
    results = run_periodic_sweeps(now=day.starts_at + HOUR)
    assert results == {
        "lifeline.volunteers.tasks.run_periodic": {
            "volunteer_no_shows": 1,
            "volunteer_no_show_alerts": 1,
            "volunteer_reminders": 0,
        }
    }


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_workers_at_once_flag_and_text_once(city: SmallCity) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("workers at once are tested on PostgreSQL")
    duty = make_duty(city)
    User.objects.filter(pk=duty.coordinator.pk).update(phone=COORDINATOR_PHONE)
    day = shift(duty, 0, 4)
    later = shift(duty, 12, 2)
    _signed_up(duty, day, *range(1, 6))
    _signed_up(duty, later, *range(6, 9))
    workers = 8
    gate = threading.Barrier(workers)

    def beat(moment: dt.datetime) -> dict[str, int]:
        gate.wait()
        try:
            return run_periodic(now=moment)
        finally:
            connections.close_all()

    # the no-shows of the first shift and the reminders of the second fall due together
    moment = day.starts_at + 31 * MINUTE
    assert later.starts_at - moment <= 12 * HOUR
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(beat, [moment] * workers))

    assert sum(r["volunteer_no_shows"] for r in results) == 5
    assert sum(r["volunteer_no_show_alerts"] for r in results) == 1
    assert sum(r["volunteer_reminders"] for r in results) == 3
    assert len(_texts(COORDINATOR_PHONE)) == 1
    assert OutboxMessage.objects.filter(body__contains="核酸采样点").count() == 1 + 3
