"""A resident on a phone, in a real browser: prove the number with the SMS code, file a
request whose extra fields appear for the kind chosen, and be told to call 120 at once
when what they type sounds like an emergency."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from lifeline.core.models import OutboxMessage
from lifeline.testing.factories import SmallCity
from lifeline.workorders.models import Channel, Priority, Status, WorkOrder

pytestmark = pytest.mark.browser

PHONE = "13812345678"


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


def test_resident_files_a_medicine_request_from_a_phone(
    live_server: Any, transactional_db: None, page: Any, city: SmallCity
) -> None:
    _sign_in(page, live_server.url)

    # when: the resident describes the need and picks "medicine": its own fields appear
    page.fill("textarea[name=description]", "家里老人的降压药只剩两天了")
    page.select_option("select[name=category]", "medicine")
    expect(page.locator("#extra-fields input[name='extra.drug']")).to_be_visible()
    page.fill("#extra-fields input[name='extra.drug']", "硝苯地平")
    page.fill("#extra-fields input[name='extra.days_left']", "2")
    page.select_option("select[name=area]", str(city.community.pk))
    page.fill("input[name=address]", "3栋2单元")
    expect(page.get_by_test_id("call-120")).to_have_count(0)
    page.click("form.stacked button[type=submit]")

    # then: the page gives the number and the unit it went to; the order is on its clock
    created = page.get_by_test_id("created")
    expect(created).to_be_visible()
    order = WorkOrder.objects.get()
    expect(created).to_contain_text(order.number)
    expect(created).to_contain_text(city.units["committee"].name)
    assert order.channel == Channel.FORM
    assert order.category.code == "medicine"
    assert order.extra == {"drug": "硝苯地平", "days_left": 2}
    assert order.status == Status.DISPATCHED
    assert order.responsible_unit == city.units["committee"]
    assert order.contact_phone == PHONE and order.due_resolution_at is not None

    # and: back home, the request is listed as the resident's own
    page.get_by_role("link", name=re.compile("返回|Back")).click()
    expect(page.locator("body")).to_contain_text(order.number)


def test_emergency_words_tell_the_resident_to_call_120_before_sending(
    live_server: Any, transactional_db: None, page: Any, city: SmallCity
) -> None:
    _sign_in(page, live_server.url)

    # when: the resident types words of an emergency, the warning appears while typing
    page.fill("textarea[name=description]", "我爸突然胸痛，出冷汗")
    page.locator("textarea[name=description]").press("End")
    expect(page.get_by_test_id("call-120")).to_be_visible()
    page.select_option("select[name=area]", str(city.community.pk))
    page.click("form.stacked button[type=submit]")

    # then: the answer page says call 120, and a critical medical order exists
    expect(page.get_by_test_id("call-120")).to_contain_text("120")
    order = WorkOrder.objects.get()
    assert order.emergency and order.priority == Priority.CRITICAL
    assert order.category.code == "medical_care"
    expect(page.get_by_test_id("call-120")).to_contain_text(order.number)
