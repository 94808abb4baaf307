"""Lifeline units in a real browser, in Chinese and in English: the power plant's duty
desk reports its daily burn and coal on the unit's page (a negative value is refused on
the form), the days of cover drop below the threshold, and the command centre finds the
problem with its guidance on its board. No page shows a login name or a raw key."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from lifeline.continuity.models import FigureReport, Problem
from lifeline.continuity.tests.helpers import COAL_GUIDANCE, make_plants
from lifeline.testing.factories import SmallCity
from lifeline.testing.shots import screenshots_dir

pytestmark = pytest.mark.browser

SHOTS = screenshots_dir("continuity")
PASSWORD = "pass-word-123"
RAW = re.compile(r"days_of_cover|lifeline_problem|area_path|power_desk|cont_command|_at\b")

WORDS = {
    "zh-hans": {
        "locale": "zh-CN",
        "report": "报告数值",
        "saved": "报告已保存。",
        "negative": "数值不能为负数。",
        "open_problems": "未解决的问题",
        "dispatched": "已派单",
    },
    "en": {
        "locale": "en-US",
        "report": "Report figure",
        "saved": "Report saved.",
        "negative": "A figure cannot be negative.",
        "open_problems": "Open problems",
        "dispatched": "Dispatched",
    },
}


@pytest.fixture(params=sorted(WORDS))
def lang(request: Any) -> str:
    return str(request.param)


@pytest.fixture
def desks(browser: Any, lang: str) -> Iterator[tuple[Any, Any]]:
    contexts = [
        browser.new_context(locale=WORDS[lang]["locale"], viewport={"width": 1280, "height": 900})
        for _ in range(2)
    ]
    found = []
    for context in contexts:
        page = context.new_page()
        page.set_default_timeout(15_000)
        found.append(page)
    yield found[0], found[1]
    for context in contexts:
        context.close()


def _login(page: Any, url: str, username: str, target: str) -> None:
    page.goto(f"{url}/login/?next={target}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(f"**{target}")


def _report(page: Any, figure_pk: int, value: str) -> None:
    form = page.get_by_test_id("figure-form")
    form.locator("select[name=figure]").select_option(str(figure_pk))
    form.locator("input[name=value]").fill(value)
    form.locator("button[type=submit]").click()


def _clean(page: Any) -> None:
    text = str(page.locator("body").inner_text())
    assert not RAW.search(text), RAW.search(text)


def test_duty_desk_reports_coal_and_the_command_centre_sees_the_problem(
    live_server: Any,
    transactional_db: None,
    city: SmallCity,
    desks: tuple[Any, Any],
    lang: str,
) -> None:
    words = WORDS[lang]
    desk, command = desks
    plants = make_plants(city)
    for user, name in ((plants.power_desk, "电厂值班员"), (plants.command, "指挥部值班员")):
        user.display_name = name
        user.save(update_fields=["display_name"])
    unit_url = f"/continuity/units/{plants.power.pk}/"

    # the power plant's duty desk reports a negative value: refused on the form
    _login(desk, live_server.url, plants.power_desk.username, unit_url)
    expect(desk.get_by_test_id("figure-form")).to_contain_text(words["report"])
    _report(desk, plants.coal.pk, "-5")
    expect(desk.get_by_test_id("form-error")).to_contain_text(words["negative"])
    assert not FigureReport.objects.exists()

    # then its daily burn and coal: four days of cover
    _report(desk, plants.burn.pk, "12000")
    expect(desk.locator("body")).to_contain_text(words["saved"])
    _report(desk, plants.coal.pk, "48000")
    expect(desk.locator("body")).to_contain_text(words["saved"])
    expect(desk.get_by_test_id("figures")).to_contain_text("4.0")
    expect(desk.get_by_test_id("problems")).to_contain_text("存煤可用天数不足5天")
    desk.screenshot(path=str(SHOTS / f"duty-desk-{lang}.png"), full_page=True)
    _clean(desk)

    # the command centre sees the problem with its guidance on its board
    _login(command, live_server.url, plants.command.username, "/continuity/")
    expect(command.locator("h2", has_text=words["open_problems"])).to_be_visible()
    problems = command.get_by_test_id("problems")
    expect(problems).to_contain_text(COAL_GUIDANCE)
    expect(problems).to_contain_text(words["dispatched"])
    command.screenshot(path=str(SHOTS / f"command-{lang}.png"), full_page=True)
    _clean(command)
    assert Problem.objects.count() == 1
