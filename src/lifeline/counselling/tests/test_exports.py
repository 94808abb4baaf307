"""The supervisor's export of contact counts: per day, place, topic and risk, the
supervisor's lines only, never a caller's name or number, formula-safe, audited, from the
page (a POST) and the API; bad input is a clear error and writes nothing."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from lifeline.api.tests.helpers import API, assert_error, client_for, post_json
from lifeline.core.models import AuditRecord
from lifeline.counselling.services import contact_log
from lifeline.counselling.tests.helpers import Line, make_counselling
from lifeline.registry.models import Unit
from lifeline.testing.factories import SmallCity

pytestmark = pytest.mark.django_db

URL = f"{API}/counselling/exports/contacts"


def _world(city: SmallCity) -> tuple[Line, Line]:
    line_a = make_counselling(city, tag="A")
    line_b = make_counselling(city, tag="B")
    plant = Unit.objects.create(code="PLANT", name="=HYPERLINK(1)机车厂", kind=Unit.Kind.ENTERPRISE)
    for topic, risk in [("work", "none")] * 5 + [("sleep", "high")]:
        contact_log(
            actor=line_a.counsellor_user,
            line=line_a.line,
            topic=topic,
            outcome="supported",
            minutes=10,
            risk=risk,
            enterprise=plant,
            consent_contact=True,
            caller_name="张三",
            caller_phone="13912345678",
        )
    contact_log(
        actor=line_b.counsellor_user, line=line_b.line, topic="grief", outcome="advised", minutes=5
    )
    return line_a, line_b


def test_the_csv_counts_the_supervisors_line_by_topic_and_risk_without_names(city: SmallCity):
    line_a, _line_b = _world(city)
    response = post_json(
        client_for(line_a.supervisor), URL, {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200, response.content
    text = response.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0] == "Day,Workplace,Topic,Risk,Contacts"
    assert len(lines) == 3
    # five or more are counted; fewer are written "<5", never their number
    assert "Work stress,None,5" in text and "Sleep and anxiety,High (self-harm),<5" in text
    assert "'=HYPERLINK" in text  # the formula neutralised
    assert "张三" not in text and "13912345678" not in text and "Grief" not in text
    assert line_a.counsellor.display_name not in text
    record = AuditRecord.objects.get(action="counselling.export_counts")
    assert "[rows=2]" in record.purpose


def test_the_xlsx_by_area_from_the_page(city: SmallCity):
    line_a, _line_b = _world(city)
    client = client_for(line_a.supervisor)
    page = client.get("/counselling/supervisor/export/")
    assert page.status_code == 200
    assert (
        "/counselling/supervisor/export/" in client.get("/counselling/supervisor/").content.decode()
    )
    today = page.context["form"].initial["until"].isoformat()
    response = client.post(
        "/counselling/supervisor/export/",
        {"since": today, "until": today, "by": "area", "format": "xlsx"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows[0]) == 5
    assert sorted(str(row[4]) for row in rows[1:]) == ["5", "<5"]


def test_bad_periods_and_outsiders_get_an_error_and_no_record(city: SmallCity):
    line_a, _line_b = _world(city)
    boss = client_for(line_a.supervisor)
    assert_error(post_json(boss, URL, {"since": "2026-05-02", "until": "2026-05-01"}), 400)
    assert_error(post_json(boss, URL, {"since": "2020-01-01", "until": "2026-05-01"}), 400)
    assert_error(post_json(boss, URL, {"format": "pdf"}), 422)
    refused = post_json(client_for(line_a.counsellor_user), URL, {})
    assert refused.status_code == 404
    bad_page = boss.post(
        "/counselling/supervisor/export/",
        {"since": "2026-05-02", "until": "2026-05-01", "by": "area", "format": "csv"},
    )
    assert bad_page.status_code == 400
    assert not AuditRecord.objects.filter(action="counselling.export_counts").exists()
