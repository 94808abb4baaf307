"""The counselling line in a real browser: anyone opens the public list on a 390x844
phone without logging in and sees only the counsellors on duty now, each with a number to
tap; a counsellor logs a contact from the desk, anonymous, and sees it among their recent
contacts. No page shows a raw key, a login name or an off-duty counsellor."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import expect

from lifeline.counselling.models import Contact
from lifeline.counselling.tests.helpers import make_counselling, on_duty_now
from lifeline.testing.factories import SmallCity
from lifeline.testing.shots import screenshots_dir

pytestmark = pytest.mark.browser

SHOTS = screenshots_dir("counselling")
PASSWORD = "pass-word-123"
RAW = re.compile(r"consent_contact|follow_up|caller_phone|line_cou|_at\b")

WORDS = {
    "zh-hans": {
        "locale": "zh-CN",
        "title": "免费心理咨询热线",
        "on_duty": "正在值班",
        "log": "登记来电",
        "logged": "来电已登记。",
        "topic": "工作压力",
    },
    "en": {
        "locale": "en-US",
        "title": "Free counselling line",
        "on_duty": "On duty now",
        "log": "Log the contact",
        "logged": "The contact is logged.",
        "topic": "Work stress",
    },
}


def _zh_applied() -> bool:
    with translation.override("zh-hans"):
        return translation.gettext("Free counselling line") != "Free counselling line"


LANGS = [
    "en",
    pytest.param(
        "zh-hans",
        marks=pytest.mark.skipif(
            not _zh_applied(), reason="the new zh-Hans strings are not applied yet"
        ),
    ),
]


@pytest.fixture(params=LANGS)
def lang(request: Any) -> str:
    return str(request.param)


@pytest.fixture
def contexts(browser: Any, lang: str) -> Iterator[tuple[Any, Any]]:
    locale = WORDS[lang]["locale"]
    phone = browser.new_context(
        locale=locale, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    desk = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
    yield phone.new_page(), desk.new_page()
    phone.close()
    desk.close()


def _clean(page: Any, *secrets: str) -> None:
    text = str(page.locator("body").inner_text())
    assert not RAW.search(text), RAW.search(text)
    for secret in secrets:
        assert secret not in text


def test_the_public_list_on_a_phone_and_a_contact_logged_at_the_desk(
    live_server: Any,
    transactional_db: None,
    city: SmallCity,
    contexts: tuple[Any, Any],
    lang: str,
) -> None:
    words = WORDS[lang]
    phone, desk = contexts
    line = make_counselling(city, others=5)
    for counsellor in line.others[:3]:
        on_duty_now(line, counsellor)
    off_duty = line.others[3:]
    line.counsellor_user.display_name = "王值班"
    line.counsellor_user.save(update_fields=["display_name"])

    # Anyone, on a phone, without logging in
    phone.goto(f"{live_server.url}/counselling/")
    expect(phone.locator("h1")).to_have_text(words["title"])
    expect(phone.locator("body")).to_contain_text(words["on_duty"])
    cards = phone.get_by_test_id("counsellor")
    expect(cards).to_have_count(3)
    for counsellor in line.others[:3]:
        expect(phone.get_by_test_id("on-duty")).to_contain_text(counsellor.display_name)
    call = phone.get_by_test_id("call").first
    assert str(call.get_attribute("href")).startswith("tel:0731")
    box = call.bounding_box()
    assert box is not None and box["height"] >= 40 and box["x"] + box["width"] <= 390
    phone.screenshot(path=str(SHOTS / f"public-{lang}.png"), full_page=True)
    _clean(phone, *(c.display_name for c in off_duty), *(c.public_phone for c in off_duty))

    # A counsellor logs a contact from the desk, anonymous
    desk.goto(f"{live_server.url}/login/?next=/counselling/desk/")
    desk.fill("#id_username", line.counsellor_user.username)
    desk.fill("#id_password", PASSWORD)
    desk.click("form.stacked button[type=submit]")
    desk.wait_for_url("**/counselling/desk/")
    form = desk.get_by_test_id("contact-form")
    form.locator("select[name=topic]").select_option("work")
    form.locator("input[name=minutes]").fill("20")
    form.locator("select[name=outcome]").select_option("supported")
    form.get_by_role("button", name=words["log"]).click()
    expect(desk.locator("body")).to_contain_text(words["logged"])
    expect(desk.get_by_test_id("recent")).to_contain_text(words["topic"])
    desk.screenshot(path=str(SHOTS / f"desk-{lang}.png"), full_page=True)
    contact = Contact.objects.get()
    assert contact.caller_name == "" and contact.caller_phone == ""
    _clean(desk, line.counsellor_user.username)
