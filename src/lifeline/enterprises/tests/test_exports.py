"""The liaison's exports: the whitelist and one enterprise's testing compliance, from a
page link as CSV or XLSX, names and phones masked, audited; bad input gets the form back
and writes nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from lifeline.core import clock
from lifeline.core.models import AuditRecord
from lifeline.enterprises.tests.helpers import Crew, at, give_tests, make_crew
from lifeline.testing.factories import SmallCity, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def crew(city: SmallCity) -> Crew:
    with clock.frozen_at(at(10, 9)):
        crew = make_crew(city)
    today = dt.date(2026, 12, 10)
    for person in crew.people[:2]:
        give_tests(person, [today - dt.timedelta(days=n) for n in range(5)])
    return crew


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_the_compliance_export_lists_each_member_masked_and_who_is_behind(crew: Crew):
    client = _client(crew.liaison)
    # Given the enterprise's page, which links to the export
    page = client.get(f"/enterprises/{crew.enterprise.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert f"/enterprises/{crew.enterprise.pk}/compliance/export/" in page.content.decode()
    before = AuditRecord.objects.filter(action="enterprises.export_compliance").count()
    # When the liaison downloads it as CSV
    with clock.frozen_at(at(10, 12)):
        response = client.post(
            f"/enterprises/{crew.enterprise.pk}/compliance/export/",
            {"format": "csv"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    # Then every active member is a row, masked, two tested as required and the rest behind
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.csv"')
    text = response.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("Loop,Name (masked)")
    members = [s for s in crew.staff if s.active]
    assert len(lines) == 1 + len(members)
    for member in members:
        assert member.name not in text
        if member.phone:
            assert member.phone not in text
    behind = [row for row in csv.reader(lines[1:]) if row[6] == "yes"]
    assert len(behind) == len(members) - 2
    assert AuditRecord.objects.filter(action="enterprises.export_compliance").count() == before + 1


def test_the_whitelist_export_as_xlsx_holds_the_enterprise_with_its_contact_masked(crew: Crew):
    response = _client(crew.liaison).post(
        "/enterprises/exports/whitelist/", {"format": "xlsx"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert len(rows) == 2 and rows[1][0] == crew.enterprise.name
    assert crew.enterprise.contact_phone not in str(rows[1])
    assert AuditRecord.objects.filter(action="enterprises.export_whitelist").count() == 1


def test_a_bad_format_gets_the_form_back_and_nothing_is_recorded(crew: Crew):
    client = _client(crew.liaison)
    response = client.post(
        "/enterprises/exports/whitelist/", {"format": "pdf"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not AuditRecord.objects.filter(action__startswith="enterprises.export").exists()


def test_someone_without_enterprise_rights_gets_no_export(crew: Crew, city: SmallCity):
    stranger = make_user("ent_export_stranger")
    client = _client(stranger)
    assert client.get("/enterprises/exports/whitelist/").status_code == 404
    url = f"/enterprises/{crew.enterprise.pk}/compliance/export/"
    assert client.post(url, {"format": "csv"}).status_code == 404
    assert not AuditRecord.objects.filter(action__startswith="enterprises.export").exists()
