"""The daily report's pages: listed from the dashboard of the city and of a district,
opened for a day, the narrative written, signed, printed; its PDF (with the CJK font)
and XLSX. Bad input gets a translated error and writes nothing; a missing font is a
clear 503, never a 500."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from lifeline.api.tests.helpers import client_for
from lifeline.command.models import DailyReport, ReportStatus
from lifeline.command.services import figures_refresh, report_generate
from lifeline.command.tests.report_helpers import (
    ReportDesk,
    at,
    make_report_desk,
    pdf_pages,
    pdf_text,
)
from lifeline.core import clock
from lifeline.core.models import AuditRecord
from lifeline.testing.factories import SmallCity

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 9)
MORNING = at(DAY + dt.timedelta(days=1), 8)


@pytest.fixture
def rd(city: SmallCity) -> ReportDesk:
    with clock.frozen_at(at(DAY, 10)):
        made = make_report_desk(city)
    with clock.frozen_at(MORNING):
        figures_refresh(day=DAY)
    return made


def _draft(rd: ReportDesk) -> DailyReport:
    with clock.frozen_at(MORNING):
        return report_generate(actor=rd.desk.district, area=rd.city.district, day=DAY)


def test_the_dashboard_of_a_district_links_to_its_reports_and_meetings(rd: ReportDesk):
    client = client_for(rd.desk.district)
    page = client.get(reverse("command:area", args=[rd.city.district.pk])).content.decode()
    assert reverse("command:area_reports", args=[rd.city.district.pk]) in page
    assert reverse("command:meetings", args=[rd.city.district.pk]) in page
    street = client.get(reverse("command:area", args=[rd.city.street.pk])).content.decode()
    assert 'data-testid="reports-link"' not in street


def test_a_district_officer_opens_writes_signs_and_prints_the_report(rd: ReportDesk):
    client = client_for(rd.desk.district)
    with clock.frozen_at(MORNING):
        listing = client.get(reverse("command:area_reports", args=[rd.city.district.pk]))
        assert listing.status_code == 200 and 'value="2026-03-09"' in listing.content.decode()
        opened = client.post(
            reverse("command:area_reports", args=[rd.city.district.pk]), {"day": "2026-03-09"}
        )
        report = DailyReport.objects.get()
        assert opened.status_code == 302 and opened.url == reverse(
            "command:report", args=[report.pk]
        )
        page = client.get(opened.url).content.decode()
        assert "天元区" in page and 'data-testid="sign-form"' in page
        narrative = reverse("command:report_sections", args=[report.pk])
        assert client.get(narrative).status_code == 200
        saved = client.post(
            narrative, {"version": report.version, "methods": "三个小区上门采样", "plan": "复核"}
        )
        assert saved.status_code == 302
        report.refresh_from_db()
        signed = client.post(
            reverse("command:report_sign", args=[report.pk]), {"content_hash": report.content_hash}
        )
        assert signed.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SIGNED and report.signer_name == "王区长"
    printed = client.get(reverse("command:report_print", args=[report.pk])).content.decode()
    assert "三个小区上门采样" in printed and "王区长" in printed and "data-print" in printed
    assert report.content_hash in printed
    # a signed report's narrative page refuses
    assert client.get(reverse("command:report_sections", args=[report.pk])).status_code == 409


def test_signing_what_changed_since_it_was_read_is_refused_on_the_page(rd: ReportDesk):
    report = _draft(rd)
    client = client_for(rd.desk.district)
    with clock.frozen_at(MORNING):
        response = client.post(
            reverse("command:report_sign", args=[report.pk]), {"content_hash": "f" * 64}
        )
    assert response.status_code == 409
    assert 'data-testid="sign-error"' in response.content.decode()
    assert DailyReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT


def test_street_staff_cannot_sign_and_others_do_not_see_the_report(rd: ReportDesk):
    report = _draft(rd)
    street = client_for(rd.street_staff)
    sign = reverse("command:report_sign", args=[report.pk])
    assert street.post(sign, {"content_hash": report.content_hash}).status_code == 404
    assert street.get(reverse("command:report", args=[report.pk])).status_code == 404
    worker = client_for(rd.desk.worker_a)
    assert worker.get(reverse("command:report_print", args=[report.pk])).status_code == 404
    assert worker.get(reverse("command:area_reports", args=[rd.city.grid_a.pk])).status_code == 400
    assert DailyReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT


@pytest.mark.parametrize("day", ["2099-01-01", "not a day", ""])
def test_a_bad_day_is_a_form_error_and_opens_nothing(rd: ReportDesk, day: str):
    client = client_for(rd.desk.district)
    with clock.frozen_at(MORNING):
        response = client.post(
            reverse("command:area_reports", args=[rd.city.district.pk]), {"day": day}
        )
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not DailyReport.objects.exists()


def test_a_bad_narrative_is_a_form_error_and_changes_nothing(rd: ReportDesk):
    report = _draft(rd)
    client = client_for(rd.desk.district)
    url = reverse("command:report_sections", args=[report.pk])
    too_long = client.post(url, {"version": report.version, "plan": "长" * 4001})
    stale = client.post(url, {"version": report.version + 5, "plan": "改"})
    assert too_long.status_code == 400 and stale.status_code == 409
    assert DailyReport.objects.get(pk=report.pk).content_hash == report.content_hash


def test_the_pdf_carries_the_report_in_chinese_and_the_xlsx_opens(rd: ReportDesk):
    report = _draft(rd)
    client = client_for(rd.desk.district)
    pdf = client.get(reverse("command:report_download", args=[report.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and pdf_pages(pdf.content) >= 1
    text = pdf_text(pdf.content)
    assert "天元区" in text and "嵩山路街道" in text and report.content_hash in text
    xlsx = client.get(reverse("command:report_download", args=[report.pk, "xlsx"]))
    book = load_workbook(io.BytesIO(xlsx.content))
    assert len(book.sheetnames) == 4  # figures, areas below, lists, narrative
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][1] == "天元区" and rows[4][1] == report.content_hash
    assert any(row[0] == "新增诉求" and row[1] == 3 for row in rows)
    streets = list(book.worksheets[1].iter_rows(values_only=True))
    assert [row[0] for row in streets[1:]] == ["嵩山路街道"]
    assert AuditRecord.objects.filter(action__startswith="command.report.download").count() == 2
    assert (
        client.get(reverse("command:report_download", args=[report.pk, "doc"])).status_code == 400
    )


def test_the_pdf_in_english_and_without_its_font(rd: ReportDesk, settings):
    report = _draft(rd)
    client = client_for(rd.desk.district)
    url = reverse("command:report_download", args=[report.pk, "pdf"])
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert "Figures of the day" in pdf_text(english.content)
    assert "Requests opened" in pdf_text(english.content)
    settings.LIFELINE_REPORT_FONT = "/nowhere/NotoSansCJK-Regular.ttc"
    missing = client.get(url)
    assert missing.status_code == 503
    assert "scripts/ensure_fonts.sh" in missing.content.decode()
