"""The receiving contact on a phone (390x844), in a real browser, in Chinese and in
English: opens the link from the text message without signing in, sees what was sent,
enters the code from the text, records one line that arrived short with a note, and sees
the confirmation. The signature pad is there too (its script runs under the CSP). No page
shows a stored key, an internal id or a login name."""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps
from playwright.sync_api import expect

from lifeline.core.models import OutboxMessage
from lifeline.supplies.models import Item, ShipmentStatus
from lifeline.supplies.tests.scope_cases_shipments import make_depot, make_need, ship
from lifeline.testing.factories import SmallCity
from lifeline.testing.shots import screenshots_dir

pytestmark = pytest.mark.browser
SHOTS = screenshots_dir("shipments")
RAW = re.compile(r"\{%|\{\{|%\(|msgid|n95\b|rice\b|WH-SHIP|U-SHIP|ship_officer|supplies\.")

WORDS = {
    "zh-hans": {
        "locale": "zh-CN",
        "title": "确认收货",
        "rice": "大米",
        "masks": "N95口罩",
        "missing": "两袋破损",
        "confirm": "确认收到的物资",
        "thanks": "收货人 李主任",
        "reported": "缺少的物资已报告发货方",
    },
    "en": {
        "locale": "en-US",
        "title": "Receive a delivery",
        "rice": "Rice",
        "masks": "N95 mask",
        "missing": "Two bags torn",
        "confirm": "Confirm what arrived",
        "thanks": "Received by 李主任",
        "reported": "What was missing has been reported to the sender.",
    },
}


@pytest.fixture(autouse=True)
def _catalogue(transactional_db: None) -> None:
    # A flush between transactional tests empties the seeded catalogue.
    if not Item.objects.exists():
        import_module("lifeline.supplies.migrations.0002_seed_catalogue").seed(apps, None)


@pytest.fixture(params=sorted(WORDS))
def language(request: Any) -> str:
    return str(request.param)


@pytest.fixture
def phone(browser: Any, language: str) -> Iterator[Any]:
    context = browser.new_context(
        locale=WORDS[language]["locale"], viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_receiver_enters_the_code_and_reports_a_short_line(
    live_server: Any, phone: Any, city: SmallCity, language: str
) -> None:
    words = WORDS[language]
    depot = make_depot("B", city.grid_b)
    need = make_need(depot, item="rice", quantity=40, area=city.grid_b)
    shipment = ship(depot, city.grid_b, [(need, "rice", 40), (None, "n95", 300)], dispatch=True)
    text = OutboxMessage.objects.get(object_id=str(shipment.pk)).body
    link = re.search(r"(/supplies/receive/\S+/)", text)
    code = re.search(r"(?<!\d)(\d{6})(?!\d)", text.split("/supplies/receive/")[0])
    assert link and code, text
    problems: list[str] = []
    phone.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)

    # The contact opens the link from the text: what was sent, no login asked
    phone.goto(f"{live_server.url}{link[1]}")
    expect(phone.locator("h1")).to_have_text(words["title"])
    body = phone.locator("main")
    expect(body).to_contain_text(shipment.waybill_no)
    expect(body).to_contain_text(words["rice"])
    expect(body).to_contain_text(words["masks"])
    expect(phone.locator("[data-signature] canvas")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(SHOTS / f"receive-{language}.png"), full_page=True)

    # 38 of 40 kg of rice arrived: the number changed, the note given, the code typed
    rice_line = shipment.lines.get(item__code="rice")
    phone.fill(f"input[name=line_{rice_line.pk}]", "38")
    phone.fill(f"input[name=note_{rice_line.pk}]", words["missing"])
    phone.fill("input[name=code]", code[1])
    phone.get_by_role("button", name=words["confirm"]).click()

    expect(phone.locator("[data-testid=received]")).to_contain_text(words["thanks"])
    expect(body).to_contain_text(words["reported"])
    expect(body).to_contain_text(words["missing"])
    phone.screenshot(path=str(SHOTS / f"received-{language}.png"), full_page=True)
    html = phone.content()
    assert not RAW.search(phone.inner_text("main")), phone.inner_text("main")
    assert "13912345678" not in html
    assert not [p for p in problems if "Content Security Policy" in p], problems

    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.DISCREPANCY
    need.refresh_from_db()
    assert need.delivered == 38
