"""The duty desk reports figures and staff on its unit's page; a bad value shows on the
form and writes nothing; the command centre's board shows days of cover and problems."""

from __future__ import annotations

import pytest
from django.test import Client

from lifeline.continuity.models import FigureReport, Problem
from lifeline.continuity.tests.helpers import COAL_GUIDANCE, Plants, make_plants
from lifeline.testing.factories import SmallCity

pytestmark = pytest.mark.django_db


@pytest.fixture
def plants(city: SmallCity) -> Plants:
    return make_plants(city)


def _client(user: object) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)  # type: ignore[arg-type]
    client.cookies["django_language"] = "en"
    return client


def test_duty_desk_reports_coal_and_the_command_centre_sees_the_problem(plants: Plants) -> None:
    desk = _client(plants.power_desk)
    url = f"/continuity/units/{plants.power.pk}/"
    for figure, value in ((plants.burn, "12000"), (plants.coal, "48000")):
        answer = desk.post(url, {"what": "figure", "figure": figure.pk, "value": value})
        assert answer.status_code == 302
    page = desk.get(url).content.decode()
    assert "4.0" in page and "存煤可用天数不足5天" in page
    board = _client(plants.command).get("/continuity/").content.decode()
    assert "株洲电厂" in board and "株洲自来水厂" in board
    assert COAL_GUIDANCE in board
    assert Problem.objects.count() == 1


def test_a_negative_value_shows_on_the_form_and_writes_nothing(plants: Plants) -> None:
    answer = _client(plants.power_desk).post(
        f"/continuity/units/{plants.power.pk}/",
        {"what": "figure", "figure": plants.coal.pk, "value": "-3"},
    )
    assert answer.status_code == 400
    assert "A figure cannot be negative." in answer.content.decode()
    assert not FigureReport.objects.exists()


def test_another_units_page_is_not_found_for_a_duty_desk(
    plants: Plants, grid_worker_a: object
) -> None:
    assert (
        _client(plants.water_desk).get(f"/continuity/units/{plants.power.pk}/").status_code == 404
    )
    assert _client(grid_worker_a).get("/continuity/").status_code == 404


def test_staff_on_site_below_minimum_shows_short_on_the_board(plants: Plants) -> None:
    desk = _client(plants.water_desk)
    answer = desk.post(
        f"/continuity/units/{plants.water.pk}/",
        {"what": "staff", "role": plants.operators.pk, "on_site": "52"},
    )
    assert answer.status_code == 302
    board = _client(plants.command).get("/continuity/").content.decode()
    assert "制水运行工: 52 / 60" in board and "short" in board
