"""Key users and a planned interruption in a real browser, in Chinese and in English: the
power company's duty desk plans an interruption of a feeder for Wednesday on a Monday,
sees the key users and households it affects (masked), is refused for too short notice;
the command centre publishes it with a reason and everyone affected is texted. No page
shows a full phone, a login name or a raw key."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from lifeline.core.clock import frozen_at
from lifeline.core.models import OutboxMessage
from lifeline.keyusers.models import Interruption, InterruptionStatus, KeyUserKind
from lifeline.keyusers.tests.helpers import (
    days_later,
    key_user,
    make_power_grid,
    monday,
    vulnerable_households,
)
from lifeline.testing.factories import SmallCity
from lifeline.testing.shots import screenshots_dir

pytestmark = pytest.mark.browser

SHOTS = screenshots_dir("keyusers")
PASSWORD = "pass-word-123"
RAW = re.compile(r"short_notice|not_draft|area_path|power_duty|home_life_support|_at\b")

WORDS = {
    "zh-hans": {
        "locale": "zh-CN",
        "new": "新建计划停电",
        "save": "保存",
        "saved": "草稿已保存。请核对受影响对象后再发布。",
        "key_users": "2 个保电用户受影响",
        "households": "3 户依赖供电的家庭",
        "publish": "发布并通知",
        "refused": "通知期不足",
        "published": "已发布：5 条短信正在发送。",
    },
    "en": {
        "locale": "en-US",
        "new": "New planned interruption",
        "save": "Save",
        "saved": "Draft saved. Check who it affects, then publish it.",
        "key_users": "2 key users affected",
        "households": "3 households with a need that depends on supply",
        "publish": "Publish and notify",
        "refused": "Too short notice",
        "published": "Published: 5 texts are on their way.",
    },
}


@pytest.fixture(params=sorted(WORDS))
def lang(request: Any) -> str:
    return str(request.param)


@pytest.fixture
def page(browser: Any, lang: str) -> Iterator[Any]:
    context = browser.new_context(
        locale=WORDS[lang]["locale"], viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/?next=/keyusers/interruptions/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url("**/keyusers/interruptions/")


def _clean(page: Any, *secrets: str) -> None:
    text = str(page.locator("body").inner_text())
    assert not RAW.search(text), RAW.search(text)
    for secret in secrets:
        assert secret not in text


def test_a_short_notice_interruption_is_refused_then_published_by_the_command_centre(
    live_server: Any,
    transactional_db: None,
    city: SmallCity,
    page: Any,
    lang: str,
) -> None:
    words = WORDS[lang]
    grid = make_power_grid(city)
    key_user(grid, 1, grid.feeder_a, special_plan="改为集中隔离医院")
    key_user(
        grid,
        2,
        grid.feeder_a,
        kind=KeyUserKind.HOME_LIFE_SUPPORT,
        name="李秀英",
        contact_phone="13700009999",
    )
    key_user(grid, 3, grid.feeder_b)
    vulnerable_households(grid.buildings_a, 3, serial=6)
    for user, shown in ((grid.command, "指挥中心值班"), (grid.duty, "供电值班")):
        user.display_name = shown
        user.save()
    start = days_later(2).astimezone().strftime("%Y-%m-%dT%H:%M")
    end = days_later(2, 17).astimezone().strftime("%Y-%m-%dT%H:%M")
    with frozen_at(monday()):
        # the duty desk plans an interruption of feeder A for Wednesday
        _login(page, live_server.url, grid.duty.username)
        page.get_by_test_id("new-interruption").click()
        expect(page.locator("h1")).to_have_text(words["new"])
        form = page.get_by_test_id("keyusers-form")
        form.locator(f"input[name=supply_points][value='{grid.feeder_a.pk}']").check()
        form.locator("input[name=starts_at]").fill(start)
        form.locator("input[name=ends_at]").fill(end)
        form.locator("input[name=reason]").fill("线路检修")
        form.get_by_role("button", name=words["save"]).click()
        expect(page.locator("body")).to_contain_text(words["saved"])
        # and sees who it affects, masked
        expect(page.get_by_test_id("affected-key-users-title")).to_have_text(words["key_users"])
        expect(page.get_by_test_id("affected-households-title")).to_have_text(words["households"])
        expect(page.get_by_test_id("affected-key-users")).to_contain_text("李*英")
        _clean(page, "13700009999", "李秀英", grid.duty.username)
        # publishing on Monday for Wednesday is refused
        page.get_by_test_id("publish").click()
        expect(page.get_by_test_id("publish-error")).to_contain_text(words["refused"])
        assert OutboxMessage.objects.count() == 0
        page.screenshot(path=str(SHOTS / f"refused-{lang}.png"), full_page=True)
        _clean(page, "13700009999")
        draft = Interruption.objects.get()

        # the command centre publishes it with a reason
        page.context.clear_cookies()
        _login(page, live_server.url, grid.command.username)
        page.goto(f"{live_server.url}/keyusers/interruptions/{draft.pk}/")
        page.fill("input[name=override_reason]", "变压器过热，必须抢修")
        page.get_by_test_id("publish").click()
        expect(page.locator("body")).to_contain_text(words["published"])
        page.screenshot(path=str(SHOTS / f"published-{lang}.png"), full_page=True)
        _clean(page, "13700009999", grid.command.username)
    draft.refresh_from_db()
    assert draft.status == InterruptionStatus.PUBLISHED
    assert OutboxMessage.objects.count() == draft.notices_sent == 5
