"""A volunteer's task sheet for a day: the coordinator's printable page and the
volunteer's own on the phone; a building head's neighbours masked, never shown to a
coordinator of another community."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from lifeline.accounts.models import Role
from lifeline.api.tests.helpers import client_for
from lifeline.core import clock
from lifeline.testing.factories import SmallCity, make_area, make_user
from lifeline.volunteers.models import Volunteer
from lifeline.volunteers.services import booking_signup
from lifeline.volunteers.services.registration import volunteer_register
from lifeline.volunteers.tests.helpers import Duty, make_duty, shift, volunteer
from lifeline.workorders.pages.resident import SESSION_PHONE, SESSION_UNTIL

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def duty(city: SmallCity) -> Duty:
    return make_duty(city)


def phone_client(phone: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    session = client.session
    session[SESSION_PHONE] = phone
    session[SESSION_UNTIL] = (clock.now() + dt.timedelta(hours=1)).isoformat()
    session.save()
    return client


def building_head(duty: Duty, n: int = 1) -> Volunteer:
    """A volunteer on tomorrow's first shift, head of the building of grid A's residents."""
    person = volunteer(duty, n)
    building = duty.city.people_a[0].household.building
    Volunteer.objects.filter(pk=person.pk).update(building=building)
    booking_signup(volunteer=person, shift=shift(duty, 0, 4))
    person.refresh_from_db()
    return person


def tomorrow(duty: Duty) -> str:
    return timezone.localtime(duty.tomorrow).date().isoformat()


def test_the_coordinator_prints_a_volunteers_day(duty):
    person = building_head(duty)
    page = client_for(duty.coordinator, **EN).get(
        f"/volunteers/people/{person.pk}/sheet/?day={tomorrow(duty)}"
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "Task sheet of 志愿者1" in text
    assert "核酸采样点" in text and "07:30–11:30" in text and "not yet" in text
    assert "supplies/donations-print.css" in text and "data-print" in text
    # a volunteer coordinator may not see the registry: the neighbours are left out
    assert 'data-testid="neighbours-hidden"' in text
    assert "第一网格居民0" not in text and "第*****0" not in text


def test_community_staff_see_the_building_heads_neighbours_masked(duty, community_staff):
    person = building_head(duty)
    text = (
        client_for(community_staff, **EN)
        .get(f"/volunteers/people/{person.pk}/sheet/?day={tomorrow(duty)}")
        .content.decode()
    )
    assert "Elderly, living alone: 1" in text
    assert "第*****0" in text and "101" in text  # masked name and room
    assert "第一网格居民0" not in text
    assert duty.city.people_a[0].phone not in text


def test_another_day_shows_no_shifts_and_a_bad_day_is_refused(duty):
    person = building_head(duty)
    client = client_for(duty.coordinator, **EN)
    today = client.get(f"/volunteers/people/{person.pk}/sheet/").content.decode()
    assert "No shifts this day." in today
    bad = client.get(f"/volunteers/people/{person.pk}/sheet/?day=2026-13-40")
    assert bad.status_code == 400 and "Give the day as YYYY-MM-DD." in bad.content.decode()


def test_a_coordinator_of_another_community_cannot_see_the_sheet(duty):
    person = building_head(duty)
    other = make_area(
        parent=duty.city.street, level="community", code="430211001009", name="华山路社区"
    )
    elsewhere = make_user("coord_other", role=Role.VOLUNTEER_COORDINATOR, area=other)
    page = client_for(elsewhere, **EN).get(f"/volunteers/people/{person.pk}/sheet/")
    assert page.status_code == 404
    assert "志愿者1" not in page.content.decode()
    grid_worker = make_user("grid_a_worker", role=Role.GRID_WORKER, area=duty.city.grid_a)
    assert client_for(grid_worker).get(f"/volunteers/people/{person.pk}/sheet/").status_code == 404
    assert Client().get(f"/volunteers/people/{person.pk}/sheet/").status_code == 302


def test_on_the_phone_a_building_head_sees_the_day_with_counts_and_masked_names(duty):
    person = building_head(duty)
    client = phone_client(person.phone)
    text = client.get(f"/volunteers/v/sheet/?day={tomorrow(duty)}").content.decode()
    assert "核酸采样点" in text and "07:30–11:30" in text
    assert "Building head of" in text and "Elderly, living alone: 1" in text
    assert "第*****0" in text and "101" in text
    assert "第一网格居民0" not in text
    for resident in duty.city.people_a:
        assert resident.phone not in text
    assert "No shifts this day." in client.get("/volunteers/v/sheet/").content.decode()
    assert client.get("/volunteers/v/sheet/?day=someday").status_code == 400


def test_on_the_phone_a_volunteer_waiting_for_approval_sees_no_neighbours(duty):
    building = duty.city.people_a[0].household.building
    person = volunteer_register(
        phone="13812345678", area=duty.city.community, name="李四", consent=True
    )
    Volunteer.objects.filter(pk=person.pk).update(building=building)
    text = phone_client(person.phone).get("/volunteers/v/sheet/").content.decode()
    assert "waiting for the coordinator" in text
    assert "第*****0" not in text and "Building head of" not in text
    stranger = phone_client("13811112222").get("/volunteers/v/sheet/").content.decode()
    assert "Register as a volunteer" in stranger
    assert Client().get("/volunteers/v/sheet/").status_code == 302
