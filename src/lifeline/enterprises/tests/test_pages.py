"""The liaison's pages: the list with status and compliance, an enterprise with its staff
masked and those behind, a positive reported on the form, bad input shown on the form."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import translation

from lifeline.core import clock
from lifeline.enterprises.models import Bubble, Enterprise, LoopStatus
from lifeline.enterprises.tests.helpers import Crew, at, give_tests, make_crew
from lifeline.testing.factories import SmallCity, make_user
from lifeline.workorders.models import WorkOrder


@pytest.fixture
def crew(city: SmallCity) -> Crew:
    with clock.frozen_at(at(10, 9)):
        crew = make_crew(city)
    today = dt.date(2026, 12, 10)
    for person in crew.people[:2]:
        give_tests(person, [today - dt.timedelta(days=n) for n in range(5)])
    return crew


def zh(message: str) -> str:
    """What the page shows in the city's language (English until the zh-Hans is applied)."""
    with translation.override("zh-hans"):
        return translation.gettext(message)


def _client(crew: Crew) -> Client:
    client = Client()
    client.force_login(crew.liaison)
    return client


def test_the_list_shows_status_and_compliance(crew: Crew) -> None:
    with clock.frozen_at(at(10, 15)):
        page = _client(crew).get("/enterprises/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "湘江大桥项目部" in text and zh("Working in closed loop") in text
    assert "50%" in text


def test_the_enterprise_page_masks_names_and_lists_those_behind(crew: Crew) -> None:
    with clock.frozen_at(at(10, 15)):
        page = _client(crew).get(f"/enterprises/{crew.enterprise.pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "施工员2" not in text and "外地工人" not in text and "王建国" not in text
    assert zh("To be tested by %(time)s today.") % {"time": "20:00"} in text
    assert "湘B12345" in text and "13912345678" not in text


def test_a_positive_reported_on_the_form_suspends_the_loop(crew: Crew) -> None:
    client = _client(crew)
    url = f"/enterprises/{crew.enterprise.pk}/positive/"
    with clock.frozen_at(at(10, 16)):
        answer = client.post(url, {"bubble": crew.bubble.pk, "staff": crew.staff[1].pk})
    assert answer.status_code == 302
    assert Bubble.objects.get(pk=crew.bubble.pk).status == LoopStatus.SUSPENDED
    with clock.frozen_at(at(10, 16)):
        text = client.get(answer["Location"]).content.decode()
    assert zh("Suspended: a positive in the loop") in text


def test_an_issue_with_no_description_is_shown_on_the_form_and_files_nothing(crew: Crew) -> None:
    before = WorkOrder.objects.count()
    answer = _client(crew).post(
        f"/enterprises/{crew.enterprise.pk}/issues/new/", {"description": " "}
    )
    assert answer.status_code == 400
    assert zh("This field is required.") in answer.content.decode()
    assert WorkOrder.objects.count() == before


def test_a_bad_phone_on_the_new_enterprise_form_is_shown_and_nothing_written(crew: Crew) -> None:
    before = Enterprise.objects.count()
    body = {
        "area": crew.city.street.pk,
        "name": "某机械厂",
        "kind": "enterprise",
        "contact_name": "张厂长",
        "contact_phone": "12345",
    }
    answer = _client(crew).post("/enterprises/new/", body)
    assert answer.status_code == 400
    assert zh("Not a phone number.") in answer.content.decode()
    assert Enterprise.objects.count() == before


def test_a_grid_worker_does_not_find_the_pages(crew: Crew) -> None:
    client = Client()
    client.force_login(make_user("gw", area=crew.city.grid_a))
    assert client.get("/enterprises/").status_code == 404
    assert client.get(f"/enterprises/{crew.enterprise.pk}/").status_code == 404
