"""Volunteers' exports: each volunteer's hours over a period and a shift's roll, as CSV and
XLSX, through the API and the pages; masked phones, neutralised formulas, audited, and only
within the coordinator's areas."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from lifeline.api.tests.helpers import assert_error, client_for
from lifeline.core import clock
from lifeline.core.models import AuditRecord
from lifeline.testing.factories import SmallCity
from lifeline.volunteers import exports
from lifeline.volunteers.models import Booking
from lifeline.volunteers.services import booking_check_in, booking_check_out, booking_signup
from lifeline.volunteers.tests.api_helpers import API, english, other_coordinator, post
from lifeline.volunteers.tests.helpers import HOUR, make_duty, shift, volunteer

pytestmark = pytest.mark.django_db


def _rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _worked_day(city: SmallCity):
    """Tomorrow: volunteer 1 works four hours, volunteer 2 does not come."""
    duty = make_duty(city)
    one = shift(duty, 0, 4)
    worker = volunteer(duty, 1, org_kind="enterprise", org_name="株洲燃气")
    absent = volunteer(duty, 2)
    done = booking_signup(volunteer=worker, shift=one)
    missed = booking_signup(volunteer=absent, shift=one)
    booking_check_in(booking=done, post_id=duty.post.pk, now=one.starts_at)
    booking_check_out(booking=done, now=one.starts_at + 4 * HOUR)
    Booking.objects.filter(pk=missed.pk).update(no_show=True)  # as the no-show sweep marks
    return duty, one


def test_hours_csv_counts_shifts_minutes_and_no_shows_with_masked_phones(city: SmallCity):
    duty, _one = _worked_day(city)
    tomorrow = clock.today() + dt.timedelta(days=1)
    response = post(
        english(duty.coordinator),
        f"{API}/exports/hours",
        {"since": clock.today().isoformat(), "until": tomorrow.isoformat(), "format": "csv"},
    )
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    rows = _rows(response.content)
    assert rows[0] == [
        "Name",
        "Organisation",
        "Phone (masked)",
        "Shifts worked",
        "Minutes credited",
        "No-shows",
    ]
    assert rows[1:] == [
        ["志愿者1", "株洲燃气", "139****0001", "1", "240", "0"],
        ["志愿者2", "Community", "139****0002", "0", "0", "1"],
    ]
    record = AuditRecord.objects.filter(action="volunteers.export_hours").get()
    assert "[rows=2]" in record.purpose


def test_hours_outside_the_period_are_not_counted(city: SmallCity):
    duty, _one = _worked_day(city)
    yesterday = clock.today() - dt.timedelta(days=1)
    export = exports.hours_export(
        actor=duty.coordinator, since=yesterday, until=clock.today(), language="en"
    )
    assert [row[3:] for row in _rows(export.content)[1:]] == [["0", "0", "0"], ["0", "0", "0"]]


def test_hours_xlsx_holds_the_same_rows_and_formulas_stay_text(city: SmallCity):
    duty, _one = _worked_day(city)
    volunteer(duty, 3, org_name='=HYPERLINK("http://x")')
    export = exports.hours_export(
        actor=duty.coordinator,
        since=clock.today(),
        until=clock.today() + dt.timedelta(days=1),
        fmt="xlsx",
        language="en",
    )
    sheet = load_workbook(io.BytesIO(export.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1][:3] == ["志愿者1", "株洲燃气", "139****0001"]
    assert values[3][1] == '=HYPERLINK("http://x")'
    assert sheet.cell(row=4, column=2).data_type == "s"  # text, never a formula
    csv_export = exports.hours_export(
        actor=duty.coordinator, since=clock.today(), until=clock.today(), language="en"
    )
    assert _rows(csv_export.content)[3][1].startswith("'=")


@pytest.mark.parametrize(
    "since,until,field",
    [("2026-05-02", "2026-05-01", "since"), ("2024-01-01", "2026-01-01", "until")],
)
def test_a_bad_period_is_refused_and_not_recorded(city: SmallCity, since, until, field):
    duty = make_duty(city)
    body = {"since": since, "until": until}
    error = assert_error(post(english(duty.coordinator), f"{API}/exports/hours", body), 400)
    assert field in error["fields"]
    assert not AuditRecord.objects.filter(action="volunteers.export_hours").exists()


def test_roll_export_lists_the_roll_with_times_and_is_audited(city: SmallCity):
    duty, one = _worked_day(city)
    response = post(english(duty.coordinator), f"{API}/shifts/{one.pk}/roll/export", {})
    rows = _rows(response.content)
    assert rows[0][:5] == ["Arrival", "Name", "Organisation", "Phone (masked)", "Status"]
    assert [(r[1], r[3], r[7], r[8]) for r in rows[1:]] == [
        ("志愿者1", "139****0001", "240", ""),
        ("志愿者2", "139****0002", "0", "yes"),
    ]
    assert rows[1][5].endswith("07:30")
    record = AuditRecord.objects.get(action="volunteers.export_roll")
    assert record.object_id == str(one.pk)


def test_another_community_gets_no_export(city: SmallCity):
    _duty, one = _worked_day(city)
    outsider = other_coordinator(city)
    refused = post(english(outsider), f"{API}/shifts/{one.pk}/roll/export", {"format": "xlsx"})
    assert_error(refused, 404)
    theirs = post(english(outsider), f"{API}/exports/hours", {})
    assert _rows(theirs.content)[1:] == []
    with pytest.raises(exports.NotFound):
        exports.roll_export(actor=outsider, shift=one)


# Pages --------------------------------------------------------------------------------


def test_hours_page_shows_the_form_and_posts_the_file(city: SmallCity):
    duty, _one = _worked_day(city)
    client = client_for(duty.coordinator, HTTP_ACCEPT_LANGUAGE="en")
    url = reverse("volunteers:export_hours")
    page = client.get(url)
    assert page.status_code == 200 and b'type="date"' in page.content
    assert not AuditRecord.objects.filter(action="volunteers.export_hours").exists()
    since = clock.today().isoformat()
    until = (clock.today() + dt.timedelta(days=1)).isoformat()
    got = client.post(url, {"since": since, "until": until, "format": "xlsx"})
    assert got.status_code == 200
    assert got["Content-Disposition"].startswith('attachment; filename="volunteer-hours-')
    assert AuditRecord.objects.filter(action="volunteers.export_hours").count() == 1
    bad = client.post(url, {"since": until, "until": since, "format": "csv"})
    assert bad.status_code == 400 and b"The first day must not be after the last." in bad.content


def test_roll_page_downloads_and_refuses_other_communities(city: SmallCity, grid_worker_a):
    duty, one = _worked_day(city)
    url = reverse("volunteers:export_roll", kwargs={"pk": one.pk})
    mine = client_for(duty.coordinator)
    assert mine.get(url).status_code == 200
    got = mine.post(url, {"format": "csv"})
    assert got.status_code == 200 and "139****0001" in got.content.decode("utf-8-sig")
    assert mine.post(url, {"format": "pdf"}).status_code == 400
    outsider = client_for(other_coordinator(city))
    assert outsider.get(url).status_code == 404
    assert outsider.post(url, {"format": "csv"}).status_code == 404
    # a grid worker holds no volunteers' rights: no export page at all
    assert client_for(grid_worker_a).get(reverse("volunteers:export_hours")).status_code == 404
    assert client_for(None).get(url).status_code == 302  # to the login page
