"""A call for tomorrow's testing in a real browser, in Chinese and in English: the
coordinator sees the sampling session planned in the community, asks for 10 sampler-trained
helpers, lands on the new list with its live count and link to share; asking again for the
same session returns the same list. No page shows a login name or a stored key."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from lifeline.accounts.models import Role
from lifeline.screening.models import SessionKind, SiteKind
from lifeline.screening.services import session_create, site_create
from lifeline.testing.factories import SmallCity, make_user
from lifeline.testing.shots import screenshots_dir
from lifeline.volunteers.models import Shift
from lifeline.volunteers.tests.helpers import make_duty

pytestmark = pytest.mark.browser

SHOTS = screenshots_dir("volunteers")
PASSWORD = "pass-word-123"
RAW = re.compile(r"area_path|vol_coord|planner|session_id|\bsampler\b|regular")

WORDS = {
    "zh-hans": {
        "locale": "zh-CN",
        "open": "发起接龙",
        "opened": "接龙已发布。",
        "again": "该场次已发起过招募，就是这一条。",
        "count": "在岗 0 / 10 人，候补 0 人",
    },
    "en": {
        "locale": "en-US",
        "open": "Open the list",
        "opened": "The list is open.",
        "again": "This session already has a call: here it is.",
        "count": "0 of 10 on duty, 0 waiting",
    },
}


@pytest.fixture(params=sorted(WORDS))
def lang(request: Any) -> str:
    return str(request.param)


def test_a_coordinator_asks_for_helpers_for_tomorrows_testing(
    live_server: Any, transactional_db: None, city: SmallCity, browser: Any, lang: str
) -> None:
    words = WORDS[lang]
    duty = make_duty(city)
    duty.coordinator.display_name = "王协调"
    duty.coordinator.save()
    planner = make_user("planner", role=Role.COMMUNITY_STAFF, area=city.community)
    site = site_create(
        actor=planner,
        area_id=city.grid_a.pk,
        name="一号点",
        kind=SiteKind.FIXED,
        address="泰山路1号",
    )
    session_create(
        actor=planner,
        site_id=site.pk,
        kind=SessionKind.REGULAR,
        name="一号点上午场",
        starts_at=duty.tomorrow,
        ends_at=duty.tomorrow + dt.timedelta(hours=4, minutes=30),
    )
    context = browser.new_context(locale=words["locale"], viewport={"width": 1280, "height": 900})
    desk = context.new_page()
    desk.set_default_timeout(15_000)
    desk.goto(f"{live_server.url}/login/?next=/volunteers/")
    desk.fill("#id_username", duty.coordinator.username)
    desk.fill("#id_password", PASSWORD)
    desk.click("form.stacked button[type=submit]")
    desk.wait_for_url("**/volunteers/")

    desk.get_by_test_id("testing-calls").click()
    row = desk.get_by_test_id("testing-sessions").locator("tr", has_text="一号点上午场")
    expect(row).to_contain_text("泰山路1号")
    row.locator("input[name=capacity]").fill("10")
    row.locator("input[name=sampler]").check()
    desk.screenshot(path=str(SHOTS / f"testing-calls-{lang}.png"), full_page=True)
    row.get_by_role("button", name=words["open"]).click()

    expect(desk.locator("body")).to_contain_text(words["opened"])
    expect(desk.get_by_test_id("live-count")).to_have_text(words["count"])
    shift = Shift.objects.get()
    assert shift.capacity == 10 and shift.open_call and shift.skills == ["sampler"]
    text = str(desk.locator("body").inner_text())
    assert not RAW.search(text), RAW.search(text)

    desk.goto(f"{live_server.url}/volunteers/calls/testing/")
    desk.get_by_test_id("testing-sessions").get_by_role("button", name=words["open"]).click()
    expect(desk.locator("body")).to_contain_text(words["again"])
    assert Shift.objects.count() == 1
    context.close()
