"""Work-order staff pages in a real browser, at a desk: the hotline operator files an
order (the caller's open-orders panel refreshes) and files it again (flagged as a likely
duplicate); community staff open it, see only the steps its status allows, reveal the
caller's phone with a reason, accept and resolve it. Once in zh-Hans, once in English: no
raw keys, no login names, and in English no Chinese outside what people typed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from lifeline.accounts.models import Role
from lifeline.registry.models import Area, Unit
from lifeline.testing.factories import SmallCity, make_user
from lifeline.testing.shots import screenshots_dir
from lifeline.workorders.models import WorkOrder

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
SHOTS = screenshots_dir()
CJK = re.compile(r"[\u4e00-\u9fff]")
RAW_KEYS = ("extra.", "drug", "days_left", "medicine", "None", "dispatched", "in_progress")
LOGINS = ("hotline_op", "community_staff")


def _english_names(city: SmallCity) -> None:
    names = {
        city.city: "Zhuzhou",
        city.district: "Tianyuan District",
        city.street: "Songshan Road Street",
        city.community: "Taishan Road Community",
        city.grid_a: "Grid One",
        city.grid_b: "Grid Two",
    }
    for area, name in names.items():
        Area.objects.filter(pk=area.pk).update(name_en=name)
    Unit.objects.filter(pk=city.units["committee"].pk).update(
        name_en="Taishan Road Residents' Committee"
    )


def _login(page: Any, base: str, username: str, next_url: str) -> None:
    page.goto(f"{base}/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", "pass-word-123")
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(f"**{next_url}")


def _check_words(page: Any, english: bool) -> None:
    text = page.locator("main").inner_text()
    for key in RAW_KEYS:
        assert key not in text, key
    for login in LOGINS:
        assert login not in text, login
    if english:
        assert not CJK.search(text), CJK.findall(text)[:10]


def _file(page: Any, city: SmallCity, drug: str, what: str) -> None:
    form = page.locator("#create-form")
    form.locator("select[name=area]").select_option(str(city.community.pk))
    form.locator("input[name=address]").fill("3-2-501")
    form.locator("select[name=category]").select_option("medicine")
    expect(form.locator("input[name='extra.drug']")).to_be_visible()
    form.locator("input[name='extra.drug']").fill(drug)
    form.locator("textarea[name=description]").fill(what)
    form.locator("button[type=submit]").click()


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_hotline_files_and_community_staff_resolve_without_keys_or_logins(
    live_server: Any, transactional_db: None, browser: Any, city: SmallCity, locale: str
) -> None:
    english = locale.startswith("en")
    lang = "en" if english else "zh"
    # given: the city's English names, a hotline operator and the community's staff
    _english_names(city)
    make_user("hotline_op", role=Role.HOTLINE_OPERATOR, area=city.city)
    make_user("community_staff", role=Role.COMMUNITY_STAFF, area=city.community)
    caller_phone = "13955556666"
    drug = "Amlodipine" if english else "氨氯地平"
    what = "Elderly man out of blood pressure pills" if english else "老人的降压药吃完了，需要送药"

    # when: the operator takes the call and files the order
    context = browser.new_context(locale=locale, viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15_000)
    _login(page, live_server.url, "hotline_op", "/workorders/hotline/")
    page.fill("#caller-phone", caller_phone)
    page.locator("main form[role=search] button[type=submit]").click()
    expect(page.locator("[data-testid=caller-orders]")).to_be_visible()
    expect(page.locator("[data-testid=caller-order]")).to_have_count(0)
    _file(page, city, drug, what)

    # then: the answer names the order and the open-orders panel shows it at once
    expect(page.locator("[data-testid=created]")).to_be_visible()
    first = WorkOrder.objects.get()
    expect(page.locator("[data-testid=caller-orders]")).to_contain_text(str(first.number))
    expect(page.locator("[data-testid=caller-order]")).to_have_count(1)

    # when: the same need is filed again from the same call
    _file(page, city, drug, what)
    # then: the second order is flagged as a likely duplicate of the first, with a link
    flag = page.locator("[data-testid=created] [data-testid=likely-duplicate]")
    expect(flag).to_contain_text(str(first.number))
    expect(page.locator("[data-testid=caller-order]")).to_have_count(2)
    assert caller_phone not in page.content()
    _check_words(page, english)
    page.screenshot(path=str(SHOTS / f"orders-hotline-{lang}.png"), full_page=True)
    context.close()

    # when: community staff open the queue and the first order
    context = browser.new_context(locale=locale, viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15_000)
    _login(page, live_server.url, "community_staff", "/workorders/")
    expect(page.locator("[data-testid=duplicate-flag]")).to_have_count(2)
    _check_words(page, english)
    page.goto(f"{live_server.url}/workorders/{first.pk}/")

    # then: only the steps a dispatched order allows, the extra field under its label
    buttons = page.locator("[data-testid=actions] button[data-action]")
    shown = {buttons.nth(i).get_attribute("data-action") for i in range(buttons.count())}
    assert shown == {"claim", "accept", "start", "transfer", "return", "cancel"}
    expect(page.locator("main")).to_contain_text("Drug" if english else "药品")
    expect(page.locator("main")).to_contain_text("Medicine" if english else "买药送药")
    expect(page.locator("[data-testid=likely-duplicate]")).to_be_visible()
    _check_words(page, english)

    # when: they reveal the caller's phone with a reason and a few words
    contact = page.locator("[data-testid=contact]")
    assert caller_phone not in contact.inner_text()
    contact.locator("summary").click()
    contact.locator("select[name=reason]").select_option("callback")
    contact.locator("input[name=purpose]").fill("call back" if english else "回访")
    contact.locator("button[type=submit]").click()
    # then: the full number shows in place
    expect(page.locator("[data-testid=revealed-contact_phone]")).to_have_text(caller_phone)

    # when: they accept, then resolve with a note
    page.locator("button[data-action=accept]").click()
    expect(page.locator("button[data-action=accept]")).to_have_count(0)
    page.locator("form:has(button[data-action=resolve]) input[name=note]").fill(
        "Delivered" if english else "已送到"
    )
    page.locator("button[data-action=resolve]").click()

    # then: a resolved order offers only closing after a callback and reopening
    expect(page.locator("[data-testid=status]")).to_have_text("Resolved" if english else "已办结")
    buttons = page.locator("[data-testid=actions] button[data-action]")
    shown = {buttons.nth(i).get_attribute("data-action") for i in range(buttons.count())}
    assert shown == {"close", "reopen"}
    timeline = page.locator("[data-testid=timeline]")
    expect(timeline).to_contain_text("Community staff" if english else "社区工作人员")
    expect(timeline).to_contain_text("Hotline operator" if english else "热线接线员")
    _check_words(page, english)
    page.screenshot(path=str(SHOTS / f"orders-staff-{lang}.png"), full_page=True)
    context.close()
