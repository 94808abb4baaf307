"""The coordinator's pages and the volunteer's phone pages: what each person sees and
does, refusals shown as translated messages, nothing written by bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from lifeline.accounts.models import Role
from lifeline.api.tests.helpers import client_for
from lifeline.core import clock
from lifeline.testing.factories import SmallCity, make_user
from lifeline.volunteers.models import Booking, Post, Shift, Volunteer
from lifeline.volunteers.services import booking_signup
from lifeline.volunteers.tests.helpers import Duty, make_duty, shift, volunteer
from lifeline.workorders.pages.resident import SESSION_PHONE, SESSION_UNTIL

pytestmark = pytest.mark.django_db


@pytest.fixture
def duty(city: SmallCity) -> Duty:
    return make_duty(city)


def phone_client(phone: str) -> Client:
    client = Client()
    session = client.session
    session[SESSION_PHONE] = phone
    session[SESSION_UNTIL] = (clock.now() + dt.timedelta(hours=1)).isoformat()
    session.save()
    return client


def test_a_coordinator_opens_a_call_and_sees_the_roll_with_masked_phones(duty):
    client = client_for(duty.coordinator)
    home = client.get("/volunteers/")
    assert home.status_code == 200 and "核酸采样点" in home.content.decode()
    day = (timezone.localdate(clock.now()) + dt.timedelta(days=1)).isoformat()
    made = client.post(
        "/volunteers/calls/new/",
        {
            "post": duty.post.pk,
            "day": day,
            "start": "07:30",
            "end": "12:00",
            "capacity": 2,
            "open_call": "on",
        },
    )
    call = Shift.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/volunteers/shifts/{call.pk}/"
    for n in range(1, 4):
        booking_signup(volunteer=volunteer(duty, n), shift=call)
    page = client.get(f"/volunteers/shifts/{call.pk}/").content.decode()
    assert "在岗 2 / 2 人，候补 1 人" in page
    assert "139****0001" in page and "13900000001" not in page
    assert f"/volunteers/v/calls/{call.pk}/" in page  # the link to share


def test_a_bad_call_is_refused_on_the_form_and_writes_nothing(duty):
    client = client_for(duty.coordinator)
    day = (timezone.localdate(clock.now()) + dt.timedelta(days=1)).isoformat()
    refused = client.post(
        "/volunteers/calls/new/",
        {"post": duty.post.pk, "day": day, "start": "07:30", "end": "07:30", "capacity": -3},
    )
    assert refused.status_code == 400
    assert not Shift.objects.exists()
    page = refused.content.decode()
    assert "确保该值大于或等于1" in page  # the head count, in the form's own words


def test_other_roles_and_other_areas_get_nothing(duty):
    worker = make_user("vol_grid_worker", role=Role.GRID_WORKER, area=duty.city.grid_a)
    assert client_for(worker).get("/volunteers/").status_code == 404
    elsewhere = make_user("vol_coord_x", role=Role.VOLUNTEER_COORDINATOR, area=duty.city.grid_b)
    call = shift(duty, 0, 4)
    assert client_for(elsewhere).get(f"/volunteers/shifts/{call.pk}/").status_code == 404
    assert (
        client_for(elsewhere)
        .post(f"/volunteers/shifts/{call.pk}/capacity/", {"capacity": "1"})
        .status_code
        == 404
    )


def test_a_volunteer_signs_up_on_the_phone_waits_when_full_and_checks_in(duty):
    first, second = volunteer(duty, 1), volunteer(duty, 2)
    call = shift(duty, 0, 4, capacity=1)
    one = phone_client(first.phone)
    page = one.get("/volunteers/v/").content.decode()
    assert "核酸采样点" in page and "已报名 0 / 1 人，候补 0 人" in page
    done = one.post("/volunteers/v/act/signup/", {"shift": call.pk}, follow=True)
    assert "您已报名成功" in done.content.decode()
    two = phone_client(second.phone)
    waiting = two.post(
        "/volunteers/v/act/signup/", {"shift": call.pk, "from": "call"}, follow=True
    ).content.decode()
    assert Booking.objects.get(volunteer=second).status == "waiting"
    assert "名额已满：您是候补第 1 位。" in waiting and "您在候补名单上" in waiting
    again = two.post("/volunteers/v/act/signup/", {"shift": call.pk}, follow=True)
    assert "您已在此接龙名单上" in again.content.decode()
    assert Booking.objects.filter(volunteer=second).count() == 1
    # someone else's booking is not theirs to cancel
    mine = Booking.objects.get(volunteer=first)
    two.post("/volunteers/v/act/cancel/", {"booking": mine.pk})
    assert Booking.objects.get(pk=mine.pk).status == "confirmed"


def test_the_shared_link_asks_a_stranger_to_prove_the_phone_and_comes_back(duty):
    call = shift(duty, 0, 4, capacity=3)
    page = Client().get(f"/volunteers/v/calls/{call.pk}/").content.decode()
    assert "/r/?next=%2Fvolunteers%2Fv%2Fcalls%2F" in page
    start = Client()
    start.get(f"/r/?next=/volunteers/v/calls/{call.pk}/")
    assert start.session.get("resident_next") == f"/volunteers/v/calls/{call.pk}/"
    outside = Client()
    outside.get("/r/?next=https://evil.example/")
    assert "resident_next" not in outside.session
    stranger = phone_client("13811112222")
    text = stranger.get(f"/volunteers/v/calls/{call.pk}/").content.decode()
    assert "此手机号未登记为志愿者" in text


def test_the_coordinators_home_lists_pending_volunteers_to_approve(duty):
    person = volunteer(duty, 7)
    Volunteer.objects.filter(pk=person.pk).update(status="pending")
    client = client_for(duty.coordinator)
    assert "批准" in client.get("/volunteers/").content.decode()
    client.post(f"/volunteers/people/{person.pk}/approve/")
    assert Volunteer.objects.get(pk=person.pk).status == "active"
    assert Post.objects.count() == 1


def test_a_night_shift_ending_the_next_morning_and_a_shift_ending_before_it_starts(duty):
    client = client_for(duty.coordinator)
    day = (timezone.localdate(clock.now()) + dt.timedelta(days=1)).isoformat()
    base = {"post": duty.post.pk, "day": day, "capacity": 2}
    same = client.post("/volunteers/calls/new/", {**base, "start": "08:00", "end": "08:00"})
    assert same.status_code == 400 and "班次的结束时间必须晚于开始时间" in same.content.decode()
    assert not Shift.objects.exists()
    night = client.post("/volunteers/calls/new/", {**base, "start": "22:00", "end": "06:00"})
    assert night.status_code == 302
    made = Shift.objects.get()
    assert made.minutes == 8 * 60
