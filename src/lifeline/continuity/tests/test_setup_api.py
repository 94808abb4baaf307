"""Set-up through the API (figures, thresholds, roles once per Idempotency-Key; bad input as
the one error shape, nothing written), a problem's PATCH, and the exports (CSV and XLSX,
formula-safe, no personal data)."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from lifeline.accounts.models import User
from lifeline.continuity.models import CriticalRole, Figure, Problem, Threshold
from lifeline.continuity.services import figure_report, problem_open
from lifeline.continuity.tests.helpers import Plants, make_plants
from lifeline.core.models import AuditRecord
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


def _post(user: User, url: str, body: dict[str, object], key: str = "") -> object:
    headers = {"Idempotency-Key": key} if key else {}
    return _client(user).post(url, body, content_type="application/json", headers=headers)


def test_figure_threshold_and_role_are_made_once_per_key(plants: Plants) -> None:
    base = f"{API}/units/{plants.water.pk}"
    body = {"name": "药剂库存", "unit_label": "t", "kind": "stock", "every_hours": 12}
    first = _post(plants.command, f"{base}/figures", body, "f-1")
    again = _post(plants.command, f"{base}/figures", body, "f-1")
    assert first.status_code == 201, first.content  # type: ignore[attr-defined]
    assert again.json() == first.json()  # type: ignore[attr-defined]
    figure_id = first.json()["id"]  # type: ignore[attr-defined]
    threshold = {
        "figure_id": figure_id,
        "measure": "value",
        "below": 20,
        "title": "药剂库存低于20吨",
        "owner": "市水务局",
    }
    made = _post(plants.command, f"{base}/thresholds", threshold, "t-1")
    assert made.status_code == 201 and made.json()["owner"] == "市水务局"  # type: ignore[attr-defined]
    role = _post(plants.command, f"{base}/roles", {"name": "化验员", "minimum": 4}, "r-1")
    assert role.status_code == 201  # type: ignore[attr-defined]
    assert Figure.objects.filter(name="药剂库存").count() == 1
    assert Threshold.objects.filter(owner="市水务局").count() == 1


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("roles", {"name": "化验员", "minimum": -1}, "minimum"),
        ("roles", {"name": "", "minimum": 1}, "name"),
        ("figures", {"name": "x", "kind": "stock", "every_hours": 0}, "every_hours"),
        ("figures", {"name": "x", "kind": "stock", "use_id": 999999}, "use_id"),
        (
            "thresholds",
            {"figure_id": 999999, "measure": "value", "below": 1, "title": "x"},
            "figure_id",
        ),
    ],
)
def test_bad_set_up_is_a_clear_error_and_writes_nothing(
    plants: Plants, path: str, body: dict[str, object], field: str
) -> None:
    before = (Figure.objects.count(), CriticalRole.objects.count(), AuditRecord.objects.count())
    answer = _post(plants.command, f"{API}/units/{plants.water.pk}/{path}", body, "bad")
    assert answer.status_code == 400, answer.content  # type: ignore[attr-defined]
    assert field in answer.json()["error"]["fields"]  # type: ignore[attr-defined]
    after = (Figure.objects.count(), CriticalRole.objects.count(), AuditRecord.objects.count())
    assert after == before


def test_a_duty_desk_may_not_set_up(plants: Plants) -> None:
    answer = _post(
        plants.water_desk, f"{API}/units/{plants.water.pk}/roles", {"name": "x", "minimum": 1}
    )
    assert answer.status_code in (403, 404)  # type: ignore[attr-defined]
    assert not CriticalRole.objects.filter(name="x").exists()


def test_a_taken_unit_cannot_be_set_up_again(plants: Plants, city: SmallCity) -> None:
    body = {"unit_id": plants.power.unit_id, "area_id": city.city.pk, "sector": "power"}
    answer = _post(plants.command, f"{API}/units", body)
    assert answer.status_code == 400  # type: ignore[attr-defined]
    assert "unit_id" in answer.json()["error"]["fields"]  # type: ignore[attr-defined]


def test_the_command_centre_patches_and_resolves_a_problem(plants: Plants) -> None:
    problem = problem_open(actor=plants.command, lifeline_unit=plants.power, title="电煤运输受阻")
    url = f"{API}/problems/{problem.pk}"
    client = _client(plants.command)
    answer = client.patch(url, {"owner": "市发改委"}, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["owner"] == "市发改委"
    bad = client.patch(url, {"guidance": "x", "resolve_note": ""}, content_type="application/json")
    assert bad.status_code == 400
    problem.refresh_from_db()
    assert problem.guidance == ""  # all or nothing
    done = client.patch(url, {"resolve_note": "专列已到厂"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["open"] is False
    desk = _client(plants.power_desk).patch(url, {"owner": "x"}, content_type="application/json")
    assert desk.status_code in (403, 404)


def test_the_problem_list_exports_as_csv_and_xlsx_without_formulas(plants: Plants) -> None:
    problem_open(
        actor=plants.command,
        lifeline_unit=plants.power,
        title="=HYPERLINK(1)",
        guidance="启用储备煤",
        owner="市发改委",
    )
    client = _client(plants.command)
    csv = client.post(f"{API}/exports/problems", {"format": "csv"}, content_type="application/json")
    text = csv.content.decode("utf-8-sig")
    assert csv.status_code == 200 and "'=HYPERLINK(1)" in text and "市发改委" in text
    assert "13900000099" not in text  # the unit's phone is not exported
    xlsx = client.post(
        f"{API}/exports/problems", {"format": "xlsx"}, content_type="application/json"
    )
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    cells = [c.value for c in next(sheet.iter_rows(min_row=2, max_row=2))]
    assert cells[0] == "株洲电厂" and cells[1] == "=HYPERLINK(1)"
    assert sheet.cell(row=2, column=2).data_type == "s"
    assert Problem.objects.count() == 1


def test_a_units_figure_history_exports_over_a_period(plants: Plants) -> None:
    figure_report(
        actor=plants.power_desk, lifeline_unit=plants.power, figure_id=plants.coal.pk, value=48000
    )
    client = _client(plants.power_desk)
    url = f"{API}/units/{plants.power.pk}/history/export"
    answer = client.post(url, {"format": "csv"}, content_type="application/json")
    text = answer.content.decode("utf-8-sig")
    assert answer.status_code == 200 and "存煤" in text and "48000" in text
    wrong = client.post(
        url, {"since": "2026-05-01", "until": "2026-04-01"}, content_type="application/json"
    )
    assert wrong.status_code == 400 and "since" in wrong.json()["error"]["fields"]
    other = _client(plants.water_desk).post(url, {}, content_type="application/json")
    assert other.status_code == 404
    page = _client(plants.power_desk).post(
        f"/continuity/units/{plants.power.pk}/history/export/",
        {"since": "2000-01-01", "until": "2099-12-31", "format": "csv"},
    )
    assert page.status_code == 400  # more than 366 days
