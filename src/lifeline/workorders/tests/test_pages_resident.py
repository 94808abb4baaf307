"""The resident form: no login, a phone proven by a one-time code (rate-limited in the
database), a request filed, followed, and confirmed with the code sent on resolution."""

from __future__ import annotations

import datetime as dt
import re

from django.test import Client

from lifeline.core.clock import frozen_at
from lifeline.core.models import OutboxMessage
from lifeline.workorders.models import Channel, OneTimeCode, Priority, Status, WorkOrder
from lifeline.workorders.services import (
    workorder_accept,
    workorder_create,
    workorder_resolve,
)
from lifeline.workorders.services.resident import PER_IP, PER_PHONE

PHONE = "13712345678"
T0 = dt.datetime(2022, 11, 5, 9, 0, tzinfo=dt.UTC)


def _last_code(phone: str) -> str:
    body = OutboxMessage.objects.filter(recipient=phone).order_by("-pk").first().body
    return re.search(r"(?<!\d)\d{6}(?!\d)", body).group(0)


def _verified_client(phone: str = PHONE) -> Client:
    client = Client()
    assert client.post("/r/", {"phone": phone}).status_code == 302
    assert client.post("/r/code/", {"code": _last_code(phone)}).status_code == 302
    return client


def test_a_resident_proves_the_phone_files_a_request_and_sees_its_status(city, ladder, categories):
    # given a resident who proved the phone with the code sent by SMS
    client = _verified_client()
    # when they ask for food for their community
    response = client.post(
        "/r/new/",
        {
            "description": "家里没菜了",
            "category": "food_supplies",
            "extra.items": "蔬菜",
            "area": city.community.pk,
            "address": "1栋101",
        },
        follow=True,
    )
    # then an order is filed on the form channel, with their phone, and its number shown
    order = WorkOrder.objects.get()
    assert response.status_code == 200 and order.number in response.content.decode()
    assert order.channel == Channel.FORM and order.contact_phone == PHONE
    assert order.responsible_unit == ladder["committee"]
    # and they can see it among their requests and open its status
    assert order.number in client.get("/r/home/").content.decode()
    page = client.get(f"/r/orders/{order.number}/")
    assert page.status_code == 200 and 'data-testid="status"' in page.content.decode()


def test_someone_elses_order_is_not_shown(city, ladder, categories, grid_worker_a):
    other = workorder_create(
        actor=grid_worker_a,
        category_code="other",
        area=city.grid_a,
        description="别人的事",
        contact_phone="13700000000",
    ).order
    client = _verified_client()
    assert client.get(f"/r/orders/{other.number}/").status_code == 404


def test_without_a_proven_phone_the_form_sends_back_to_the_start(city, ladder, categories):
    client = Client()
    assert client.get("/r/home/")["Location"] == "/r/"
    assert client.post("/r/new/", {"description": "x"})["Location"] == "/r/"
    assert WorkOrder.objects.count() == 0


def test_emergency_words_show_call_120_and_file_a_critical_order(city, ladder, categories):
    client = _verified_client()
    response = client.post(
        "/r/new/", {"description": "老伴中风了", "area": city.community.pk}, follow=True
    )
    assert 'data-testid="call-120"' in response.content.decode()
    order = WorkOrder.objects.get()
    assert order.number in response.content.decode()
    assert order.priority == Priority.CRITICAL and order.emergency


def test_emergency_words_show_call_120_even_when_the_form_is_incomplete(city, ladder, categories):
    client = _verified_client()
    response = client.post("/r/new/", {"description": "胸痛得厉害"})
    assert 'data-testid="call-120"' in response.content.decode()


def test_codes_are_limited_per_phone_and_per_address_in_the_database(city, db):
    # given one phone asking again and again, a minute apart
    client = Client()
    for minute in range(PER_PHONE):
        with frozen_at(T0 + dt.timedelta(minutes=minute * 2)):
            assert client.post("/r/", {"phone": PHONE}).status_code == 302
    # then the next code within the hour is refused, and allowed again an hour later
    with frozen_at(T0 + dt.timedelta(minutes=20)):
        assert client.post("/r/", {"phone": PHONE}).status_code == 429
    with frozen_at(T0 + dt.timedelta(minutes=70)):
        assert client.post("/r/", {"phone": PHONE}).status_code == 302
    # and a second code within a minute is refused
    with frozen_at(T0 + dt.timedelta(minutes=70, seconds=30)):
        assert client.post("/r/", {"phone": PHONE}).status_code == 429
    # given one address asking for many phones
    with frozen_at(T0 + dt.timedelta(hours=5)):
        for n in range(PER_IP):
            Client(REMOTE_ADDR="10.0.0.9").post("/r/", {"phone": f"1360000{n:04d}"})
        assert (
            Client(REMOTE_ADDR="10.0.0.9").post("/r/", {"phone": "13611112222"}).status_code == 429
        )
        assert (
            Client(REMOTE_ADDR="10.0.0.8").post("/r/", {"phone": "13611112222"}).status_code == 302
        )
    assert OneTimeCode.objects.filter(ip="10.0.0.9").count() == PER_IP


def test_five_wrong_codes_spend_the_code(city, db):
    client = Client()
    client.post("/r/", {"phone": PHONE})
    right = _last_code(PHONE)
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        assert client.post("/r/code/", {"code": wrong}).status_code == 400
    assert client.post("/r/code/", {"code": right}).status_code == 400
    assert client.get("/r/home/").status_code == 302


def test_a_bad_phone_is_refused_plainly(db):
    response = Client().post("/r/", {"phone": "12345"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "mobile" in response.content.decode()


def test_the_resident_confirms_closure_with_the_code_sent_on_resolution(
    city, ladder, categories, committee_staff
):
    client = _verified_client()
    client.post(
        "/r/new/",
        {
            "description": "要买药",
            "category": "medicine",
            "extra.drug": "药",
            "area": city.community.pk,
        },
    )
    order = WorkOrder.objects.get()
    workorder_accept(actor=committee_staff, order=order)
    workorder_resolve(actor=committee_staff, order=order, note="药已送到")
    code = _last_code(PHONE)
    assert (
        client.post(
            "/r/confirm/", {"number": order.number, "code": "999999" if code != "999999" else "1"}
        ).status_code
        == 400
    )
    response = Client().post(
        "/r/confirm/",
        {"number": order.number, "code": code, "satisfied": "yes", "satisfaction": "5"},
    )
    assert response.status_code == 200 and 'data-testid="confirmed"' in response.content.decode()
    order.refresh_from_db()
    assert order.status == Status.CLOSED and order.satisfaction == 5
