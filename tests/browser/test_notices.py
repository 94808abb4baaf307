"""Public notices in a real browser, in Chinese and in English: a district officer drafts a
testing-times notice for three communities from its template and submits it; a second
officer approves it (the drafter is never offered the approval); the worker queues the
texts; a resident on a phone finds it on the board of their community and acknowledges it
from the link in the text. No page shows a full phone or a raw code."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from lifeline.core.models import OutboxMessage
from lifeline.notices.models import Notice, NoticeStatus
from lifeline.notices.services import notice_fanout
from lifeline.notices.tests.helpers import make_notices_city
from lifeline.testing.factories import SmallCity
from lifeline.testing.shots import screenshots_dir

pytestmark = pytest.mark.browser

SHOTS = screenshots_dir("notices")
PASSWORD = "pass-word-123"
RAW = re.compile(r"not_submitted|same_person|area_path|\b1\d{10}\b")

WORDS = {
    "zh-hans": {"locale": "zh-CN", "title": "核酸检测通知", "body": "明日采样时间 7:00-11:00"},
    "en": {"locale": "en-US", "title": "Testing notice", "body": "Sampling tomorrow 7:00-11:00"},
}


@pytest.fixture(params=sorted(WORDS))
def lang(request: Any) -> str:
    return str(request.param)


def _context(browser: Any, lang: str, *, phone: bool = False) -> Any:
    size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    context = browser.new_context(locale=WORDS[lang]["locale"], viewport=size)
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def contexts(browser: Any, lang: str) -> Iterator[list[Any]]:
    made = [_context(browser, lang), _context(browser, lang), _context(browser, lang, phone=True)]
    yield made
    for context in made:
        context.close()


def _login(page: Any, base: str, username: str, lang: str) -> None:
    page.goto(f"{base}/login/?next=/notices/staff/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url("**/notices/staff/")


def _clean(page: Any) -> None:
    text = str(page.locator("body").inner_text())
    assert not RAW.search(text), RAW.search(text)


def test_officer_drafts_another_approves_and_a_resident_acknowledges(
    live_server: Any, transactional_db: None, city: SmallCity, contexts: list[Any], lang: str
) -> None:
    words = WORDS[lang]
    w = make_notices_city(city)
    base = live_server.url
    drafter_ctx, approver_ctx, phone_ctx = contexts
    # the district officer drafts from the testing template for three communities
    page = drafter_ctx.new_page()
    _login(page, base, w.drafter.username, lang)
    page.click('[data-testid="new-testing"]')
    page.select_option("#id_areas", [str(c.pk) for c in w.communities])
    page.fill("#id_title_zh", "核酸检测通知")
    page.fill("#id_title_en", "Testing notice")
    page.fill("#id_body_zh", "明日采样时间 7:00-11:00，地点：社区广场。")
    page.fill("#id_body_en", "Sampling tomorrow 7:00-11:00 at the community square.")
    page.screenshot(path=str(SHOTS / f"1-draft-{lang}.png"), full_page=True)
    page.click('[data-testid="save-draft"]')
    page.click('[data-testid="submit"]')
    expect(page.locator('[data-testid="second-person"]')).to_be_visible()
    expect(page.locator('[data-testid="approve"]')).to_have_count(0)
    page.screenshot(path=str(SHOTS / f"2-submitted-{lang}.png"), full_page=True)
    _clean(page)
    notice = Notice.objects.get()
    assert notice.status == NoticeStatus.SUBMITTED
    # a second officer approves it
    other = approver_ctx.new_page()
    _login(other, base, w.approver.username, lang)
    other.click(f'[data-testid="waiting"] a[href="/notices/staff/{notice.pk}/"]')
    other.click('[data-testid="approve"]')
    expect(other.locator('[data-testid="households"]')).to_be_visible()
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.PUBLISHED and notice.approved_by_id == w.approver.pk
    # the worker queues one text per phone
    notice_fanout(notice_id=notice.pk)
    other.reload()
    expect(other.locator('[data-testid="texts"]')).to_have_text(str(len(w.households)))
    other.screenshot(path=str(SHOTS / f"3-published-{lang}.png"), full_page=True)
    _clean(other)
    # a resident of the third community finds it on the board, in the page's language
    phone = phone_ctx.new_page()
    phone.goto(f"{base}/notices/")
    phone.select_option('[data-testid="community"]', str(w.communities[2].pk))
    phone.click('[data-testid="choose-community"] button')
    expect(phone.locator('[data-testid="notice-title"]')).to_have_text(words["title"])
    expect(phone.locator('[data-testid="notice-body"]')).to_contain_text(words["body"])
    phone.screenshot(path=str(SHOTS / f"4-board-{lang}.png"), full_page=True)
    # and acknowledges from the link in the text
    text = OutboxMessage.objects.filter(object_id=str(notice.pk)).order_by("pk").last()
    link = re.search(r"/notices/a/[0-9a-z]+-[\w-]+", text.body)
    assert link is not None
    phone.goto(f"{base}{link.group(0)}")
    expect(phone.locator('[data-testid="notice-title"]')).to_have_text(words["title"])
    phone.click('[data-testid="ack-button"]')
    expect(phone.locator('[data-testid="ack-done"]')).to_be_visible()
    phone.screenshot(path=str(SHOTS / f"5-acknowledged-{lang}.png"), full_page=True)
    _clean(phone)
    notice.refresh_from_db()
    assert notice.acknowledged_count == 1
