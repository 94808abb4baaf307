"""Exports of the register and of an interruption's list of those affected: masked as on
the pages (the command centre, which may export revealed lists, gets contacts in full),
formula-safe, audited, and from the pages as from the API."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from lifeline.api.tests.helpers import client_for, post_json
from lifeline.core.errors import ServiceError
from lifeline.core.models import AuditRecord
from lifeline.keyusers import exports
from lifeline.keyusers.models import KeyUserKind
from lifeline.keyusers.services import interruption_plan
from lifeline.keyusers.tests.helpers import (
    Grid,
    days_later,
    key_user,
    make_power_grid,
    vulnerable_households,
)
from lifeline.testing.factories import SmallCity

pytestmark = pytest.mark.django_db


@pytest.fixture
def grid(city: SmallCity) -> Grid:
    power = make_power_grid(city)
    key_user(power, 1, power.feeder_a, backup_source='=HYPERLINK("http://x")')
    key_user(
        power,
        2,
        power.feeder_a,
        kind=KeyUserKind.HOME_LIFE_SUPPORT,
        name="李秀英",
        address="泰山路12号3栋402",
        contact_phone="13700009999",
    )
    key_user(power, 3, power.feeder_b)
    vulnerable_households(power.buildings_a, 2, serial=7)
    return power


def _csv(response: object) -> str:
    return response.content.decode("utf-8-sig")  # type: ignore[attr-defined]


def test_the_register_is_exported_masked_and_formula_safe_and_audited(grid: Grid) -> None:
    client = client_for(grid.duty, HTTP_ACCEPT_LANGUAGE="en")
    assert client.get("/keyusers/export/?kind=hospital").status_code == 200
    answer = client.post("/keyusers/export/", {"format": "csv", "q": "", "kind": ""})
    assert answer.status_code == 200 and "attachment" in answer["Content-Disposition"]
    text = _csv(answer)
    assert text.splitlines()[0].startswith("Name,Kind,Area,Address,Supply points")
    assert "第1医院" in text and "第3医院" in text and "10KV-101" in text
    assert "137****0001" in text and "13700000001" not in text
    assert "李*英" in text and "李秀英" not in text and "泰山路12号" not in text
    assert "'=HYPERLINK" in text
    record = AuditRecord.objects.get(action="keyusers.export_register")
    assert record.purpose == "[rows=3] [revealed=0]"


def test_the_command_centre_gets_contacts_in_full_and_the_audit_says_so(grid: Grid) -> None:
    export = exports.register_export(actor=grid.command, fmt="xlsx", language="en")
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][7] == "Contact phone" and export.rows == 3
    phones = {row[7] for row in rows[1:]}
    assert "13700000001" in phones and "13700009999" in phones
    assert "李秀英" not in str(rows)  # a person at home stays masked by name
    formula = next(row[5] for row in rows[1:] if row[0] == "第1医院")
    assert formula == '=HYPERLINK("http://x")'  # text, not a formula
    assert sheet["F2"].data_type == "s" or sheet["F3"].data_type == "s"
    record = AuditRecord.objects.get(action="keyusers.export_register")
    assert record.purpose.endswith("[revealed=3]") and record.fields == ["contact_phone"]


def test_the_register_export_follows_the_search(grid: Grid) -> None:
    answer = client_for(grid.duty).post(
        "/keyusers/export/", {"format": "csv", "q": "10KV-102", "kind": ""}
    )
    text = _csv(answer)
    assert "第3医院" in text and "第1医院" not in text


def test_an_interruptions_affected_list_is_exported_masked_from_page_and_api(grid: Grid) -> None:
    start = days_later(14)
    draft = interruption_plan(
        actor=grid.duty,
        supply_points=[grid.feeder_a],
        starts_at=start,
        ends_at=days_later(14, 15),
        reason="检修",
    )
    client = client_for(grid.duty, HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(f"/keyusers/interruptions/{draft.pk}/").content.decode()
    assert f"/keyusers/interruptions/{draft.pk}/export/" in page
    text = _csv(client.post(f"/keyusers/interruptions/{draft.pk}/export/", {"format": "csv"}))
    lines = text.splitlines()
    assert lines[0].startswith("Affected,Name or building")
    assert sum(1 for line in lines if line.startswith("Key user,")) == 2
    assert sum(1 for line in lines if line.startswith("Household,")) == 2
    assert "13800070000" not in text and "138****0000" in text
    assert "13700009999" not in text and "李秀英" not in text
    api = post_json(client, f"/api/v1/keyusers/interruptions/{draft.pk}/export", {"format": "xlsx"})
    assert api.status_code == 200 and api["Content-Type"].startswith("application/vnd.openxml")
    assert AuditRecord.objects.filter(action="keyusers.export_affected").count() == 2


def test_a_bad_format_is_a_clear_error_and_writes_nothing(grid: Grid) -> None:
    before = AuditRecord.objects.count()
    with pytest.raises(ServiceError):
        exports.register_export(actor=grid.duty, fmt="pdf")
    answer = client_for(grid.duty).post("/keyusers/export/", {"format": "pdf"})
    assert answer.status_code == 400
    api = post_json(client_for(grid.duty), "/api/v1/keyusers/exports/key-users", {"format": "pdf"})
    assert api.status_code in (400, 422) and "error" in api.json()
    assert AuditRecord.objects.count() == before
