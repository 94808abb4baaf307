"""The emergency check of the resident form, on the server: one table (kind, words, what
to tell the resident, whom to call) read by the browser's check and by the server, so a
resident without JavaScript still reads the banner on the answer page."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.utils import translation

from lifeline.core.models import OutboxMessage
from lifeline.workorders.models import WorkOrder
from lifeline.workorders.services.emergencies import EMERGENCIES, emergencies_in

PHONE = "13712340001"


def _kinds(text: str) -> list[str]:
    return [e.kind for e in emergencies_in(text)]


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("我爸突然胸痛，出冷汗", ["medical"]),
        ("my father has chest pain", ["medical"]),
        ("家里有很大的煤气味", ["gas"]),
        ("楼道里煤气泄漏了", ["gas"]),
        ("I think there is a gas leak in the kitchen", ["gas"]),
        ("there is a strong smell of gas", ["gas"]),
        ("我不想活了", ["self_harm"]),
        ("我想自杀", ["self_harm"]),
        ("I want to KILL MYSELF", ["self_harm"]),
        ("闻到煤气味，老人晕倒了", ["medical", "gas"]),
        ("家里老人的降压药只剩两天了", []),
        ("gas top-up please, meter almost empty", []),
        ("", []),
    ],
)
def test_the_server_finds_each_emergency_the_words_speak_of(text: str, kinds: list[str]) -> None:
    assert _kinds(text) == kinds


def test_every_emergency_names_numbers_to_call_and_self_harm_names_the_crisis_line() -> None:
    numbers = {e.kind: [n.phone for n in e.numbers] for e in EMERGENCIES}
    assert numbers == {"medical": ["120"], "gas": ["119"], "self_harm": ["12356", "120"]}


def test_the_messages_address_the_resident_and_end_with_a_chinese_full_stop_in_chinese() -> None:
    for emergency in EMERGENCIES:
        with translation.override("en"):
            english = str(emergency.message)
        assert "caller" not in english and english.endswith(".")
        with translation.override("zh-hans"):
            chinese = str(emergency.message)
        if chinese != english:  # translated (the catalogue is compiled by the lead)
            assert chinese.endswith("。") and "来电人" not in chinese
            assert not re.search(r"120\.", chinese)


def _verified_client(phone: str = PHONE) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.post("/r/", {"phone": phone}).status_code == 302
    body = OutboxMessage.objects.filter(recipient=phone).order_by("-pk").first().body
    code = re.search(r"(?<!\d)\d{6}(?!\d)", body).group(0)
    assert client.post("/r/code/", {"code": code}).status_code == 302
    return client


def _banner(html: str, testid: str) -> str | None:
    """The opening tag of the banner, or None when the page has none."""
    found = re.search(rf'<div [^>]*data-testid="{testid}"[^>]*>', html)
    return found.group(0) if found else None


def _shown(html: str, testid: str) -> bool:
    tag = _banner(html, testid)
    return tag is not None and not re.search(r"\shidden\b", tag)


def test_the_form_carries_the_one_table_for_the_browser_with_every_banner_hidden(
    city, ladder, categories
):
    html = _verified_client().get("/r/home/").content.decode()
    table = re.search(r'<script id="emergency-table" type="application/json">(.*?)</script>', html)
    assert table is not None
    assert json.loads(table.group(1)) == [
        {"kind": e.kind, "words": list(e.words)} for e in EMERGENCIES
    ]
    for testid in ("call-120", "emergency-gas", "emergency-self_harm"):
        assert _banner(html, testid) is not None and not _shown(html, testid)
    assert 'src="/static/workorders/resident.js"' in html


def test_without_javascript_an_incomplete_form_shows_the_gas_banner_with_a_call_link(
    city, ladder, categories
):
    # when a resident without JavaScript posts gas-leak words and forgets the community
    response = _verified_client().post("/r/new/", {"description": "a gas leak in the kitchen"})
    html = response.content.decode()
    # then the answer is the form again, with the gas banner shown and 119 one tap away
    assert response.status_code == 400 and _shown(html, "emergency-gas")
    assert not _shown(html, "call-120") and 'href="tel:119"' in html
    assert "Leave the building now" in html
    assert WorkOrder.objects.count() == 0


def test_a_filed_request_speaking_of_self_harm_answers_with_the_crisis_line(
    city, ladder, categories
):
    response = _verified_client().post(
        "/r/new/",
        {"description": "I can't go on, I want to kill myself", "area": city.community.pk},
        follow=True,
    )
    html = response.content.decode()
    order = WorkOrder.objects.get()
    assert response.status_code == 200 and order.number in html
    assert _shown(html, "emergency-self_harm") and not _shown(html, "emergency-gas")
    assert 'href="tel:12356"' in html and 'href="tel:120"' in html


def test_a_filed_request_with_chest_pain_answers_call_120_and_names_the_urgent_order(
    city, ladder, categories
):
    response = _verified_client().post(
        "/r/new/",
        {"description": "chest pain since an hour", "area": city.community.pk},
        follow=True,
    )
    html = response.content.decode()
    order = WorkOrder.objects.get()
    assert order.emergency and _shown(html, "call-120")
    tag_end = html.index(_banner(html, "call-120"))
    assert order.number in html[tag_end : tag_end + 2000] and 'href="tel:120"' in html
    assert "tell the caller" not in html
