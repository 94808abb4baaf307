"""Enterprises in closed loop in a real browser (desktop), in Chinese and in English: the
district's enterprise liaison opens the list (status and compliance), the bridge
project's page (those behind on tests, to be tested by 20:00, names masked) and reports a
positive in the crew's loop: the loop is suspended and its truck stopped. No page shows a
full name, a full phone, a login name or a stored key."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import expect

from lifeline.core import clock
from lifeline.enterprises.models import Bubble, LoopStatus
from lifeline.enterprises.tests.helpers import CONTACT_PHONE, give_tests, make_crew
from lifeline.testing.factories import SmallCity

pytestmark = pytest.mark.browser

PASSWORD = "pass-word-123"
RAW = re.compile(r"area_path|enterprise_liaison|status_reason|_at\b")

WORDS = {
    "zh-hans": {
        "locale": "zh-CN",
        "working": "闭环生产中",
        "behind": "未达标（7天5检）",
        "due": "请于今天 20:00 前完成检测。",
        "report": "报告阳性",
        "save": "保存",
        "done": "闭环已暂停，已通知企业联系人和区里。",
        "suspended": "暂停：闭环内出现阳性",
        "stopped": "因阳性停用",
    },
    "en": {
        "locale": "en-US",
        "working": "Working in closed loop",
        "behind": "Behind on tests (5 in 7 days)",
        "due": "To be tested by 20:00 today.",
        "report": "Report a positive",
        "save": "Save",
        "done": "The loop is suspended; the contact and the district are told.",
        "suspended": "Suspended: a positive in the loop",
        "stopped": "Stopped by a positive",
    },
}


@pytest.fixture(params=sorted(WORDS))
def lang(request: Any) -> str:
    lang = str(request.param)
    if lang == "zh-hans":
        with translation.override("zh-hans"):
            if translation.gettext("Working in closed loop") == "Working in closed loop":
                pytest.skip("the zh-Hans strings of enterprises are not applied yet")
    return lang


@pytest.fixture
def desk(browser: Any, lang: str) -> Iterator[Any]:
    context = browser.new_context(
        locale=WORDS[lang]["locale"], viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _clean(page: Any, *secrets: str) -> None:
    text = str(page.locator("body").inner_text())
    assert not RAW.search(text), RAW.search(text)
    for secret in secrets:
        assert secret not in text


def test_the_liaison_sees_who_is_behind_and_reports_a_positive(
    live_server: Any, transactional_db: None, city: SmallCity, desk: Any, lang: str
) -> None:
    words = WORDS[lang]
    crew = make_crew(city)
    crew.liaison.display_name = "赵联络"
    crew.liaison.save()
    today = clock.today()
    for person in crew.people[:2]:
        give_tests(person, [today - dt.timedelta(days=n) for n in range(5)])

    # the liaison signs in and opens the enterprises
    desk.goto(f"{live_server.url}/login/?next=/enterprises/")
    desk.fill("#id_username", crew.liaison.username)
    desk.fill("#id_password", PASSWORD)
    desk.click("form.stacked button[type=submit]")
    desk.wait_for_url("**/enterprises/")
    table = desk.get_by_test_id("enterprises")
    expect(table).to_contain_text("湘江大桥项目部")
    expect(table).to_contain_text(words["working"])
    expect(desk.get_by_test_id("compliance")).to_have_text("50%")

    # the bridge project's page: two behind, to be tested by 20:00, names masked
    desk.click("text=湘江大桥项目部")
    expect(desk.locator("h2", has_text=words["behind"])).to_be_visible()
    expect(desk.get_by_test_id("due-by")).to_have_text(words["due"])
    expect(desk.get_by_test_id("behind").locator("tbody tr")).to_have_count(2)
    expect(desk.get_by_test_id("vehicles")).to_contain_text("湘B12345")
    _clean(desk, "施工员2", "外地工人", "王建国", CONTACT_PHONE, crew.liaison.username)

    # the liaison reports a positive in the crew's loop
    desk.get_by_test_id("positive-new").click()
    desk.select_option("#id_bubble", str(crew.bubble.pk))
    desk.click(f"form.stacked button:has-text('{words['save']}')")
    expect(desk.locator("body")).to_contain_text(words["done"])
    expect(desk.get_by_test_id("status")).to_contain_text(words["suspended"])
    expect(desk.get_by_test_id("vehicles")).to_contain_text(words["stopped"])
    assert Bubble.objects.get(pk=crew.bubble.pk).status == LoopStatus.SUSPENDED
    _clean(desk, "施工员2", CONTACT_PHONE, crew.liaison.username)
