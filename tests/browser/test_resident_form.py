"""A resident on a phone (390x844), in a real browser, in Chinese and in English: proves the
number with the SMS code; pastes words of an emergency and is told at once what to do, with
the number one tap away (120; gas leak: get out, 119; self-harm: the crisis line 12356 and
120); files a request whose extra fields appear for the kind chosen; reads it back in their
own words; after the unit resolves it, reads what was done and confirms with one tap. No
page shows a stored key, an internal id or a login name."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from lifeline.accounts.models import Role
from lifeline.core.models import OutboxMessage
from lifeline.testing.factories import SmallCity, make_user
from lifeline.testing.shots import screenshots_dir
from lifeline.workorders.models import Channel, Status, WorkOrder
from lifeline.workorders.services import workorder_accept, workorder_resolve

pytestmark = pytest.mark.browser
SHOTS = screenshots_dir()

PHONE = "13812345678"
RAW = ("drug", "days_left", "medical_care", "dispatched", "resolved", "extra.", "committee_staff")

# Per language: the browser's locale, the words the resident pastes, what the page says.
LANGUAGES = {
    "zh-Hans": {
        "locale": "zh-CN",
        "chest": "我爸突然胸痛，出冷汗",
        "gas": "家里有很大的煤气味",
        "self_harm": "我真的不想活了",
        "need": "家里老人的降压药只剩两天了",
        "drug": "硝苯地平",
        "call_120": "请立即拨打 120",
        "drug_label": "药品",
        "category": "买药送药",
    },
    "en": {
        "locale": "en-US",
        "chest": "My father has chest pain and is sweating",
        "gas": "There is a strong smell of gas in the kitchen",
        "self_harm": "I want to kill myself",
        "need": "Blood pressure pills for my mother, two days left",
        "drug": "Nifedipine",
        "call_120": "Call 120 now",
        "drug_label": "Drug",
        "category": "Medicine",
    },
}


@pytest.fixture(params=sorted(LANGUAGES))
def lang(request: Any) -> str:
    return str(request.param)


@pytest.fixture
def phone_page(browser: Any, lang: str) -> Iterator[Any]:
    context = browser.new_context(
        locale=LANGUAGES[lang]["locale"], viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _sign_in(page: Any, base: str) -> None:
    page.goto(f"{base}/r/")
    page.fill("input[name=phone]", PHONE)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url("**/r/code/")
    sms = OutboxMessage.objects.filter(recipient=PHONE).order_by("-pk").first()
    assert sms is not None, "the code is sent through the outbox"
    code = re.search(r"\b(\d{6})\b", sms.body)
    assert code is not None
    page.fill("input[name=code]", code[1])
    page.click("form.stacked button[type=submit]")
    page.wait_for_url("**/r/home/")


def _paste(page: Any, text: str) -> None:
    """What a paste (or speech input, or autofill) does: the value changes and an "input"
    event fires; no key is pressed."""
    page.locator("textarea[name=description]").evaluate(
        """(field, text) => {
            field.focus();
            field.value = text;
            const paste = {bubbles: true, inputType: "insertFromPaste", data: text};
            field.dispatchEvent(new InputEvent("input", paste));
        }""",
        text,
    )


def _assert_thumb_sized(link: Any) -> None:
    box = link.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 120, box


def _assert_no_raw_keys(page: Any) -> None:
    text = page.locator("body").inner_text()
    for raw in RAW:
        assert raw not in text, raw


def test_a_resident_is_told_what_to_do_files_follows_and_confirms_from_a_phone(
    live_server: Any, transactional_db: None, phone_page: Any, city: SmallCity, lang: str
) -> None:
    page, words = phone_page, LANGUAGES[lang]
    staff = make_user("committee_staff", role=Role.UNIT_STAFF, unit=city.units["committee"])
    _sign_in(page, live_server.url)
    medical = page.get_by_test_id("call-120")
    gas = page.get_by_test_id("emergency-gas")
    crisis = page.get_by_test_id("emergency-self_harm")
    expect(medical).to_be_hidden()

    # when: chest pain is pasted, the 120 banner shows, addressed to the resident
    _paste(page, words["chest"])
    expect(medical).to_be_visible()
    expect(medical).to_contain_text(words["call_120"])
    expect(medical).not_to_contain_text("来电人")
    expect(medical).not_to_contain_text("caller")
    _assert_thumb_sized(medical.locator('a[href="tel:120"]'))

    # when: a gas leak is pasted instead, its own banner shows: leave, then call 119
    _paste(page, words["gas"])
    expect(gas).to_be_visible()
    expect(medical).to_be_hidden()
    _assert_thumb_sized(gas.locator('a[href="tel:119"]'))
    if lang == "en":
        expect(gas).to_contain_text("Leave the building now")
    page.screenshot(path=f"{SHOTS}/resident-gas-banner-{lang}.png", full_page=True)

    # when: words of self-harm arrive, the crisis banner offers 12356 and 120
    _paste(page, words["self_harm"])
    expect(crisis).to_be_visible()
    expect(gas).to_be_hidden()
    _assert_thumb_sized(crisis.locator('a[href="tel:12356"]'))
    expect(crisis.locator('a[href="tel:120"]')).to_be_visible()
    page.screenshot(path=f"{SHOTS}/resident-crisis-banner-{lang}.png", full_page=True)

    # when: the resident files the real need, pasted too, with its own extra fields
    _paste(page, words["need"])
    expect(crisis).to_be_hidden()
    page.select_option("select[name=category]", "medicine")
    expect(page.locator("select[name=category] option:checked")).to_have_text(words["category"])
    drug = page.locator("#extra-fields input[name='extra.drug']")
    expect(drug).to_be_visible()
    drug.fill(words["drug"])
    page.fill("#extra-fields input[name='extra.days_left']", "2")
    page.select_option("select[name=area]", str(city.community.pk))
    page.fill("input[name=address]", "3栋2单元")
    page.click("form.stacked button[type=submit]")

    # then: the number and the unit it went to
    created = page.get_by_test_id("created")
    expect(created).to_be_visible()
    order = WorkOrder.objects.get()
    assert order.channel == Channel.FORM and order.contact_phone == PHONE
    assert order.extra == {"drug": words["drug"], "days_left": 2}
    expect(created).to_contain_text(order.number)
    _assert_no_raw_keys(page)

    # and: the order page gives back their own words and the details under their labels
    created.locator(f"a[href$='/r/orders/{order.number}/']").click()
    expect(page.get_by_test_id("description")).to_have_text(words["need"])
    expect(page.get_by_test_id("resident-order")).to_contain_text(words["drug_label"])
    expect(page.get_by_test_id("answer")).to_have_count(0)
    _assert_no_raw_keys(page)

    # when: the committee resolves it, as its staff would
    workorder_accept(actor=staff, order=order)
    workorder_resolve(actor=staff, order=order, note="药已送到门口 / delivered")
    page.reload()

    # then: the resident reads what was done and confirms with one tap, nothing retyped
    expect(page.get_by_test_id("resolution-note")).to_have_text("药已送到门口 / delivered")
    _assert_no_raw_keys(page)
    yes = page.get_by_test_id("confirm-met")
    _assert_thumb_sized(yes)
    page.screenshot(path=f"{SHOTS}/resident-order-resolved-{lang}.png", full_page=True)
    page.locator("label.choice").filter(has_text="5").click()
    yes.click()
    expect(page.get_by_test_id("answer")).to_have_count(0)
    order.refresh_from_db()
    assert order.status == Status.CLOSED and order.satisfaction == 5
    _assert_no_raw_keys(page)


def test_radio_buttons_sit_on_the_row_of_their_words(
    live_server: Any, transactional_db: None, phone_page: Any, lang: str
) -> None:
    page = phone_page
    page.goto(f"{live_server.url}/r/confirm/")
    for choice in page.locator("label.choice").all():
        radio = choice.locator("input")
        word = choice.locator("span")
        radio_box, word_box = radio.bounding_box(), word.bounding_box()
        assert radio_box is not None and word_box is not None
        # on one row: the radio left of its word, their middles level
        assert radio_box["x"] + radio_box["width"] <= word_box["x"]
        middle = radio_box["y"] + radio_box["height"] / 2
        assert word_box["y"] <= middle <= word_box["y"] + word_box["height"]
        assert choice.bounding_box()["height"] >= 44
    page.screenshot(path=f"{SHOTS}/resident-confirm-{lang}.png", full_page=True)
