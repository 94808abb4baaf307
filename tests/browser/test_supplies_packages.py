"""Supply packages in a real browser on a 390x844 phone, in Chinese and in English: a
resident proves the phone with the SMS code, orders the day's vegetable package and sees
the live count drop; the building head opens tonight's pick list and marks the building's
orders delivered until the list is done. No page shows a full phone, a login name or a
stored key."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from lifeline.accounts.models import Role
from lifeline.core import clock
from lifeline.core.models import OutboxMessage
from lifeline.supplies.models import PackageOrder, PickList
from lifeline.supplies.tests.scope_cases_packages import at, make_package, order_for
from lifeline.testing.factories import SmallCity, make_household, make_user
from lifeline.testing.shots import screenshots_dir

pytestmark = pytest.mark.browser

SHOTS = screenshots_dir("packages")
PHONE = "13812345678"
RAW = re.compile(r"sold_out|already_ordered|window_closed|household_id|package_id|area_path")

WORDS = {
    "zh-hans": {
        "locale": "zh-CN",
        "order": "订一份",
        "ordered": "今日已订",
        "left_199": "今日剩余 199 / 200 份",
        "delivered": "已送达",
        "all_done": "全部完成",
        "totals": "已收 2 份，已送 2 份",
    },
    "en": {
        "locale": "en-US",
        "order": "Order one",
        "ordered": "Ordered for today",
        "left_199": "199 of 200 left today",
        "delivered": "Delivered",
        "all_done": "All done",
        "totals": "collected 2, delivered 2",
    },
}


@pytest.fixture(params=sorted(WORDS))
def lang(request: Any) -> str:
    return str(request.param)


@pytest.fixture
def phone(browser: Any, lang: str) -> Iterator[Any]:
    context = browser.new_context(
        locale=WORDS[lang]["locale"],
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def ten_oclock() -> Iterator[None]:
    with clock.frozen_at(at(10)):
        yield


def _prove_phone(page: Any, base: str) -> None:
    page.goto(f"{base}/r/")
    page.fill("input[name=phone]", PHONE)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url("**/r/code/")
    sms = OutboxMessage.objects.filter(recipient=PHONE).order_by("-pk").first()
    assert sms is not None
    code = re.search(r"\b(\d{6})\b", sms.body)
    assert code is not None
    page.fill("input[name=code]", code[1])
    page.click("form.stacked button[type=submit]")
    page.wait_for_url("**/r/home/")


def _clean(page: Any, *secrets: str) -> str:
    text = str(page.locator("body").inner_text())
    assert not RAW.search(text), RAW.search(text)
    for secret in secrets:
        assert secret not in text
    return text


def test_a_resident_orders_the_package_on_a_phone_and_sees_the_count(
    live_server: Any,
    transactional_db: None,
    city: SmallCity,
    phone: Any,
    lang: str,
    ten_oclock: None,
) -> None:
    words = WORDS[lang]
    staff = make_user("pk_staff", role=Role.COMMUNITY_STAFF, area=city.community)
    package = make_package(city, staff, city.community, cap=200)
    household = make_household(grid=city.grid_a, unit_no="1201", phone=PHONE)
    # when the resident proves the phone and opens the packages
    _prove_phone(phone, live_server.url)
    phone.goto(f"{live_server.url}/supplies/r/")
    card = phone.get_by_test_id("package")
    expect(card).to_contain_text(package.name)
    expect(card).to_contain_text("39.90")
    # and orders one
    card.get_by_role("button", name=words["order"]).click()
    # then the order is taken, the page says so and the count left is one less
    card = phone.get_by_test_id("package")
    expect(card.get_by_test_id("ordered")).to_contain_text(words["ordered"])
    expect(card.get_by_test_id("left")).to_have_text(words["left_199"])
    expect(phone.get_by_test_id("my-order")).to_contain_text(package.name)
    assert PackageOrder.objects.filter(household=household).count() == 1
    phone.screenshot(path=str(SHOTS / f"resident-{lang}.png"), full_page=True)
    _clean(phone, PHONE, "pk_staff")


def test_a_building_head_marks_the_buildings_orders_delivered(
    live_server: Any,
    transactional_db: None,
    city: SmallCity,
    phone: Any,
    lang: str,
    ten_oclock: None,
) -> None:
    words = WORDS[lang]
    staff = make_user("pk_staff", role=Role.COMMUNITY_STAFF, area=city.community)
    package = make_package(city, staff, city.community, cap=200)
    building = city.people_a[0].household.building
    homes = [make_household(grid=city.grid_a, unit_no=f"30{i}", building=building) for i in (1, 2)]
    for home in homes:
        order_for(home, package, when=at(9))
    head = make_user("pk_head", role=Role.BUILDING_HEAD, area=city.grid_a)
    head.display_name = "王楼长"
    head.save(update_fields=["display_name"])
    # when the head signs in on the phone, they land on tonight's deliveries
    phone.goto(f"{live_server.url}/login/")
    if lang == "en":
        phone.locator("form.langswitch button[value=en]").click()
        phone.wait_for_load_state()
    phone.fill("#id_username", "pk_head")
    phone.fill("#id_password", "pass-word-123")
    phone.click("form.stacked button[type=submit]")
    phone.wait_for_url("**/supplies/picklists/")
    phone.get_by_test_id("pick-list").get_by_role("link").click()
    lines = phone.get_by_test_id("line")
    expect(lines).to_have_count(2)
    _clean(phone, *(h.phone for h in homes), "pk_head")
    # and marks each order delivered
    for n in range(2):
        phone.get_by_test_id("line").nth(n).get_by_role(
            "button", name=words["delivered"], exact=True
        ).click()
        expect(phone.get_by_test_id("line").nth(n).get_by_test_id("status")).to_have_text(
            words["delivered"]
        )
    # then the list is done, with its totals
    expect(phone.get_by_test_id("closed")).to_have_text(words["all_done"])
    expect(phone.get_by_test_id("totals")).to_contain_text(words["totals"])
    assert PickList.objects.get(building=building).closed_at is not None
    phone.screenshot(path=str(SHOTS / f"head-{lang}.png"), full_page=True)
    _clean(phone, *(h.phone for h in homes), "pk_head")
