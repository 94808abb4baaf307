"""The volunteers API: creates replayed by Idempotency-Key, bad input refused with a clear
message and nothing written, the sign-up flow with live counts, and another community's
coordinator kept out."""

from __future__ import annotations

import datetime as dt

import pytest

from lifeline.api.tests.helpers import assert_error
from lifeline.core import clock
from lifeline.testing.factories import SmallCity
from lifeline.volunteers.models import Booking, BookingStatus, Post, Shift, Volunteer
from lifeline.volunteers.services import booking_signup, post_create, shift_create
from lifeline.volunteers.tests.api_helpers import API, english, other_coordinator, post
from lifeline.volunteers.tests.helpers import HOUR, make_duty, shift, volunteer

pytestmark = pytest.mark.django_db


def _shift_body(duty, start: dt.datetime, end: dt.datetime, capacity: int = 2) -> dict:
    return {
        "post_id": duty.post.pk,
        "starts_at": start.isoformat(),
        "ends_at": end.isoformat(),
        "capacity": capacity,
        "open_call": True,
    }


def test_volunteer_create_answers_a_masked_phone_and_a_retry_creates_nothing(city: SmallCity):
    # given a coordinator of the community
    duty = make_duty(city)
    client = english(duty.coordinator)
    body = {"area_id": city.community.pk, "name": "李四", "phone": "13912345678"}
    # when the create is sent twice with one key
    first = post(client, f"{API}/people", body, key="vol-1")
    again = post(client, f"{API}/people", body, key="vol-1")
    # then one volunteer, active, the phone masked in both answers
    assert first.status_code == 201, first.content
    assert (again.status_code, again.json()) == (201, first.json())
    assert first.json()["phone"] == "139****5678" and first.json()["status"] == "active"
    assert "13912345678" not in first.content.decode()
    assert Volunteer.objects.filter(name="李四").count() == 1
    # and the list shows the same masked phone
    listed = english(duty.coordinator).get(f"{API}/people").json()
    assert [v["phone"] for v in listed["items"]] == ["139****5678"]


def test_duplicate_phone_in_one_area_is_a_conflict(city: SmallCity):
    duty = make_duty(city)
    volunteer(duty, 1)
    body = {"area_id": city.community.pk, "name": "重复", "phone": "13900000001"}
    error = assert_error(post(english(duty.coordinator), f"{API}/people", body), 409, "duplicate")
    assert "already registered" in error["message"]


def test_a_shift_ending_before_it_starts_is_refused_and_nothing_written(city: SmallCity):
    duty = make_duty(city)
    start = duty.tomorrow
    response = post(
        english(duty.coordinator), f"{API}/shifts", _shift_body(duty, start, start - HOUR)
    )
    error = assert_error(response, 400)
    assert error["fields"]["ends_at"] == ["A shift must end after it starts."]
    assert not Shift.objects.exists()


def test_a_negative_head_count_is_refused_on_create_and_on_change(city: SmallCity):
    duty = make_duty(city)
    client = english(duty.coordinator)
    start = duty.tomorrow
    refused = post(client, f"{API}/shifts", _shift_body(duty, start, start + HOUR, capacity=-3))
    assert assert_error(refused, 400)["fields"]["capacity"] == ["Between 1 and 1,000 people."]
    assert not Shift.objects.exists()
    # and on an existing shift the head count stays as it was
    one = shift(duty, 0, 4, capacity=3)
    changed = post(client, f"{API}/shifts/{one.pk}/capacity", {"capacity": -1})
    assert assert_error(changed, 400)["fields"]["capacity"] == ["Between 0 and 1,000 people."]
    assert Shift.objects.get(pk=one.pk).capacity == 3


def test_times_without_an_offset_are_read_in_the_city_time_zone(city: SmallCity):
    duty = make_duty(city)
    day = (clock.today() + dt.timedelta(days=2)).isoformat()
    body = {**_shift_body(duty, duty.tomorrow, duty.tomorrow + HOUR)}
    body.update(starts_at=f"{day}T08:00:00", ends_at=f"{day}T12:00:00")
    created = post(english(duty.coordinator), f"{API}/shifts", body)
    assert created.status_code == 201, created.content
    assert created.json()["starts_at"].endswith("+08:00") or created.json()["starts_at"].endswith(
        "00:00:00Z"
    )
    assert Shift.objects.get().minutes == 240


def test_sign_up_fills_places_then_the_waiting_list_and_twice_is_a_conflict(city: SmallCity):
    # given a shift for two and three volunteers
    duty = make_duty(city)
    one = shift(duty, 0, 4, capacity=2)
    people = [volunteer(duty, n) for n in (1, 2, 3)]
    client = english(duty.coordinator)
    url = f"{API}/shifts/{one.pk}/bookings"
    # when the coordinator books all three
    answers = [post(client, url, {"volunteer_id": p.pk}, key=f"b{p.pk}") for p in people]
    # then two are confirmed and the third waits, and the live counts say so
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert [a.json()["status"] for a in answers] == ["confirmed", "confirmed", "waiting"]
    listed = client.get(f"{API}/shifts").json()["items"]
    assert [(s["confirmed"], s["waiting"], s["capacity"], s["free"]) for s in listed] == [
        (2, 1, 2, 0)
    ]
    roll = client.get(f"{API}/shifts/{one.pk}/roll").json()
    assert roll["bookings"][0]["phone"] == "139****0001"
    # and booking the first again (another key) is refused, writing nothing
    again = post(client, url, {"volunteer_id": people[0].pk}, key="again")
    error = assert_error(again, 409, "already_booked")
    assert error["message"] == "You are already on this list."
    assert Booking.objects.filter(shift=one).count() == 3


def test_cancel_promotes_the_first_waiting(city: SmallCity):
    duty = make_duty(city)
    one = shift(duty, 0, 4, capacity=1)
    first = booking_signup(volunteer=volunteer(duty, 1), shift=one)
    second = booking_signup(volunteer=volunteer(duty, 2), shift=one)
    client = english(duty.coordinator)
    cancelled = post(client, f"{API}/bookings/{first.pk}/cancel", {"reason": "生病"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert Booking.objects.get(pk=second.pk).status == BookingStatus.CONFIRMED
    # a second cancel is refused
    assert_error(post(client, f"{API}/bookings/{first.pk}/cancel", {}), 409, "cancelled")


def test_check_in_at_another_post_is_refused_then_in_and_out_credit_minutes(city: SmallCity):
    # given a booking on a shift starting in half an hour
    duty = make_duty(city)
    start = clock.now() + HOUR / 2
    one = shift_create(
        actor=duty.coordinator,
        post=duty.post,
        starts_at=start,
        ends_at=start + 2 * HOUR,
        capacity=2,
        open_call=True,
    )
    booking = booking_signup(volunteer=volunteer(duty, 1), shift=one)
    elsewhere = post_create(
        actor=duty.coordinator, area=city.community, name="西门卡口", kind="checkpoint"
    )
    client = english(duty.coordinator)
    url = f"{API}/bookings/{booking.pk}"
    # when checked in at another post: refused, nothing written
    refused = post(client, f"{url}/check-in", {"post_id": elsewhere.pk})
    assert assert_error(refused, 409, "other_post")["message"] == (
        "This is not the post of your shift."
    )
    assert Booking.objects.get(pk=booking.pk).checked_in_at is None
    # then in at the right post, and out after an hour of duty
    assert post(client, f"{url}/check-in", {"post_id": duty.post.pk}).status_code == 200
    with clock.frozen_at(start + HOUR):
        out = post(client, f"{url}/check-out", {})
    assert out.status_code == 200 and out.json()["minutes_credited"] == 60
    assert Volunteer.objects.get(pk=booking.volunteer_id).minutes_credited == 60


def test_approve_and_suspend(city: SmallCity):
    duty = make_duty(city)
    person = volunteer(duty, 1)
    client = english(duty.coordinator)
    suspended = post(client, f"{API}/people/{person.pk}/approve", {"approve": False})
    assert suspended.json()["status"] == "suspended"
    assert post(client, f"{API}/people/{person.pk}/approve", {}).json()["status"] == "active"


def test_groups_and_posts_are_created_once_and_listed(city: SmallCity):
    duty = make_duty(city)
    client = english(duty.coordinator)
    group = post(
        client, f"{API}/groups", {"area_id": city.community.pk, "name": "巡逻组", "kind": "patrol"}
    )
    assert group.status_code == 201
    body = {
        "area_id": city.grid_a.pk,
        "name": "南门",
        "kind": "checkpoint",
        "group_id": group.json()["id"],
    }
    made = post(client, f"{API}/posts", body, key="p1")
    assert (made.status_code, made.json()["group_name"]) == (201, "巡逻组")
    assert post(client, f"{API}/posts", body, key="p1").json() == made.json()
    assert Post.objects.filter(name="南门").count() == 1
    listed = client.get(f"{API}/posts", {"group_id": group.json()["id"]}).json()
    assert [p["name"] for p in listed["items"]] == ["南门"]
    unknown = post(client, f"{API}/groups", {"area_id": city.grid_a.pk, "name": "x", "kind": "?"})
    assert assert_error(unknown, 400)["fields"]["kind"] == ["Unknown kind of task group."]


def test_shift_list_window_must_run_forward(city: SmallCity):
    duty = make_duty(city)
    since = duty.tomorrow.isoformat()
    until = (duty.tomorrow - HOUR).isoformat()
    response = english(duty.coordinator).get(f"{API}/shifts", {"since": since, "until": until})
    assert "until" in assert_error(response, 400)["fields"]


def test_a_coordinator_of_another_community_is_kept_out(city: SmallCity):
    # given a shift with a booking in the community, and a neighbour's coordinator
    duty = make_duty(city)
    one = shift(duty, 0, 4)
    person = volunteer(duty, 1)
    booking = booking_signup(volunteer=person, shift=one)
    client = english(other_coordinator(city))
    # then they see none of it and change nothing
    assert client.get(f"{API}/people").json()["count"] == 0
    assert client.get(f"{API}/shifts").json()["count"] == 0
    assert_error(client.get(f"{API}/shifts/{one.pk}/roll"), 404)
    assert_error(post(client, f"{API}/shifts/{one.pk}/capacity", {"capacity": 1}), 404)
    assert_error(post(client, f"{API}/shifts/{one.pk}/bookings", {"volunteer_id": person.pk}), 404)
    assert_error(post(client, f"{API}/bookings/{booking.pk}/cancel", {}), 404)
    assert_error(
        post(client, f"{API}/bookings/{booking.pk}/check-in", {"post_id": duty.post.pk}), 404
    )
    body = {"area_id": city.community.pk, "name": "外来", "phone": "13911112222"}
    assert_error(post(client, f"{API}/people", body), 404)
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED
    assert Shift.objects.get(pk=one.pk).capacity == 10
    assert not Volunteer.objects.filter(name="外来").exists()


def test_a_grid_worker_may_not_book_or_check_in(city: SmallCity, grid_worker_a):
    duty = make_duty(city)
    one = shift(duty, 0, 4)
    booking = booking_signup(volunteer=volunteer(duty, 1), shift=one)
    client = english(grid_worker_a)
    assert client.get(f"{API}/shifts/{one.pk}/roll").status_code in (403, 404)
    refused = post(client, f"{API}/bookings/{booking.pk}/check-out", {})
    assert refused.status_code in (403, 404)
