"""Needs and allocation in a real browser: community staff raise a need on a phone; the
logistics officer runs a proposal, edits one line and approves it; in Chinese and in
English."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.db import transaction
from playwright.sync_api import expect

from lifeline.accounts.models import Role
from lifeline.core import clock
from lifeline.core.models import OutboxMessage
from lifeline.supplies.models import Item, Need, Shipment
from lifeline.supplies.services import ledger
from lifeline.supplies.tests.scope_cases_needs import item, logistics_setup
from lifeline.testing.factories import SmallCity, make_user
from lifeline.testing.shots import screenshots_dir

pytestmark = pytest.mark.browser
SHOTS = screenshots_dir("needs")
PASSWORD = "pass-word-123"
RAW = re.compile(r"\{%|\{\{|%\(|msgid|supplies\.[a-z_]+\b|n95_box20")


@pytest.fixture(autouse=True)
def _catalogue(transactional_db: None) -> None:
    # The item catalogue is seeded by a data migration that a flush empties.
    if not Item.objects.exists():
        import_module("lifeline.supplies.migrations.0002_seed_catalogue").seed(django_apps, None)


def _login(browser: Any, live_server: Any, username: str, path: str, width: int) -> Any:
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/login/?next={path}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(f"**{path}")
    return page


def _clean(page: Any) -> None:
    text = page.locator("body").inner_text()
    assert not RAW.search(text), RAW.search(text)


def test_staff_raise_a_need_and_the_officer_allocates_it(
    live_server: Any, browser: Any, city: SmallCity
) -> None:
    # given the logistics group with 300 N95 masks at the Red Cross, and community staff
    setup = logistics_setup(city, prefix="b")
    with transaction.atomic():  # the ledger's caller holds the transaction
        ledger.new_lot(
            actor=None,
            warehouse=setup["red_cross_store"],
            item=item("n95"),
            quantity=Decimal(300),
            expires_on=clock.today() + dt.timedelta(days=180),
        )
    make_user("b_staff", role=Role.COMMUNITY_STAFF, area=city.community)

    # when the staff raise a need on their phone: 10 boxes of 20 N95 for grid B's checkpoint
    page = _login(browser, live_server, "b_staff", "/supplies/needs/", 390)
    expect(page.locator("h1")).to_have_text("物资需求")
    form = page.locator("[data-testid=need-form]")
    form.locator("#id_area").select_option(label=city.grid_b.name)
    form.locator("#id_item").select_option(label="N95口罩")
    form.locator("#id_quantity").fill("10")
    form.locator("#id_unit_code").select_option(label="盒(20只)")
    form.locator("#id_for_whom").select_option(value="post")
    form.locator("#id_for_label").fill("二网格卡口")
    form.locator("#id_contact_name").fill("卡口赵")
    form.locator("#id_contact_phone").fill("13800005555")
    form.locator("button[type=submit]").click()
    # then the need is shown, in pieces, with the phone masked
    expect(page.locator(".messages")).to_contain_text("需求已提交。")
    expect(page.locator("[data-testid=need]")).to_contain_text("200 件")
    expect(page.locator("[data-testid=need]")).to_contain_text("138****5555")
    _clean(page)
    page.screenshot(path=str(SHOTS / "need-zh-phone.png"), full_page=True)
    need = Need.objects.get()

    # when the officer makes a proposal
    office = _login(browser, live_server, "b_officer", "/supplies/allocation/", 1280)
    expect(office.locator("[data-testid=objective]")).to_contain_text("公平分配")
    office.locator("[data-testid=propose] button[type=submit]").click()
    # then the proposal proves optimality and gives the need all 200
    expect(office.locator("h1")).to_contain_text("调配方案")
    expect(office.locator("[data-testid=solver]")).to_contain_text("OPTIMAL")
    expect(office.locator("[data-testid=solver]")).to_contain_text("已证明最优")
    row = office.locator(f"tr[data-need='{need.pk}']")
    expect(row.locator("[data-testid=short-by]")).to_have_text("0")
    # when the officer lowers the line to 150 pieces
    row.locator("input[name=quantity]").fill("150")
    row.get_by_role("button", name="修改").click()
    expect(office.locator(".messages")).to_contain_text("该行已修改。")
    row = office.locator(f"tr[data-need='{need.pk}']")
    expect(row.locator("[data-testid=short-by]")).to_have_text("50")
    _clean(office)
    office.screenshot(path=str(SHOTS / "proposal-zh.png"), full_page=True)
    # and approves it
    office.get_by_role("button", name="批准并生成发货单").click()
    expect(office.locator(".messages")).to_contain_text("已批准：已生成 1 张发货单")
    assert Shipment.objects.count() == 1 and Need.objects.get().allocated == 150
    assert OutboxMessage.objects.filter(recipient="13800005555").exists()

    # when the officer switches to English
    office.locator(".langswitch button[value=en]").click()
    expect(office.locator("html")).to_have_attribute("lang", "en")
    expect(office.locator("h1")).to_contain_text("Allocation proposal")
    expect(office.locator("h1")).to_contain_text("Approved")
    expect(office.locator("[data-testid=objective]")).to_contain_text("Fair shares when short")
    _clean(office)
    office.screenshot(path=str(SHOTS / "approved-en.png"), full_page=True)
    # and the staff's list in English
    page.goto(f"{live_server.url}/supplies/needs/?status=all")
    page.locator(".langswitch button[value=en]").click()
    expect(page.locator("h1")).to_have_text("Needs for supplies")
    expect(page.locator(f"tr[data-need='{need.pk}']")).to_contain_text("Partly allocated")
    _clean(page)
    page.screenshot(path=str(SHOTS / "needs-en-phone.png"), full_page=True)
