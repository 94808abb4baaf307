"""Public notices before and after publication, in a real browser, in Chinese and in
English: the drafter edits a notice waiting for approval (it goes back to the drafts) and
submits it again; once published and past its 12 hours, the grid worker ticks two
households that did not confirm it on a phone and asks for door-to-door visits, which
show with their work orders' numbers. No page shows a full phone or a raw code."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext as _
from playwright.sync_api import expect

from lifeline.core import clock
from lifeline.notices.models import Notice, NoticeStatus
from lifeline.notices.services import notice_approve, notice_fanout, notice_submit
from lifeline.notices.tests.helpers import make_notices_city, sampling_notice
from lifeline.testing.factories import SmallCity
from lifeline.testing.shots import screenshots_dir
from lifeline.workorders.models import WorkOrder

pytestmark = pytest.mark.browser

SHOTS = screenshots_dir("notices")
PASSWORD = "pass-word-123"
RAW = re.compile(r"not_author|not_editable|area_path|notice_visit|\b1\d{10}\b|#\d+\b")
LOCALES = {"zh-hans": "zh-CN", "en": "en-US"}


def _words(lang: str) -> dict[str, str]:
    """The page's words as the catalogue has them (a new msgid reads as itself until it
    is translated)."""
    with translation.override(lang):
        return {"requested": _("Requested"), "draft": str(NoticeStatus.DRAFT.label)}


@pytest.fixture(params=sorted(LOCALES))
def lang(request: Any) -> str:
    return str(request.param)


@pytest.fixture
def contexts(browser: Any, lang: str) -> Iterator[tuple[Any, Any]]:
    desk = browser.new_context(locale=LOCALES[lang], viewport={"width": 1280, "height": 900})
    phone = browser.new_context(locale=LOCALES[lang], viewport={"width": 390, "height": 844})
    for context in (desk, phone):
        context.set_default_timeout(15_000)
    yield desk, phone
    desk.close()
    phone.close()


def _login(page: Any, base: str, username: str, then: str) -> None:
    page.goto(f"{base}/login/?next={then}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(f"**{then}")


def _clean(page: Any) -> None:
    text = str(page.locator("body").inner_text())
    assert not RAW.search(text), RAW.search(text)


def test_the_drafter_edits_and_the_worker_asks_for_visits(
    live_server: Any,
    transactional_db: None,
    city: SmallCity,
    contexts: tuple[Any, Any],
    lang: str,
) -> None:
    desk, phone = contexts
    w = make_notices_city(city)
    for user, name in ((w.drafter, "王起草"), (w.approver, "李审核"), (w.worker_a, "张网格")):
        user.display_name = name
        user.save(update_fields=["display_name"])
    notice = sampling_notice(w)
    notice_submit(actor=w.drafter, notice=notice)
    base = live_server.url
    # the drafter changes the time of the notice waiting for approval
    page = desk.new_page()
    _login(page, base, w.drafter.username, f"/notices/staff/{notice.pk}/")
    page.click('[data-testid="edit"]')
    expect(page.locator('[data-testid="resubmit"]')).to_be_visible()
    page.fill("#id_body_zh", "明日采样时间 8:00-12:00，地点：社区广场。")
    page.screenshot(path=str(SHOTS / f"6-edit-{lang}.png"), full_page=True)
    page.click('[data-testid="save-draft"]')
    expect(page.locator('[data-testid="status"]')).to_contain_text(_words(lang)["draft"])
    _clean(page)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.DRAFT and "8:00-12:00" in notice.body_zh
    page.click('[data-testid="submit"]')
    notice = notice_approve(actor=w.approver, notice=Notice.objects.get(pk=notice.pk))
    notice_fanout(notice_id=notice.pk)
    Notice.objects.filter(pk=notice.pk).update(published_at=clock.now() - dt.timedelta(hours=13))
    # the grid worker, on a phone, asks for visits to two households that did not confirm
    worker = phone.new_page()
    _login(worker, base, w.worker_a.username, "/notices/reach/")
    picks = worker.locator('[data-testid="visit-pick"]')
    expect(picks).to_have_count(3)
    picks.nth(0).check()
    picks.nth(1).check()
    worker.click('[data-testid="request-visits"]')
    worker.wait_for_url("**/notices/reach/")
    expect(worker.locator('[data-testid="visit-pick"]')).to_have_count(1)
    orders = list(WorkOrder.objects.filter(category__code="notice_visit").order_by("pk"))
    assert len(orders) == 2
    states = worker.locator('[data-testid="visit-state"]')
    expect(states.nth(0)).to_contain_text(_words(lang)["requested"])
    expect(worker.locator("body")).to_contain_text(orders[0].number)
    worker.screenshot(path=str(SHOTS / f"7-visits-{lang}.png"), full_page=True)
    _clean(worker)
