"""A warehouse officer, in a real browser on a phone-sized screen: lands on the supplies
home, sees the parts open to them and a few figures, and downloads the HXL export of
distributions, which libhxl validates; in Chinese and in English."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from playwright.sync_api import expect

from lifeline.supplies.models import Item
from lifeline.supplies.selectors import exports
from lifeline.testing.factories import SmallCity
from lifeline.testing.shots import screenshots_dir

pytestmark = pytest.mark.browser
SHOTS = screenshots_dir("catalogue")

TEXTS: dict[str, dict[str, Any]] = {
    "zh-hans": {
        "h1": "物资保障",
        "parts": "您可以做的事",
        "exports": "导出",
        "figures": "概况",
        "hxl": "带 HXL 标签的 CSV",
        "first_title": "运单号",
        "absent": ("Supplies", "Exports", "Waybill"),
    },
    "en": {
        "h1": "Supplies",
        "parts": "What you can do here",
        "exports": "Exports",
        "figures": "At a glance",
        "hxl": "HXL-tagged CSV",
        "first_title": "Waybill",
        "absent": ("概况", "您可以做的事", "导出"),
    },
}


@pytest.fixture(autouse=True)
def _catalogue(transactional_db: None) -> None:
    # A flush between transactional tests empties the seeded catalogue.
    if not Item.objects.exists():
        seed = import_module("lifeline.supplies.migrations.0002_seed_catalogue").seed
        seed(apps, None)


def test_a_warehouse_officer_lands_on_supplies_and_downloads_the_hxl_export(
    live_server: Any, browser: Any, city: SmallCity
) -> None:
    from lifeline.supplies.tests.test_exports_files import make_distributions

    # given a logistics warehouse that has sent three lines
    world = make_distributions(city)
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/login/?next=/supplies/")
    page.fill("#id_username", world.officer.username)
    page.fill("#id_password", "pass-word-123")
    page.click("form.stacked button[type=submit]")
    page.wait_for_url("**/supplies/")

    for lang in ("zh-hans", "en"):
        texts = TEXTS[lang]
        if lang == "en":
            page.locator(".langswitch button[value=en]").click()
            page.wait_for_url("**/supplies/")
        # then the page is in the language, with the parts open to the officer
        expect(page.locator("html")).to_have_attribute("lang", lang)
        expect(page.locator("h1")).to_have_text(texts["h1"])
        parts = page.get_by_test_id("supplies-parts")
        expect(parts).to_contain_text(texts["parts"])
        expect(parts.locator('[data-part="supplies:exports"]')).to_contain_text(texts["exports"])
        expect(parts.locator('[data-part="supplies:packages"]')).to_have_count(0)
        figures = page.get_by_test_id("supplies-figures")
        expect(figures).to_contain_text(texts["figures"])
        expect(figures).to_contain_text("物资保障组仓库")
        for hidden in texts["absent"]:
            expect(page.locator("main")).not_to_contain_text(hidden)
        page.screenshot(path=str(SHOTS / f"supplies-home-{lang}.png"), full_page=True)

        # when the officer opens the exports and downloads the HXL file
        parts.locator('[data-part="supplies:exports"] a').click()
        page.wait_for_url("**/supplies/exports/")
        link = page.locator('[data-testid=export-links] a[data-format="hxl"]')
        expect(link).to_have_text(texts["hxl"])
        page.screenshot(path=str(SHOTS / f"supplies-exports-{lang}.png"), full_page=True)
        with page.expect_download() as download_info:
            link.click()
        content = Path(download_info.value.path()).read_bytes()
        # then it has the titles in the page's language, the HXL hashtags, and validates
        lines = content.decode("utf-8-sig").splitlines()
        assert lines[0].startswith(texts["first_title"] + ","), lines[0]
        assert lines[1].startswith("#meta+waybill,#org+name,"), lines[1]
        assert len(lines) == 5
        assert exports.hxl_problems(content) == []
        assert "13800138000" not in content.decode("utf-8-sig")
        page.goto(f"{live_server.url}/supplies/")
    context.close()
