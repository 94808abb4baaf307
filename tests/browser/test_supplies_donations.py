"""The donation desk in a real browser (a PC): an officer of the logistics group records
the Red Cross pledge, receives it line by line and opens the donor's trace and its
printable report; once in Chinese, once in English."""

from __future__ import annotations

import re
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps
from playwright.sync_api import expect

from lifeline.supplies.models import Item, Pledge
from lifeline.supplies.tests.scope_cases_donations import make_donations_world
from lifeline.testing.factories import SmallCity
from lifeline.testing.shots import screenshots_dir

pytestmark = pytest.mark.browser
SHOTS = screenshots_dir("donations")
RAW = re.compile(r"\{%|\{\{|%\(|msgid|protective_suit|alcohol_500ml|WH-LOG|U-LOG|supplies\.")

WORDS = {
    "zh-hans": {
        "new": "登记物资捐赠",
        "save": "登记捐赠",
        "saved": "捐赠已登记。",
        "receive": "入库",
        "received": "收货已登记。",
        "status": "已接收",
        "trace": "捐赠方物资去向",
        "balanced": "每一件实收物资均有去向",
        "print": "打印去向报告",
        "report": "捐赠物资去向报告",
    },
    "en": {
        "new": "Record a pledge of goods",
        "save": "Record the pledge",
        "saved": "The pledge is recorded.",
        "receive": "Receive",
        "received": "The receipt is recorded.",
        "status": "Received",
        "trace": "The donor's trace",
        "balanced": "Every unit received is accounted for",
        "print": "Printable trace",
        "report": "Trace of the donations of",
    },
}


@pytest.fixture(autouse=True)
def _catalogue(transactional_db: None) -> None:
    # A flush between transactional tests empties the seeded catalogue.
    if not Item.objects.exists():
        import_module("lifeline.supplies.migrations.0002_seed_catalogue").seed(apps, None)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_officer_records_receives_and_traces_the_red_cross_pledge(
    live_server: Any, browser: Any, city: SmallCity, language: str
) -> None:
    w = make_donations_world(city)
    words = WORDS[language]
    locale = "zh-CN" if language == "zh-hans" else "en-US"
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/login/?next=/supplies/donations/")
    page.fill("#id_username", "officer_b")
    page.fill("#id_password", "pass-word-123")
    page.click("form.stacked button[type=submit]")
    page.wait_for_url("**/supplies/donations/")
    if language == "en":
        page.locator(".langswitch button[value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", language)

    # when the officer records the company's pledge through the Red Cross
    page.get_by_role("link", name=words["new"]).first.click()
    page.select_option("#id_donor", label="某科技有限公司")
    page.select_option("#id_channel", label="天元区红十字会")
    page.select_option("#id_warehouse", value=str(w.warehouse_b.pk))
    page.fill("#id_value", "180000")
    rows = [
        ("protective_suit", "3000", ""),
        ("n95", "550", "n95_box20"),
        ("alcohol_500ml", "3500", ""),
    ]
    for i, (code, quantity, unit) in enumerate(rows):
        page.select_option(f"#id_item_{i}", value=str(Item.objects.get(code=code).pk))
        page.fill(f"#id_quantity_{i}", quantity)
        if unit:
            page.select_option(f"#id_unit_{i}", value=unit)
    page.get_by_role("button", name=words["save"]).click()
    # then the pledge shows its three lines, 11,000 masks among them
    expect(page.locator(".messages")).to_contain_text(words["saved"])
    lines = page.locator("[data-testid=pledge-line]")
    expect(lines).to_have_count(3)
    expect(lines.nth(1)).to_contain_text("11000")

    # when each line is received in full
    for i, quantity in enumerate(("3000", "11000", "3500")):
        line = page.locator("[data-testid=pledge-line]").nth(i)
        line.locator("input[name=r-received]").fill(quantity)
        line.locator("input[name=r-lot_no]").fill(f"L{i}")
        line.locator("input[name=r-expires_on]").fill("2030-12-31")
        line.get_by_role("button", name=words["receive"]).click()
        expect(page.locator(".messages")).to_contain_text(words["received"])
    # then the pledge is received and the thank-you is queued
    expect(page.locator("[data-testid=pledge-status]")).to_have_text(words["status"])
    pledge = Pledge.objects.filter(donor=w.donor_b).order_by("-pk").first()
    assert pledge is not None and pledge.thanked_at is not None
    body = page.locator("body")
    expect(body).not_to_contain_text("13812345678")
    assert not RAW.search(page.content().split("<body", 1)[1]), "raw codes on the page"
    page.screenshot(path=str(SHOTS / f"pledge-{language}.png"), full_page=True)

    # when the donor's trace is opened
    page.get_by_role("link", name=words["trace"]).click()
    trace = page.locator("[data-testid=trace]")
    expect(trace.locator("[data-testid=balance]")).to_contain_text(words["balanced"])
    expect(trace.locator("[data-testid=in-stock]").first).to_be_visible()
    page.screenshot(path=str(SHOTS / f"donor-{language}.png"), full_page=True)
    # and its printable report: no navigation, the same trace
    page.get_by_role("link", name=words["print"]).click()
    expect(page.locator("h1")).to_contain_text(words["report"])
    expect(page.locator(".topbar")).to_have_count(0)
    expect(page.locator("[data-testid=trace-summary] tbody tr")).to_have_count(5)
    page.screenshot(path=str(SHOTS / f"print-{language}.png"), full_page=True)
    context.close()
