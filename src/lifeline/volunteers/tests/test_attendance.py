"""Seed scenario (3): a volunteer's 7:30-22:00 day credits 14.5 hours from check-in and
check-out; checking in at another post, twice, or out before in is refused."""

from __future__ import annotations

import datetime as dt

import pytest

from lifeline.core.errors import Conflict
from lifeline.testing.factories import SmallCity
from lifeline.volunteers.models import Booking, PostKind, Volunteer
from lifeline.volunteers.services import (
    booking_check_in,
    booking_check_out,
    booking_signup,
    post_create,
)
from lifeline.volunteers.tests.helpers import HOUR, make_duty, shift, volunteer

pytestmark = pytest.mark.django_db


def test_scenario_3_a_day_from_7_30_to_22_00_credits_fourteen_and_a_half_hours(city: SmallCity):
    duty = make_duty(city)
    person = volunteer(duty, 1, max_day_hours=16)
    day = shift(duty, 0, 14.5)  # 07:30-22:00
    booking = booking_signup(volunteer=person, shift=day)
    elsewhere = post_create(
        actor=duty.coordinator, area=city.community, name="东门卡口", kind=PostKind.CHECKPOINT
    )
    with pytest.raises(Conflict) as refused:
        booking_check_out(booking=booking, now=day.starts_at + HOUR)
    assert refused.value.code == "not_checked_in"
    with pytest.raises(Conflict) as refused:
        booking_check_in(booking=booking, post_id=elsewhere.pk, now=day.starts_at)
    assert refused.value.code == "other_post"
    assert Booking.objects.get(pk=booking.pk).checked_in_at is None

    booking_check_in(
        booking=booking, post_id=day.post_id, now=day.starts_at - dt.timedelta(minutes=5)
    )
    with pytest.raises(Conflict) as refused:
        booking_check_in(booking=booking, post_id=day.post_id, now=day.starts_at + HOUR)
    assert refused.value.code == "checked_in"
    done = booking_check_out(booking=booking, now=day.ends_at)

    assert done.minutes_credited == 14.5 * 60
    assert Volunteer.objects.get(pk=person.pk).minutes_credited == 870


def test_a_late_check_out_credits_no_more_than_the_shift(city: SmallCity):
    duty = make_duty(city)
    day = shift(duty, 0, 4)
    booking = booking_signup(volunteer=volunteer(duty, 1), shift=day)
    booking_check_in(booking=booking, post_id=day.post_id, now=day.starts_at + HOUR)
    done = booking_check_out(booking=booking, now=day.ends_at + 5 * HOUR)
    assert done.minutes_credited == 3 * 60
    with pytest.raises(Conflict):
        booking_check_out(booking=booking, now=day.ends_at + 6 * HOUR)
