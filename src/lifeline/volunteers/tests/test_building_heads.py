"""A coordinator names the building a volunteer heads (楼栋长) from a page; the task sheet
then carries the building; a building outside the volunteer's area, a volunteer not yet
approved, or a coordinator of another community is refused and nothing changes."""

from __future__ import annotations

import pytest

from lifeline.accounts.models import Role
from lifeline.api.tests.helpers import client_for
from lifeline.core.errors import ServiceError
from lifeline.core.models import AuditRecord
from lifeline.registry.models import Building
from lifeline.testing.factories import SmallCity, make_area, make_user
from lifeline.volunteers.models import Volunteer
from lifeline.volunteers.services import volunteer_building_set
from lifeline.volunteers.services.registration import volunteer_register
from lifeline.volunteers.tests.helpers import Duty, make_duty, volunteer

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture
def duty(city: SmallCity) -> Duty:
    return make_duty(city)


def grid_a_building(duty: Duty) -> Building:
    return duty.city.people_a[0].household.building


def test_the_coordinator_names_a_building_head_on_the_page(duty):
    # Given an approved volunteer and a building of grid A
    person = volunteer(duty, 1)
    building = grid_a_building(duty)
    client = client_for(duty.coordinator, **EN)
    # When the coordinator opens the page, the buildings are named with their grid
    page = client.get(f"/volunteers/people/{person.pk}/building/")
    text = page.content.decode()
    assert page.status_code == 200
    assert building.name in text and duty.city.grid_a.name in text
    assert "Building head of" in text
    # and chooses one
    done = client.post(f"/volunteers/people/{person.pk}/building/", {"building": building.pk})
    # Then the volunteer heads it, the change is audited and the sheet names it
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.building_id == building.pk
    assert AuditRecord.objects.filter(action="volunteers.volunteer_building_set").count() == 1
    assert done["Location"] == "/volunteers/"
    sheet = client.get(f"/volunteers/people/{person.pk}/sheet/").content.decode()
    assert f"Building head of {building.address}" in sheet
    listing = client.get("/volunteers/").content.decode()
    assert f"Head of {building.address}" in listing


def test_the_page_speaks_chinese(duty):
    person = volunteer(duty, 1)
    text = client_for(duty.coordinator, **ZH).get(f"/volunteers/people/{person.pk}/building/")
    assert "楼栋长" in text.content.decode()


def test_no_building_takes_the_role_away(duty):
    person = volunteer(duty, 1)
    volunteer_building_set(
        actor=duty.coordinator, volunteer=person, building_id=grid_a_building(duty).pk
    )
    client = client_for(duty.coordinator, **EN)
    client.post(f"/volunteers/people/{person.pk}/building/", {"building": ""})
    person.refresh_from_db()
    assert person.building_id is None


def test_a_building_outside_the_volunteers_area_is_refused_and_nothing_changes(duty):
    # Given a volunteer serving grid B only, and a building of grid A
    person = volunteer(duty, 1, area=duty.city.grid_b)
    client = client_for(duty.coordinator, **EN)
    page = client.post(
        f"/volunteers/people/{person.pk}/building/", {"building": grid_a_building(duty).pk}
    )
    # Then the form says so (the building is not among the choices) and nothing is written
    assert page.status_code == 400
    assert "Select a valid choice" in page.content.decode()
    person.refresh_from_db()
    assert person.building_id is None
    with pytest.raises(ServiceError):
        volunteer_building_set(
            actor=duty.coordinator, volunteer=person, building_id=grid_a_building(duty).pk
        )
    assert not AuditRecord.objects.filter(action="volunteers.volunteer_building_set").exists()


def test_a_volunteer_waiting_for_approval_cannot_head_a_building(duty):
    pending = volunteer_register(
        area=duty.city.community, name="新人", phone="13900009999", skills=[], consent=True
    )
    with pytest.raises(ServiceError) as refused:
        volunteer_building_set(
            actor=duty.coordinator, volunteer=pending, building_id=grid_a_building(duty).pk
        )
    assert "building" in refused.value.fields
    assert Volunteer.objects.get(pk=pending.pk).building_id is None


def test_a_coordinator_of_another_community_cannot_name_the_head(duty):
    person = volunteer(duty, 1)
    other = make_area(
        parent=duty.city.street, level="community", code="430211001009", name="华山路社区"
    )
    elsewhere = make_user("coord_other", role=Role.VOLUNTEER_COORDINATOR, area=other)
    client = client_for(elsewhere, **EN)
    url = f"/volunteers/people/{person.pk}/building/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"building": grid_a_building(duty).pk}).status_code == 404
    person.refresh_from_db()
    assert person.building_id is None
