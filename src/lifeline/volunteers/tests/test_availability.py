"""The times a volunteer cannot serve: added and taken back on the phone, refused when
they make no sense, and read by the booking rules (``away_during``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from lifeline.accounts.models import Role
from lifeline.core import clock
from lifeline.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from lifeline.core.models import AuditRecord
from lifeline.testing.factories import SmallCity, make_user
from lifeline.volunteers.models import Unavailability
from lifeline.volunteers.services.availability import (
    MAX_ENTRIES,
    away_during,
    unavailability_add,
    unavailability_remove,
)
from lifeline.volunteers.tests.helpers import Duty, make_duty, volunteer
from lifeline.workorders.pages.resident import SESSION_PHONE, SESSION_UNTIL

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def duty(city: SmallCity) -> Duty:
    return make_duty(city)


def phone_client(phone: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    session = client.session
    session[SESSION_PHONE] = phone
    session[SESSION_UNTIL] = (clock.now() + HOUR).isoformat()
    session.save()
    return client


def local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_a_time_away_is_kept_and_read_by_the_booking_rule(duty):
    person = volunteer(duty, 1)
    start = duty.tomorrow
    away = unavailability_add(volunteer=person, starts_at=start, ends_at=start + 4 * HOUR)
    assert away.area_path == person.area_path
    assert away_during(person, start + HOUR, start + 2 * HOUR)
    assert away_during(person, start - HOUR, start + dt.timedelta(minutes=1))
    assert not away_during(person, start + 4 * HOUR, start + 6 * HOUR)  # ends as it starts
    assert not away_during(person, start - 2 * HOUR, start)
    assert not away_during(volunteer(duty, 2), start, start + HOUR)
    record = AuditRecord.objects.get(action="volunteers.unavailability_add")
    assert record.actor_label == "system" and record.purpose == "volunteer's own availability"


@pytest.mark.parametrize(
    ("starts", "ends", "field"),
    [
        (HOUR * 5, HOUR * 4, "ends_at"),  # ends before it starts
        (HOUR * 5, HOUR * 5, "ends_at"),  # ends as it starts
        (-HOUR, HOUR, "starts_at"),  # in the past
        (HOUR, dt.timedelta(days=61), "ends_at"),  # too far ahead
    ],
)
def test_times_that_make_no_sense_are_refused_and_nothing_is_written(duty, starts, ends, field):
    person = volunteer(duty, 1)
    now = clock.now()
    with pytest.raises(ServiceError) as refused:
        unavailability_add(volunteer=person, starts_at=now + starts, ends_at=now + ends)
    assert field in refused.value.fields
    assert not Unavailability.objects.exists()


def test_a_naive_time_or_a_long_note_is_refused(duty):
    person = volunteer(duty, 1)
    with pytest.raises(ServiceError) as naive:
        unavailability_add(
            volunteer=person, starts_at=dt.datetime(2030, 1, 1), ends_at=duty.tomorrow
        )
    assert "starts_at" in naive.value.fields
    with pytest.raises(ServiceError) as note:
        unavailability_add(
            volunteer=person, starts_at=duty.tomorrow, ends_at=duty.tomorrow + HOUR, note="x" * 101
        )
    assert "note" in note.value.fields
    assert not Unavailability.objects.exists()


def test_at_most_fifty_times_away_wait_at_once(duty):
    person = volunteer(duty, 1)
    for n in range(MAX_ENTRIES):
        start = duty.tomorrow + n * HOUR
        unavailability_add(volunteer=person, starts_at=start, ends_at=start + HOUR / 2)
    with pytest.raises(Conflict) as refused:
        unavailability_add(volunteer=person, starts_at=duty.tomorrow, ends_at=duty.tomorrow + HOUR)
    assert refused.value.code == "too_many"
    assert Unavailability.objects.count() == MAX_ENTRIES


def test_a_coordinator_of_the_area_may_add_one_and_another_may_not(duty):
    person = volunteer(duty, 1)
    start = duty.tomorrow
    unavailability_add(
        volunteer=person, starts_at=start, ends_at=start + HOUR, actor=duty.coordinator
    )
    elsewhere = make_user("coord_b", role=Role.VOLUNTEER_COORDINATOR, area=duty.city.grid_b)
    with pytest.raises((NotFound, PermissionDenied)):
        unavailability_add(volunteer=person, starts_at=start, ends_at=start + HOUR, actor=elsewhere)
    assert Unavailability.objects.count() == 1


def test_taking_one_back_and_nobody_elses(duty):
    mine, other = volunteer(duty, 1), volunteer(duty, 2)
    away = unavailability_add(volunteer=mine, starts_at=duty.tomorrow, ends_at=duty.tomorrow + HOUR)
    with pytest.raises(NotFound):
        unavailability_remove(volunteer=other, pk=away.pk)
    with pytest.raises(NotFound):
        unavailability_remove(volunteer=mine, pk="x")
    unavailability_remove(volunteer=mine, pk=away.pk)
    assert not Unavailability.objects.exists()
    assert AuditRecord.objects.filter(action="volunteers.unavailability_remove").count() == 1


def test_on_the_phone_a_volunteer_lists_adds_and_takes_back_times_away(duty):
    person = volunteer(duty, 1)
    client = phone_client(person.phone)
    empty = client.get("/volunteers/v/away/").content.decode()
    assert "None: you may be booked at any time." in empty
    start = duty.tomorrow
    added = client.post(
        "/volunteers/v/away/",
        {
            "volunteer": person.pk,
            "starts_at": local(start),
            "ends_at": local(start + 3 * HOUR),
            "note": "出差",
        },
        follow=True,
    )
    page = added.content.decode()
    assert "Noted: you will not be booked then." in page and "出差" in page
    away = Unavailability.objects.get()
    assert away.volunteer == person and away.starts_at == start
    # a stranger cannot take it back
    stranger = phone_client("13811112222")
    assert "This phone is not registered as a volunteer." in (
        stranger.get("/volunteers/v/away/").content.decode()
    )
    gone = stranger.post(f"/volunteers/v/away/{away.pk}/remove/", follow=True)
    assert "That time away was not found." in gone.content.decode()
    assert Unavailability.objects.exists()
    back = client.post(f"/volunteers/v/away/{away.pk}/remove/", follow=True).content.decode()
    assert "Taken back" in back and not Unavailability.objects.exists()


def test_on_the_phone_a_bad_time_is_shown_and_nothing_is_written(duty):
    person = volunteer(duty, 1)
    client = phone_client(person.phone)
    start = duty.tomorrow
    refused = client.post(
        "/volunteers/v/away/",
        {"volunteer": person.pk, "starts_at": local(start), "ends_at": local(start - HOUR)},
    )
    assert refused.status_code == 400
    assert "The end must come after the start." in refused.content.decode()
    other = volunteer(duty, 2)
    theirs = client.post(
        "/volunteers/v/away/",
        {"volunteer": other.pk, "starts_at": local(start), "ends_at": local(start + HOUR)},
    )
    assert theirs.status_code == 400  # not one of this phone's volunteers
    assert not Unavailability.objects.exists()
    assert Client().get("/volunteers/v/away/").status_code == 302
