"""Abuse limits on orders filed from outside: caps per phone and per address, a repeated
submit folded into the first order, and post/redirect/get so a reload never files again."""

from __future__ import annotations

import datetime as dt
import re

from django.test import Client

from lifeline.accounts.models import Role
from lifeline.accounts.services import token_create
from lifeline.core.clock import frozen_at
from lifeline.core.models import AuditRecord, OutboxMessage
from lifeline.testing.factories import make_user
from lifeline.workorders.models import WorkOrder

PHONE = "13712345678"
T0 = dt.datetime(2022, 11, 5, 9, 0, tzinfo=dt.UTC)
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _verified_client(phone: str = PHONE, address: str = "10.0.0.1") -> Client:
    client = Client(REMOTE_ADDR=address)
    assert client.post("/r/", {"phone": phone}).status_code == 302
    body = OutboxMessage.objects.filter(recipient=phone).order_by("-pk").first().body
    code = re.search(r"(?<!\d)\d{6}(?!\d)", body).group(0)
    assert client.post("/r/code/", {"code": code}).status_code == 302
    return client


def _need(city, description: str = "家里没菜了", **more) -> dict:
    return {
        "description": description,
        "category": "other",
        "area": city.community.pk,
        "address": "1栋101",
        **more,
    }


def _writes() -> tuple[int, int, int]:
    return WorkOrder.objects.count(), OutboxMessage.objects.count(), AuditRecord.objects.count()


def test_a_phone_past_its_daily_cap_is_refused_with_429_and_nothing_is_written(
    city, ladder, categories, settings
):
    # given a cap of 3 orders per phone per day, and a resident who filed 3
    settings.LIFELINE_RESIDENT_ORDERS_PER_PHONE_DAY = 3
    client = _verified_client()
    for n in range(3):
        assert client.post("/r/new/", _need(city, f"第{n}件事")).status_code == 302
    before = _writes()
    # when they file a fourth
    response = client.post("/r/new/", _need(city, "第四件事"), **EN)
    # then the page says so plainly, with 429, and no order, text or audit record is added
    assert response.status_code == 429
    assert "Too many requests" in response.content.decode()
    assert _writes() == before


def test_one_address_past_its_hourly_cap_is_refused_while_another_is_served(
    city, ladder, categories, settings
):
    # given a cap of 2 orders per address per hour, and two residents behind one address
    settings.LIFELINE_RESIDENT_ORDERS_PER_IP_HOUR = 2
    for n in range(2):
        client = _verified_client(f"1370000000{n}", address="10.9.9.9")
        assert client.post("/r/new/", _need(city)).status_code == 302
    # when a third resident files from the same address, and a fourth from another
    third = _verified_client("13700000003", address="10.9.9.9")
    fourth = _verified_client("13700000004", address="10.9.9.8")
    # then the third is refused and the fourth is filed
    assert third.post("/r/new/", _need(city), **EN).status_code == 429
    assert fourth.post("/r/new/", _need(city)).status_code == 302
    assert WorkOrder.objects.count() == 3


def test_a_refused_form_counts_nothing_against_the_cap(city, ladder, categories, settings):
    settings.LIFELINE_RESIDENT_ORDERS_PER_PHONE_DAY = 1
    client = _verified_client()
    # given a form refused for a missing community
    assert client.post("/r/new/", _need(city, area="")).status_code == 400
    # then the one order the cap allows can still be filed
    assert client.post("/r/new/", _need(city)).status_code == 302
    assert client.post("/r/new/", _need(city, "另一件事")).status_code == 429


def test_open311_answers_429_in_the_spec_format_past_the_phones_cap(
    client, city, ladder, categories, settings
):
    # given a partner platform's key and a cap of 1 order per phone per day
    settings.LIFELINE_RESIDENT_ORDERS_PER_PHONE_DAY = 1
    user = make_user("partner", role=Role.STREET_STAFF, area=city.street)
    key = token_create(actor=None, user=user, name="partner")[1]

    def post(phone: str, description: str):
        data = {
            "api_key": key,
            "service_code": "other",
            "description": description,
            "jurisdiction_id": city.community.code,
            "phone": phone,
        }
        return client.post("/open311/v2/requests.json", data, **EN)

    # when one phone files twice, and the platform files for other residents
    assert post("13912345678", "第一件").status_code == 201
    before = _writes()
    refused = post("13912345678", "第二件")
    # then the second is refused in the spec's error list, and nothing is written
    assert refused.status_code == 429
    [error] = refused.json()
    assert error["code"] == 429 and "Too many requests" in error["description"]
    assert _writes() == before
    # and the platform's other residents are not held up by its address
    assert all(post(f"1391234560{n}", "事").status_code == 201 for n in range(3))


def test_a_second_identical_request_takes_the_resident_to_the_first(city, ladder, categories):
    # given a resident who filed a request
    client = _verified_client()
    with frozen_at(T0):
        first = client.post("/r/new/", _need(city, "家里没菜了"))
    order = WorkOrder.objects.get()
    before = _writes()
    # when they send the same again two minutes later (other spacing, case and stops)
    with frozen_at(T0 + dt.timedelta(minutes=2)):
        again = client.post("/r/new/", _need(city, "  家里没菜了 。", address="1栋101 "), **EN)
        page = client.get(again["Location"], **EN)
    # then they are taken to the first order, told it was already filed, and nothing is written
    assert first.status_code == again.status_code == 302
    assert again["Location"] == f"/r/orders/{order.number}/"
    assert page.status_code == 200 and "already filed" in page.content.decode()
    assert order.number in page.content.decode()
    assert _writes() == before


def test_a_different_or_later_request_is_filed_anew(city, ladder, categories):
    client = _verified_client()
    with frozen_at(T0):
        client.post("/r/new/", _need(city, "家里没菜了"))
    with frozen_at(T0 + dt.timedelta(minutes=1)):
        client.post("/r/new/", _need(city, "家里没米了"))
    with frozen_at(T0 + dt.timedelta(minutes=30)):
        client.post("/r/new/", _need(city, "家里没菜了"))
    assert WorkOrder.objects.count() == 3


def test_reloading_the_answer_after_filing_files_nothing_more(city, ladder, categories):
    client = _verified_client()
    # given a request filed: the answer is a redirect to the order's own page
    response = client.post("/r/new/", _need(city))
    order = WorkOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/r/orders/{order.number}/?filed=1"
    # when the resident reloads the answer twice
    pages = [client.get(response["Location"]) for _ in range(2)]
    # then it shows the number both times, and still one order exists
    assert all(p.status_code == 200 and order.number in p.content.decode() for p in pages)
    assert 'data-testid="created"' in pages[0].content.decode()
    assert WorkOrder.objects.count() == 1


def test_the_hotline_form_without_javascript_redirects_after_filing(
    city, ladder, categories, hotline_operator
):
    client = Client()
    client.force_login(hotline_operator)
    client.post("/workorders/hotline/", {"phone": "13812345678"})
    # when the operator files without htmx
    response = client.post("/workorders/hotline/new/", _need(city), **EN)
    # then the console comes back by a redirect, saying which order was filed
    order = WorkOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == "/workorders/hotline/"
    page = client.get(response["Location"], **EN).content.decode()
    assert f"Order {order.number} filed" in page
    assert WorkOrder.objects.count() == 1


def test_open311_caps_an_address_only_when_its_setting_is_on(
    client, city, ladder, categories, settings
):
    settings.LIFELINE_OPEN311_ORDERS_PER_IP_HOUR = 2
    user = make_user("app", role=Role.STREET_STAFF, area=city.street)
    key = token_create(actor=None, user=user, name="app")[1]
    data = {"api_key": key, "service_code": "other", "jurisdiction_id": city.community.code}
    statuses = [
        client.post("/open311/v2/requests.json", {**data, "description": f"事{n}"}).status_code
        for n in range(3)
    ]
    assert statuses == [201, 201, 429]
