"""The counselling supervisor in a real browser: with two lines in the city, line A's
supervisor sees only line A's figures (on duty now, contacts, high-risk), opens the
high-risk contact, refers it to medical care because a life is at risk, and sees the
referral with its status on the contact and on their page. Nothing of line B shows, and
no page shows a raw key, a login name or the caller's story outside the line."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import expect

from lifeline.accounts.models import Membership, Role
from lifeline.counselling.models import Referral
from lifeline.counselling.services import contact_log
from lifeline.counselling.tests.helpers import make_counselling, on_duty_now
from lifeline.testing.factories import SmallCity
from lifeline.testing.shots import screenshots_dir

pytestmark = pytest.mark.browser

SHOTS = screenshots_dir("counselling")
PASSWORD = "pass-word-123"
RAW = re.compile(r"life_at_risk|to_phone|mental_health|line_sup|_at\b")

WORDS = {
    "zh-hans": {
        "locale": "zh-CN",
        "on_duty": "1 人正在值班",
        "refer": "转介",
        "recorded": "转介已记录。",
        "sent": "已转至医疗救助（工单）",
        "life": "生命有危险",
        "emergency": "急救（120）",
    },
    "en": {
        "locale": "en-US",
        "on_duty": "1 on duty now",
        "refer": "Refer",
        "recorded": "The referral is recorded.",
        "sent": "Sent to medical care (work order)",
        "life": "A life is at risk",
        "emergency": "Emergency (120)",
    },
}


def _zh_applied() -> bool:
    with translation.override("zh-hans"):
        return translation.gettext("Sent to medical care (work order)") != (
            "Sent to medical care (work order)"
        )


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
def page_for(browser: Any, lang: str) -> Iterator[Any]:
    context = browser.new_context(
        locale=WORDS[lang]["locale"], viewport={"width": 1280, "height": 900}
    )
    yield context.new_page()
    context.close()


def _clean(page: Any, *secrets: str) -> None:
    text = str(page.locator("body").inner_text())
    assert not RAW.search(text), RAW.search(text)
    for secret in secrets:
        assert secret not in text, secret


def test_the_supervisor_sees_their_line_and_refers_a_high_risk_contact(
    live_server: Any,
    transactional_db: None,
    city: SmallCity,
    page_for: Any,
    lang: str,
) -> None:
    words = WORDS[lang]
    page = page_for
    line_a = make_counselling(city, tag="A", others=1)
    line_b = make_counselling(city, tag="B", others=3)
    on_duty_now(line_a, line_a.counsellor)
    for counsellor in line_b.others:
        on_duty_now(line_b, counsellor)
    line_a.supervisor.display_name = "周督导"
    line_a.supervisor.save(update_fields=["display_name"])
    # The supervisor may also file work orders in the city (as the hotline does).
    Membership.objects.create(user=line_a.supervisor, role=Role.HOTLINE_OPERATOR, area=city.city)
    contact_log(
        actor=line_b.counsellor_user,
        line=line_b.line,
        topic="grief",
        outcome="supported",
        minutes=10,
        risk="high",
    )
    contact = contact_log(
        actor=line_a.counsellor_user,
        line=line_a.line,
        topic="family",
        outcome="supported",
        minutes=35,
        risk="high",
        area=city.community,
        note="丈夫失业",
    )

    page.goto(f"{live_server.url}/login/?next=/counselling/supervisor/")
    page.fill("#id_username", line_a.supervisor.username)
    page.fill("#id_password", PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url("**/counselling/supervisor/")

    # Only line A's figures: one on duty (line B has three), one high-risk contact
    expect(page.get_by_test_id("on-duty")).to_have_text(words["on_duty"])
    expect(page.get_by_test_id("high-risk").locator(".card")).to_have_count(1)
    expect(page.get_by_test_id("total")).to_have_text("1")
    page.screenshot(path=str(SHOTS / f"supervisor-{lang}.png"), full_page=True)
    _clean(page, *(c.display_name for c in line_b.others), line_b.line.name)

    # Open the high-risk contact and refer it: a life is at risk, with the reason
    page.get_by_test_id("high-risk").locator("a").first.click()
    page.wait_for_url(f"**/counselling/contacts/{contact.pk}/")
    form = page.get_by_test_id("referral-form")
    form.locator("select[name=to]").select_option("emergency")
    form.locator("select[name=basis]").select_option("life_at_risk")
    form.locator("input[name=reason]").fill("有具体计划，今晚危险")
    form.get_by_role("button", name=words["refer"]).click()
    expect(page.locator("body")).to_contain_text(words["recorded"])
    referral = Referral.objects.get()
    assert referral.status == "sent" and referral.order_number
    expect(page.get_by_test_id("referrals")).to_contain_text(words["sent"])
    expect(page.get_by_test_id("referrals")).to_contain_text(referral.order_number)
    page.screenshot(path=str(SHOTS / f"referred-{lang}.png"), full_page=True)
    _clean(page, line_a.supervisor.username)

    # The supervisor's page lists the referral with its status
    page.goto(f"{live_server.url}/counselling/supervisor/")
    referrals = page.get_by_test_id("referrals")
    expect(referrals).to_contain_text(words["emergency"])
    expect(referrals).to_contain_text(words["sent"])
    expect(referrals).to_contain_text(referral.order_number)
    page.screenshot(path=str(SHOTS / f"supervisor-referral-{lang}.png"), full_page=True)
    _clean(page, line_a.supervisor.username, *(c.display_name for c in line_b.others))
