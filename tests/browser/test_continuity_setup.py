"""Setting a lifeline unit up in a real browser, in Chinese and in English, at a phone's
width: the command centre adds a figure to the water works, a threshold on it with its
guidance and owner, and a critical role; a minimum that is not a number is refused on the
form; the unit's page then shows all three."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from lifeline.continuity.models import CriticalRole, Figure, Threshold
from lifeline.continuity.tests.helpers import make_plants
from lifeline.testing.factories import SmallCity
from lifeline.testing.shots import screenshots_dir

pytestmark = pytest.mark.browser

SHOTS = screenshots_dir("continuity")
PASSWORD = "pass-word-123"
RAW = re.compile(r"days_of_cover|lifeline_problem|area_path|cont_command|every_hours")

WORDS = {
    "zh-hans": {
        "locale": "zh-CN",
        "latest": "最新指标",
        "not_whole": "请输入整数。",
        "owner": "责任单位",
    },
    "en": {
        "locale": "en-US",
        "latest": "Latest figures",
        "not_whole": "Enter a whole number.",
        "owner": "Owner",
    },
}


@pytest.fixture(params=sorted(WORDS))
def lang(request: Any) -> str:
    return str(request.param)


@pytest.fixture
def phone(browser: Any, lang: str) -> Iterator[Any]:
    context = browser.new_context(
        locale=WORDS[lang]["locale"], viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _login(page: Any, url: str, username: str, target: str) -> None:
    page.goto(f"{url}/login/?next={target}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(f"**{target}")


def _submit(page: Any, fields: dict[str, str], selects: dict[str, str] | None = None) -> None:
    form = page.get_by_test_id("continuity-form")
    for name, value in (selects or {}).items():
        form.locator(f"select[name={name}]").select_option(value)
    for name, value in fields.items():
        form.locator(f"[name={name}]").fill(value)
    form.locator("button[type=submit]").click()


def _no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, width


def test_the_command_centre_sets_up_a_figure_threshold_and_role(
    live_server: Any, transactional_db: None, city: SmallCity, phone: Any, lang: str
) -> None:
    words = WORDS[lang]
    plants = make_plants(city)
    plants.command.display_name = "指挥部值班员"
    plants.command.save(update_fields=["display_name"])
    unit_url = f"/continuity/units/{plants.water.pk}/"
    _login(phone, live_server.url, plants.command.username, unit_url)
    expect(phone.locator("h2", has_text=words["latest"])).to_be_visible()

    # a figure: the stock of treatment chemicals, reported every 12 hours
    phone.get_by_test_id("figure-new").click()
    _submit(phone, {"name": "药剂库存", "unit_label": "t", "every_hours": "12"}, {"kind": "stock"})
    phone.wait_for_url(f"**{unit_url}")
    expect(phone.get_by_test_id("figures")).to_contain_text("药剂库存")
    figure = Figure.objects.get(name="药剂库存")

    # a threshold on it, with the guidance and owner its problem gets
    phone.get_by_test_id("threshold-new").click()
    _submit(
        phone,
        {
            "below": "20",
            "title": "药剂库存低于20吨",
            "guidance": "联系供应商紧急调运",
            "owner": "市水务局",
        },
        {"figure": str(figure.pk), "measure": "value"},
    )
    phone.wait_for_url(f"**{unit_url}")
    thresholds = phone.get_by_test_id("thresholds")
    expect(thresholds).to_contain_text("药剂库存低于20吨")
    expect(thresholds).to_contain_text("市水务局")
    expect(thresholds).to_contain_text(words["owner"])

    # a critical role: a minimum that is not a number is refused on the form
    phone.get_by_test_id("role-new").click()
    _submit(phone, {"name": "化验员", "minimum": "四", "guidance": "从二水厂借调"})
    expect(phone.get_by_test_id("continuity-form")).to_contain_text(words["not_whole"])
    _no_sideways_scroll(phone)
    phone.screenshot(path=str(SHOTS / f"setup-role-refused-{lang}.png"), full_page=True)
    assert not CriticalRole.objects.filter(name="化验员").exists()
    _submit(phone, {"minimum": "4"})
    phone.wait_for_url(f"**{unit_url}")
    expect(phone.get_by_test_id("roles")).to_contain_text("化验员")
    expect(phone.get_by_test_id("roles")).to_contain_text("从二水厂借调")
    phone.screenshot(path=str(SHOTS / f"setup-unit-{lang}.png"), full_page=True)
    text = str(phone.locator("body").inner_text())
    assert not RAW.search(text), RAW.search(text)
    assert Threshold.objects.get(title="药剂库存低于20吨").owner == "市水务局"
