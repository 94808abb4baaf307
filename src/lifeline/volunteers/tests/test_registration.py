"""A resident registers as a volunteer on their phone: waiting for approval, consent kept,
once per phone and community, bad input refused with nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import translation

from lifeline.core import clock
from lifeline.core.errors import Conflict, ServiceError
from lifeline.core.models import AuditRecord
from lifeline.testing.factories import SmallCity, make_area
from lifeline.volunteers.models import Volunteer, VolunteerStatus
from lifeline.volunteers.services import volunteer_approve
from lifeline.volunteers.services.registration import (
    MAX_PENDING,
    communities_to_join,
    volunteer_register,
)
from lifeline.volunteers.tests.helpers import make_duty
from lifeline.workorders.pages.resident import SESSION_PHONE, SESSION_UNTIL

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


def phone_client(phone: str = PHONE) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    session = client.session
    session[SESSION_PHONE] = phone
    session[SESSION_UNTIL] = (clock.now() + dt.timedelta(hours=1)).isoformat()
    session.save()
    return client


def form(city: SmallCity, **more: object) -> dict[str, object]:
    return {
        "area": city.community.pk,
        "name": "李四",
        "skills": ["driver", "medical"],
        "org_kind": "enterprise",
        "org_name": "株洲电力",
        "max_day_hours": 8,
        "max_week_hours": 30,
        "sms_ok": "on",
        "consent": "on",
        **more,
    }


def test_a_resident_registers_on_the_phone_and_waits_for_approval(city):
    # given a proven phone
    client = phone_client()
    # when they open the page and register
    page = client.get("/volunteers/v/register/").content.decode()
    assert "嵩山路街道 · 泰山路社区" in page  # the street and the community to choose
    done = client.post("/volunteers/v/register/", form(city), follow=True)
    # then a pending volunteer with their consent, and their duty page says they wait
    volunteer = Volunteer.objects.get()
    assert volunteer.status == VolunteerStatus.PENDING
    assert volunteer.phone == PHONE and volunteer.area == city.community
    assert volunteer.skills == ["driver", "medical"] and volunteer.org_kind == "enterprise"
    assert volunteer.max_day_minutes == 8 * 60 and volunteer.max_week_minutes == 30 * 60
    assert volunteer.consent_at is not None
    assert volunteer.approved_by is None
    text = done.content.decode()
    assert "The coordinator of the community approves your registration" in text
    assert "waiting for the coordinator" in text
    record = AuditRecord.objects.get(action="volunteers.volunteer_register")
    assert record.actor_id is None and record.actor_label == "system"
    assert record.purpose == "volunteer's own registration"


def test_registering_twice_gives_the_translated_error_and_writes_nothing(city):
    client = phone_client()
    client.post("/volunteers/v/register/", form(city))
    again = client.post("/volunteers/v/register/", form(city, name="王五"))
    assert again.status_code == 409
    assert "This phone is already registered as a volunteer of this community." in (
        again.content.decode()
    )
    assert Volunteer.objects.count() == 1 and Volunteer.objects.get().name == "李四"
    assert AuditRecord.objects.filter(action="volunteers.volunteer_register").count() == 1
    with translation.override("zh-hans"), pytest.raises(Conflict) as refused:
        volunteer_register(phone=PHONE, area=city.community, name="王五", consent=True)
    assert refused.value.code == "duplicate"


def test_without_consent_or_with_bad_values_nothing_is_written(city):
    client = phone_client()
    refused = client.post(
        "/volunteers/v/register/", form(city, consent="", name="  ", skills=["flying"])
    )
    assert refused.status_code == 400
    assert "Please agree to the use of your name and phone." in refused.content.decode()
    hours = client.post("/volunteers/v/register/", form(city, max_day_hours=30))
    assert hours.status_code == 400 and "Between 1 and 24 hours." in hours.content.decode()
    assert not Volunteer.objects.exists()
    # a grid is not a community; an unsafe name is refused
    with pytest.raises(ServiceError) as grid:
        volunteer_register(phone=PHONE, area=city.grid_a, name="李四", consent=True)
    assert "area" in grid.value.fields
    with pytest.raises(ServiceError) as unsafe:
        volunteer_register(phone=PHONE, area=city.community, name="李\u202e四", consent=True)
    assert "name" in unsafe.value.fields
    with pytest.raises(ServiceError) as phone:
        volunteer_register(phone="12", area=city.community, name="李四", consent=True)
    assert "phone" in phone.value.fields
    assert not Volunteer.objects.exists()


def test_a_phone_waits_in_a_few_places_at_most(city):
    places = [
        make_area(
            parent=city.street, level="community", code=f"43021100100{n + 2}", name=f"社区{n}"
        )
        for n in range(MAX_PENDING + 1)
    ]
    for place in places[:MAX_PENDING]:
        volunteer_register(phone=PHONE, area=place, name="李四", consent=True)
    with pytest.raises(Conflict) as refused:
        volunteer_register(phone=PHONE, area=places[-1], name="李四", consent=True)
    assert refused.value.code == "too_many_pending"
    assert Volunteer.objects.count() == MAX_PENDING
    assert list(communities_to_join()) == [city.community, *places]


def test_the_coordinator_approves_the_registration(city):
    duty = make_duty(city)
    volunteer = volunteer_register(phone=PHONE, area=city.community, name="李四", consent=True)
    volunteer_approve(actor=duty.coordinator, volunteer=volunteer)
    assert Volunteer.objects.get(pk=volunteer.pk).status == VolunteerStatus.ACTIVE


def test_without_a_proven_phone_the_page_asks_for_the_code(city):
    page = Client().get("/volunteers/v/register/")
    assert page.status_code == 302 and page["Location"].startswith("/r/?next=")
    posted = Client().post("/volunteers/v/register/", form(city))
    assert posted.status_code == 302 and not Volunteer.objects.exists()
