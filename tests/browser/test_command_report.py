"""The daily report in a real browser, in Chinese and in English: a district officer goes
from the district's dashboard to its reports, opens yesterday's report, writes the
narrative, signs it and prints it (the printable page, as the printer sees it: no
navigation, no buttons; the signature and the hash on the sheet); then records the day's
review meeting and files an action for the street office."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from lifeline.command.models import DailyReport, ReportStatus
from lifeline.command.services import figures_refresh
from lifeline.command.tests.report_helpers import make_report_desk
from lifeline.core import clock
from lifeline.testing.factories import SmallCity
from lifeline.testing.shots import screenshots_dir

pytestmark = pytest.mark.browser

SHOTS = screenshots_dir("command")
PASSWORD = "pass-word-123"
LOCALES = {"zh-hans": "zh-CN", "en": "en-US"}
NARRATIVE = "全区三个街道完成一轮核酸采样，上门采样独居老人十二人。"


@pytest.fixture(params=sorted(LOCALES))
def lang(request: Any) -> str:
    return str(request.param)


@pytest.fixture
def screen(browser: Any, lang: str) -> Iterator[Any]:
    context = browser.new_context(locale=LOCALES[lang], viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_a_district_officer_writes_signs_and_prints_the_daily_report(
    live_server: Any, transactional_db: None, city: SmallCity, screen: Any, lang: str
) -> None:
    rd = make_report_desk(city)
    yesterday = clock.today() - dt.timedelta(days=1)
    figures_refresh(day=yesterday)
    figures_refresh(day=clock.today())
    page = screen
    # the officer signs in and lands on the district's dashboard
    page.goto(f"{live_server.url}/login/?next=/command/")
    page.fill("#id_username", rd.desk.district.username)
    page.fill("#id_password", PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url("**/command/areas/**")
    assert page.locator("html").get_attribute("lang") == lang
    expect(page.get_by_test_id("area-title")).to_contain_text("天元区")
    # from there to the district's reports, and yesterday's report opened
    page.get_by_test_id("reports-link").click()
    expect(page.get_by_test_id("reports-title")).to_contain_text("天元区")
    day_input = page.get_by_test_id("open-report").locator("input[name=day]")
    expect(day_input).to_have_value(yesterday.isoformat())
    page.get_by_test_id("open-report").locator("button[type=submit]").click()
    expect(page.get_by_test_id("report-title")).to_contain_text("天元区")
    expect(page.get_by_test_id("report-figure").first).to_be_visible()
    expect(page.get_by_test_id("report-children")).to_contain_text("嵩山路街道")
    # the narrative written
    page.get_by_test_id("edit-narrative").click()
    page.locator("textarea[name=methods]").fill(NARRATIVE)
    page.get_by_test_id("save-narrative").click()
    expect(page.get_by_test_id("section-methods")).to_contain_text(NARRATIVE)
    page.screenshot(path=str(SHOTS / f"report-draft-{lang}.png"), full_page=True)
    # signed
    page.get_by_test_id("sign").click()
    expect(page.get_by_test_id("report-status")).to_contain_text("王区长")
    expect(page.get_by_test_id("sign-form")).to_have_count(0)
    report = DailyReport.objects.get()
    assert report.status == ReportStatus.SIGNED and NARRATIVE in report.content
    # and printed: the printable page, as the printer sees it
    page.get_by_test_id("print-link").click()
    sheet = page.get_by_test_id("report")
    expect(sheet).to_contain_text(NARRATIVE)
    expect(page.get_by_test_id("sign-off")).to_contain_text("王区长")
    expect(page.get_by_test_id("hash")).to_contain_text(report.content_hash)
    with translation.override(lang):
        heading = gettext("Figures of the day")
    expect(page.get_by_test_id("report-figures")).to_contain_text(heading)
    page.emulate_media(media="print")
    expect(page.locator("header.topbar")).to_be_hidden()
    expect(page.get_by_test_id("print-bar")).to_be_hidden()
    expect(sheet).to_be_visible()
    page.screenshot(path=str(SHOTS / f"report-print-{lang}.png"), full_page=True)
    printed = page.pdf(format="A4")
    assert printed.startswith(b"%PDF")
    (SHOTS / f"report-print-{lang}.pdf").write_bytes(printed)
    body = page.locator("body").inner_text()
    assert "area_path" not in body and "workorders.open" not in body

    # the day's review meeting, with an action for the street office
    page.emulate_media(media="screen")
    page.get_by_test_id("print-bar").get_by_role("link").click()
    page.get_by_test_id("report-links").locator("a").last.click()
    expect(page.get_by_test_id("meetings-title")).to_contain_text("天元区")
    page.locator("textarea[name=attendees]").fill("区防控办、嵩山路街道办")
    page.locator("textarea[name=notes]").fill("复盘当日采样情况")
    page.get_by_test_id("meeting-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("meeting")).to_contain_text("区防控办、嵩山路街道办")
    form = page.get_by_test_id("action-form")
    form.locator("input[name=text]").fill("增设夜间采样点")
    form.locator("select[name=owner_id]").select_option(label="嵩山路街道办")
    due = clock.now() + dt.timedelta(days=1)
    form.locator("input[name=due_at]").fill(due.astimezone().strftime("%Y-%m-%dT%H:%M"))
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("action")).to_contain_text("增设夜间采样点")
    expect(page.get_by_test_id("action")).to_contain_text("嵩山路街道办")
    page.screenshot(path=str(SHOTS / f"meeting-{lang}.png"), full_page=True)
