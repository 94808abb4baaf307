"""The enterprises API: compliance with names masked, a registry resident sealed in by
district staff, a positive reported, bad input in one error shape."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import translation

from lifeline.accounts.models import Role
from lifeline.api.tests.helpers import client_for
from lifeline.core import clock
from lifeline.enterprises.models import Bubble, LoopStatus, SealedStaff
from lifeline.enterprises.tests.helpers import Crew, at, give_tests, make_crew
from lifeline.testing.factories import SmallCity, make_household, make_person, make_user

API = "/api/v1/enterprises"


@pytest.fixture
def crew(city: SmallCity) -> Crew:
    with clock.frozen_at(at(10, 9)):
        return make_crew(city)


def _post(client, url, body, key=""):  # type: ignore[no-untyped-def]
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def test_compliance_lists_those_behind_with_names_masked(crew: Crew) -> None:
    today = dt.date(2026, 12, 10)
    give_tests(crew.people[0], [today - dt.timedelta(days=n) for n in range(5)])
    with clock.frozen_at(at(10, 15)):
        answer = client_for(crew.liaison).get(f"{API}/{crew.enterprise.pk}/compliance")
    assert answer.status_code == 200
    data = answer.json()
    assert (data["required"], data["days"]) == (5, 7)
    assert len(data["behind"]) == 3 and len(data["members"]) == 4
    assert "施工员1" not in answer.content.decode()


def test_command_staff_seal_a_registry_resident_whose_tests_count(crew: Crew) -> None:
    person = make_person(
        household=make_household(grid=crew.city.grid_a, unit_no="301"), name="钢筋工"
    )
    url = f"{API}/loops/{crew.bubble.pk}/staff"
    answer = _post(client_for(crew.command_staff), url, {"person_id": person.pk}, key="k1")
    assert answer.status_code == 201, answer.content
    assert answer.json()["linked"] is True and answer.json()["name"] != "钢筋工"
    assert SealedStaff.objects.filter(person=person, bubble=crew.bubble).exists()


def test_a_liaison_in_another_district_cannot_see_the_crew(crew: Crew) -> None:
    from lifeline.testing.factories import make_area

    other = make_area(parent=crew.city.city, level="district", code="430212", name="荷塘区")
    stranger = make_user("far_liaison", role=Role.ENTERPRISE_LIAISON, area=other)
    answer = client_for(stranger).get(f"{API}/{crew.enterprise.pk}/compliance")
    assert answer.status_code == 404


def test_a_positive_by_api_suspends_the_loop(crew: Crew) -> None:
    with clock.frozen_at(at(10, 16)):
        answer = _post(
            client_for(crew.liaison),
            f"{API}/loops/{crew.bubble.pk}/positive",
            {"staff_id": crew.staff[0].pk},
        )
    assert answer.status_code == 200, answer.content
    assert Bubble.objects.get(pk=crew.bubble.pk).status == LoopStatus.SUSPENDED


def test_a_bad_create_answers_one_error_shape_in_the_callers_language(crew: Crew) -> None:
    body = {
        "area_id": crew.city.street.pk,
        "name": "某厂",
        "contact_name": "张",
        "contact_phone": "123",
    }
    answer = _post(client_for(crew.liaison), API, body, key="k2")
    assert answer.status_code == 400
    with translation.override("zh-hans"):
        expected = translation.gettext("Not a phone number.")
    assert answer.json()["error"]["fields"]["contact_phone"] == [expected]
    assert expected != "Not a phone number."
