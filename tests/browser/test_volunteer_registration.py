"""A resident becomes a volunteer on a 390x844 phone, in Chinese and in English: proves the
phone, registers with a community (consent first: without it the form is held back and
nothing is written), waits for approval; the coordinator approves on a desktop; the
volunteer then marks a time they cannot serve. No page shows a full phone, a login name or
a stored key."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from lifeline.core.models import OutboxMessage
from lifeline.testing.factories import SmallCity
from lifeline.testing.shots import screenshots_dir
from lifeline.volunteers.models import Unavailability, Volunteer
from lifeline.volunteers.tests.helpers import make_duty

pytestmark = pytest.mark.browser

SHOTS = screenshots_dir("volunteers")
RAW = re.compile(r"org_kind|max_day|area_path|vol_coord|pending\b|_at\b")
PHONE = "13907310999"
PASSWORD = "pass-word-123"

WORDS = {
    "zh-hans": {
        "locale": "zh-CN",
        "register": "登记成为志愿者",
        "submit": "登记",
        "thanks": "谢谢！社区志愿者协调员审核后即可生效。",
        "approve": "批准",
        "away": "我不能值班的时间",
        "noted": "已记录：这段时间不会给您排班。",
    },
    "en": {
        "locale": "en-US",
        "register": "Register as a volunteer",
        "submit": "Register",
        "thanks": "Thank you! The coordinator of the community approves your registration.",
        "approve": "Approve",
        "away": "Times I can't serve",
        "noted": "Noted: you will not be booked then.",
    },
}


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


@pytest.fixture(params=sorted(WORDS))
def lang(request: Any) -> str:
    return str(request.param)


def test_a_resident_registers_on_a_phone_is_approved_and_marks_a_time_away(
    live_server: Any, transactional_db: None, city: SmallCity, browser: Any, lang: str
) -> None:
    words = WORDS[lang]
    duty = make_duty(city)
    duty.coordinator.display_name = "王协调"
    duty.coordinator.save()
    phone_ctx = browser.new_context(
        locale=words["locale"],
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    desk_ctx = browser.new_context(locale=words["locale"], viewport={"width": 1280, "height": 900})
    phone, desk = phone_ctx.new_page(), desk_ctx.new_page()
    for page in (phone, desk):
        page.set_default_timeout(15_000)

    # the resident proves the phone and finds it is not a volunteer's yet
    phone.goto(f"{live_server.url}/volunteers/v/")
    _prove_phone(phone, PHONE)
    phone.wait_for_url("**/volunteers/v/")
    phone.get_by_test_id("register").click()
    form = phone.get_by_test_id("register-form")
    form.locator("select[name=area]").select_option(str(city.community.pk))
    form.locator("input[name=name]").fill("赵志愿")
    form.locator("input[name=skills][value=driver]").check()
    # without consent the phone's browser holds the form back: nothing is sent or written
    form.get_by_role("button", name=words["submit"], exact=True).click()
    expect(form.locator("input[name=consent]:invalid")).to_have_count(1)
    assert not Volunteer.objects.exists()
    phone.get_by_test_id("register-form").locator("input[name=consent]").check()
    phone.get_by_test_id("register-form").get_by_role(
        "button", name=words["submit"], exact=True
    ).click()
    expect(phone.locator("body")).to_contain_text(words["thanks"])
    phone.screenshot(path=str(SHOTS / f"registered-{lang}.png"), full_page=True)
    text = str(phone.locator("body").inner_text())
    assert not RAW.search(text), RAW.search(text)
    assert PHONE not in text
    person = Volunteer.objects.get()
    assert person.status == "pending" and person.consent_at is not None

    # the coordinator approves on a desktop
    desk.goto(f"{live_server.url}/login/?next=/volunteers/")
    desk.fill("#id_username", duty.coordinator.username)
    desk.fill("#id_password", PASSWORD)
    desk.click("form.stacked button[type=submit]")
    desk.wait_for_url("**/volunteers/")
    row = desk.get_by_test_id("volunteers").locator("tr", has_text="赵志愿")
    row.get_by_role("button", name=words["approve"]).click()
    expect(desk.get_by_test_id("volunteers").locator("tr", has_text="赵志愿")).not_to_contain_text(
        words["approve"]
    )
    assert Volunteer.objects.get().status == "active"
    assert duty.coordinator.username not in str(desk.locator("body").inner_text())

    # the volunteer marks tomorrow morning as a time away
    phone.goto(f"{live_server.url}/volunteers/v/")
    phone.get_by_role("link", name=words["away"]).click()
    phone.locator("input[name=starts_at]").fill(duty.tomorrow.strftime("%Y-%m-%dT08:00"))
    phone.locator("input[name=ends_at]").fill(duty.tomorrow.strftime("%Y-%m-%dT12:00"))
    phone.locator("form.stacked button[type=submit]").click()
    expect(phone.locator("body")).to_contain_text(words["noted"])
    phone.screenshot(path=str(SHOTS / f"away-{lang}.png"), full_page=True)
    assert Unavailability.objects.filter(volunteer=person).count() == 1
    phone_ctx.close()
    desk_ctx.close()
