"""A warehouse officer, in a real browser: receives vegetables in 斤 and N95 masks in boxes
of 20, tries to issue more than is in stock and is told which item is short and by how
much, in Chinese and in English; nothing is written by the refused issue."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from lifeline.supplies.models import LedgerEntry, Lot
from lifeline.supplies.tests.scope_cases_stock import make_officer, make_unit, make_warehouse
from lifeline.testing.factories import SmallCity
from lifeline.testing.shots import screenshots_dir

pytestmark = pytest.mark.browser
SHOTS = screenshots_dir("stock")


def test_an_officer_receives_in_units_and_is_told_what_is_short(
    live_server: Any, transactional_db: None, browser: Any, city: SmallCity
) -> None:
    # given a logistics warehouse of the district and its officer
    unit = make_unit("U-LOG", "区物资保障组")
    warehouse = make_warehouse("WH-1", unit=unit, area=city.district, name="天元区物资仓库")
    make_officer("officer", unit=unit, area=city.district)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/login/?next=/supplies/stock/")
    page.fill("#id_username", "officer")
    page.fill("#id_password", "pass-word-123")
    page.click("form.stacked button[type=submit]")
    page.wait_for_url("**/supplies/stock/")

    # when the officer opens the warehouse and receives 200 斤 of vegetables
    expect(page.locator("h1")).to_have_text("仓库")
    page.get_by_role("link", name="天元区物资仓库").click()
    receive = page.locator("[data-testid=receive-form]")
    receive.locator("#id_receive_item").select_option(label="蔬菜 · 公斤")
    receive.locator("#id_receive_quantity").fill("200")
    receive.locator("#id_receive_unit").select_option(label="斤")
    receive.get_by_role("button", name="入库").click()
    # then the stock shows 100 kg of vegetables
    expect(page.locator(".messages")).to_contain_text("已入库 蔬菜 100 公斤")
    expect(page.locator("[data-testid=stock]")).to_contain_text("100 公斤")

    # when 300 斤 are issued (150 kg, more than the 100 in stock)
    before = (Lot.objects.count(), LedgerEntry.objects.count())
    issue = page.locator("[data-testid=issue-form]")
    issue.locator("#id_issue_item").select_option(label="蔬菜 · 公斤")
    issue.locator("#id_issue_quantity").fill("300")
    issue.locator("#id_issue_unit").select_option(label="斤")
    issue.locator("#id_issue_reason").fill("社区团购")
    issue.get_by_role("button", name="出库发放").click()
    # then the form says which item is short and by how much, and nothing was written
    errors = page.locator("[data-testid=issue-form] [data-testid=form-errors]")
    expect(errors).to_contain_text("蔬菜 库存不足：需要 150 公斤，库存 100，缺 50。")
    assert (Lot.objects.count(), LedgerEntry.objects.count()) == before
    page.screenshot(path=str(SHOTS / "short-zh.png"), full_page=True)

    # when the page is switched to English and two boxes of 20 N95 masks are received
    page.goto(f"{live_server.url}/supplies/stock/warehouses/{warehouse.pk}/")
    page.locator(".langswitch button[value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    receive = page.locator("[data-testid=receive-form]")
    receive.locator("#id_receive_item").select_option(label="N95 mask · piece")
    receive.locator("#id_receive_quantity").fill("2")
    receive.locator("#id_receive_unit").select_option(label="box of 20")
    receive.locator("#id_receive_lot_no").fill("N-2024-07")
    receive.get_by_role("button", name="Receive").click()
    # then without its expiry date the lot is refused
    expect(receive.locator("[data-field=expires_on] .error")).to_contain_text(
        "Give the expiry date of this item."
    )
    receive.locator("#id_receive_expires_on").fill("2030-06-30")
    receive.get_by_role("button", name="Receive").click()
    expect(page.locator(".messages")).to_contain_text("Received 40 piece of N95 mask")
    expect(page.locator("[data-testid=stock]")).to_contain_text("N95 mask")

    # when three boxes are issued
    issue = page.locator("[data-testid=issue-form]")
    issue.locator("#id_issue_item").select_option(label="N95 mask · piece")
    issue.locator("#id_issue_quantity").fill("3")
    issue.locator("#id_issue_unit").select_option(label="box of 20")
    issue.locator("#id_issue_reason").fill("Street checkpoint")
    issue.get_by_role("button", name="Issue").click()
    # then the short message names the masks and the missing 20, in English
    errors = page.locator("[data-testid=issue-form] [data-testid=form-errors]")
    expect(errors).to_contain_text("Not enough N95 mask: 60 piece asked, 40 in stock, short by 20.")
    expect(page.locator("body")).not_to_contain_text("库存不足")
    page.screenshot(path=str(SHOTS / "short-en.png"), full_page=True)
    # and the lot is shown by its number and expiry on the movements
    expect(page.locator("[data-testid=ledger]")).to_contain_text("N-2024-07, expires 2030-06-30")
    context.close()
