"""Volunteers in a real browser, in Chinese and in English: the coordinator opens a call
for 1 volunteer for tomorrow's testing (接龙) on a desktop and shares its link; a
volunteer opens the link on a 390x844 phone, proves the phone with the SMS code, comes
back to the list and signs up; a second is put on the waiting list, in the page's
language. No page shows a full phone, a login name or a stored key."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from lifeline.core.models import OutboxMessage
from lifeline.testing.factories import SmallCity
from lifeline.testing.shots import screenshots_dir
from lifeline.volunteers.models import Booking, Shift
from lifeline.volunteers.tests.helpers import make_duty, volunteer

pytestmark = pytest.mark.browser

SHOTS = screenshots_dir("volunteers")
PASSWORD = "pass-word-123"
RAW = re.compile(r"open_call|already_booked|area_path|vol_coord|not_active|_at\b")

WORDS = {
    "zh-hans": {
        "locale": "zh-CN",
        "new_call": "发起志愿者招募",
        "save": "保存",
        "opened": "接龙已发布。",
        "roll": "在岗 0 / 1 人，候补 0 人",
        "prove": "验证手机号后报名",
        "sign_up": "报名",
        "on_list": "您已报名成功。",
        "wait": "加入候补",
        "waiting": "名额已满：您是候补第 1 位。",
        "left": "已报名 1 / 1 人，候补 1 人",
    },
    "en": {
        "locale": "en-US",
        "new_call": "New call for volunteers",
        "save": "Save",
        "opened": "The list is open.",
        "roll": "0 of 1 on duty, 0 waiting",
        "prove": "Confirm my phone to sign up",
        "sign_up": "Sign up",
        "on_list": "You are on the list.",
        "wait": "Join the waiting list",
        "waiting": "The list is full: you are number 1 on the waiting list.",
        "left": "1 of 1 signed up, 1 waiting",
    },
}


@pytest.fixture(params=sorted(WORDS))
def lang(request: Any) -> str:
    return str(request.param)


def _context(browser: Any, lang: str, *, phone: bool) -> Any:
    size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    return browser.new_context(
        locale=WORDS[lang]["locale"], viewport=size, is_mobile=phone, has_touch=phone
    )


@pytest.fixture
def pages(browser: Any, lang: str) -> Iterator[tuple[Any, Any, Any]]:
    contexts = [_context(browser, lang, phone=p) for p in (False, True, True)]
    found = []
    for context in contexts:
        page = context.new_page()
        page.set_default_timeout(15_000)
        found.append(page)
    yield found[0], found[1], found[2]
    for context in contexts:
        context.close()


def _prove_phone(page: Any, number: str) -> None:
    page.fill("input[name=phone]", number)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url("**/r/code/")
    sms = OutboxMessage.objects.filter(recipient=number).order_by("-pk").first()
    assert sms is not None
    code = re.search(r"\b(\d{6})\b", sms.body)
    assert code is not None
    page.fill("input[name=code]", code[1])
    page.click("form.stacked button[type=submit]")


def _clean(page: Any, *secrets: str) -> None:
    text = str(page.locator("body").inner_text())
    assert not RAW.search(text), RAW.search(text)
    for secret in secrets:
        assert secret not in text


def test_a_call_is_opened_shared_and_filled_on_phones_first_come_first_served(
    live_server: Any,
    transactional_db: None,
    city: SmallCity,
    pages: tuple[Any, Any, Any],
    lang: str,
) -> None:
    words = WORDS[lang]
    desk, first_phone, second_phone = pages
    duty = make_duty(city)
    duty.coordinator.display_name = "王协调"
    duty.coordinator.save()
    first, second = volunteer(duty, 1), volunteer(duty, 2)

    # the coordinator opens a call for one volunteer for tomorrow's testing
    desk.goto(f"{live_server.url}/login/?next=/volunteers/")
    desk.fill("#id_username", duty.coordinator.username)
    desk.fill("#id_password", PASSWORD)
    desk.click("form.stacked button[type=submit]")
    desk.wait_for_url("**/volunteers/")
    desk.get_by_test_id("new-call").click()
    form = desk.get_by_test_id("volunteers-form")
    form.locator("select[name=post]").select_option(str(duty.post.pk))
    form.locator("input[name=capacity]").fill("1")
    form.get_by_role("button", name=words["save"]).click()
    expect(desk.locator("body")).to_contain_text(words["opened"])
    expect(desk.get_by_test_id("live-count")).to_have_text(words["roll"])
    link = desk.get_by_test_id("share-url").input_value()
    call = Shift.objects.get()
    assert link.endswith(f"/volunteers/v/calls/{call.pk}/")
    desk.screenshot(path=str(SHOTS / f"coordinator-{lang}.png"), full_page=True)
    _clean(desk, duty.coordinator.username)

    # a volunteer opens the shared link, proves the phone and is brought back to sign up
    first_phone.goto(link)
    first_phone.get_by_test_id("prove").click()
    _prove_phone(first_phone, first.phone)
    first_phone.wait_for_url(f"**/volunteers/v/calls/{call.pk}/")
    first_phone.get_by_role("button", name=words["sign_up"]).click()
    expect(first_phone.locator("body")).to_contain_text(words["on_list"])
    first_phone.screenshot(path=str(SHOTS / f"signed-up-{lang}.png"), full_page=True)
    _clean(first_phone, first.phone)

    # the second finds the list full and joins the waiting list
    second_phone.goto(link)
    second_phone.get_by_test_id("prove").click()
    _prove_phone(second_phone, second.phone)
    second_phone.wait_for_url(f"**/volunteers/v/calls/{call.pk}/")
    second_phone.get_by_role("button", name=words["wait"]).click()
    expect(second_phone.locator("body")).to_contain_text(words["waiting"])
    expect(second_phone.get_by_test_id("left")).to_have_text(words["left"])
    second_phone.screenshot(path=str(SHOTS / f"waiting-{lang}.png"), full_page=True)
    _clean(second_phone, second.phone)

    assert [b.status for b in Booking.objects.order_by("position")] == ["confirmed", "waiting"]
