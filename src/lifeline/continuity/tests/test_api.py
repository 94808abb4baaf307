"""The continuity API: units with their figures, a figure reported with an
Idempotency-Key (once), bad input as the one JSON error shape, the problem list."""

from __future__ import annotations

import pytest
from django.test import Client

from lifeline.accounts.models import User
from lifeline.continuity.models import FigureReport, Problem
from lifeline.continuity.tests.helpers import Plants, make_plants
from lifeline.testing.factories import SmallCity

pytestmark = pytest.mark.django_db
API = "/api/v1/continuity"


@pytest.fixture
def plants(city: SmallCity) -> Plants:
    return make_plants(city)


def _client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _post(user: User, url: str, body: dict[str, object], key: str) -> object:
    return _client(user).post(
        url, body, content_type="application/json", headers={"Idempotency-Key": key}
    )


def test_a_report_with_the_same_key_is_made_once(plants: Plants) -> None:
    url = f"{API}/units/{plants.power.pk}/reports"
    body = {"figure_id": plants.output.pk, "value": 4285}
    first = _post(plants.power_desk, url, body, "k-1")
    again = _post(plants.power_desk, url, body, "k-1")
    assert first.status_code == 201, first.content  # type: ignore[attr-defined]
    assert again.json() == first.json()  # type: ignore[attr-defined]
    assert FigureReport.objects.count() == 1


def test_a_negative_value_is_a_clear_error_and_writes_nothing(plants: Plants) -> None:
    answer = _post(
        plants.power_desk,
        f"{API}/units/{plants.power.pk}/reports",
        {"figure_id": plants.coal.pk, "value": -1},
        "k-2",
    )
    assert answer.status_code == 400  # type: ignore[attr-defined]
    error = answer.json()["error"]  # type: ignore[attr-defined]
    assert error["fields"] == {"value": ["A figure cannot be negative."]}
    assert not FigureReport.objects.exists()


def test_an_unknown_unit_is_not_found(plants: Plants) -> None:
    answer = _post(
        plants.power_desk, f"{API}/units/999999/reports", {"figure_id": 1, "value": 1}, "k-3"
    )
    assert answer.status_code == 404  # type: ignore[attr-defined]


def test_units_and_problems_as_the_command_centre_sees_them(plants: Plants) -> None:
    for figure, value in ((plants.burn, 12000), (plants.coal, 40000)):
        _post(
            plants.power_desk,
            f"{API}/units/{plants.power.pk}/reports",
            {"figure_id": figure.pk, "value": value},
            f"k-{figure.pk}",
        )
    units = _client(plants.command).get(f"{API}/units").json()["items"]
    power = next(u for u in units if u["id"] == plants.power.pk)
    coal = next(f for f in power["figures"] if f["id"] == plants.coal.pk)
    assert float(coal["days_of_cover"]) == pytest.approx(3.3)
    assert power["open_problems"] == 1
    problems = _client(plants.command).get(f"{API}/problems", {"open": True}).json()["items"]
    assert [p["work_order_id"] for p in problems] == [Problem.objects.get().work_order_id]
    assert _client(plants.water_desk).get(f"{API}/problems").json()["items"] == []
