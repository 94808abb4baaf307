"""A roster in a real browser, in Chinese and in English: the coordinator asks for the
week's roster of a community, waits for the solver, reads the proposal with its gap and
the reason, takes someone off, publishes it, and sees it published. No page shows a
full phone, a login name or a stored key."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from lifeline.testing.factories import SmallCity
from lifeline.testing.shots import screenshots_dir
from lifeline.volunteers.models import Booking, Roster
from lifeline.volunteers.services.rosters import roster_run
from lifeline.volunteers.tests.helpers import make_duty, shift, volunteer

pytestmark = pytest.mark.browser

SHOTS = screenshots_dir("volunteers")
PASSWORD = "pass-word-123"
RAW = re.compile(r"no_one_free|time_limit|area_path|vol_coord|OPTIMAL|FEASIBLE|_at\b")

WORDS = {
    "zh-hans": {
        "locale": "zh-CN",
        "make": "生成排班",
        "asked": "正在生成排班。",
        "proposed": "待发布",
        "gap": "缺 1 人：能上这个班的人都已请假、有班或到了上限",
        "removed": "已从排班中移除。",
        "publishing": "排班正在发布：排上的人都会被登记并收到通知。",
        "published": "已发布",
    },
    "en": {
        "locale": "en-US",
        "make": "Make the roster",
        "asked": "The solver is making the roster.",
        "proposed": "Proposed",
        "gap": "1 missing: everyone who could take it is away, busy or at a limit",
        "removed": "Taken off the roster.",
        "publishing": "The roster is being published: everyone on it is booked and told.",
        "published": "Published",
    },
}


@pytest.fixture(params=sorted(WORDS))
def lang(request: Any) -> str:
    return str(request.param)


def test_a_coordinator_makes_edits_and_publishes_a_roster(
    live_server: Any, transactional_db: None, city: SmallCity, browser: Any, lang: str
) -> None:
    words = WORDS[lang]
    duty = make_duty(city)
    duty.coordinator.display_name = "王协调"
    duty.coordinator.save()
    shift(duty, 0, 4, capacity=2, open_call=False)
    shift(duty, 13, 4, capacity=3, open_call=False)
    volunteer(duty, 1)
    volunteer(duty, 2)
    context = browser.new_context(locale=words["locale"], viewport={"width": 1280, "height": 900})
    desk = context.new_page()
    desk.set_default_timeout(15_000)

    desk.goto(f"{live_server.url}/login/?next=/volunteers/")
    desk.fill("#id_username", duty.coordinator.username)
    desk.fill("#id_password", PASSWORD)
    desk.click("form.stacked button[type=submit]")
    desk.wait_for_url("**/volunteers/")
    desk.get_by_test_id("rosters").click()
    form = desk.get_by_test_id("roster-form")
    form.locator("select[name=area]").select_option(str(city.community.pk))
    form.locator("input[name=time_limit]").fill("5")
    form.get_by_role("button", name=words["make"]).click()
    expect(desk.locator("body")).to_contain_text(words["asked"])
    expect(desk.get_by_test_id("roster-progress")).to_be_visible()

    # the worker solves it; the waiting page reloads by itself
    roster_run(roster_id=Roster.objects.get().pk)
    expect(desk.get_by_test_id("roster-status")).to_have_text(words["proposed"], timeout=20_000)
    expect(desk.get_by_test_id("roster-figures")).to_contain_text("4 / 5")
    expect(desk.get_by_test_id("gap").filter(has_text=words["gap"])).to_have_count(1)
    desk.screenshot(path=str(SHOTS / f"roster-{lang}.png"), full_page=True)
    text = str(desk.locator("body").inner_text())
    assert not RAW.search(text), RAW.search(text)
    assert duty.coordinator.username not in text

    # take the first name off, then publish
    desk.locator("[data-testid=roster-day] form.inline button").first.click()
    expect(desk.locator("body")).to_contain_text(words["removed"])
    expect(desk.get_by_test_id("roster-figures")).to_contain_text("3 / 5")
    desk.get_by_test_id("publish").click()
    expect(desk.locator("body")).to_contain_text(words["publishing"])
    roster_run(roster_id=Roster.objects.get().pk)
    expect(desk.get_by_test_id("roster-status")).to_have_text(words["published"], timeout=20_000)
    assert Booking.objects.filter(source="roster").count() == 3
    context.close()
