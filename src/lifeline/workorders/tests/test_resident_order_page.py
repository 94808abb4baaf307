"""The resident's own order: what they asked for, its status in words and, once resolved,
what was done, answered with one tap from the session that proved their phone (no order
number or code to retype). Only the order's own resident may answer."""

from __future__ import annotations

import re

from django.test import Client

from lifeline.core.models import OutboxMessage
from lifeline.workorders.models import Status, WorkOrder
from lifeline.workorders.services import workorder_accept, workorder_resolve

PHONE = "13712340002"
OTHER_PHONE = "13712340003"


def _verified_client(phone: str = PHONE) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.post("/r/", {"phone": phone}).status_code == 302
    body = OutboxMessage.objects.filter(recipient=phone).order_by("-pk").first().body
    code = re.search(r"(?<!\d)\d{6}(?!\d)", body).group(0)
    assert client.post("/r/code/", {"code": code}).status_code == 302
    return client


def _file_medicine(client: Client, city) -> WorkOrder:
    client.post(
        "/r/new/",
        {
            "description": "Blood pressure pills for my mother, two days left",
            "category": "medicine",
            "extra.drug": "Nifedipine",
            "extra.days_left": "2",
            "area": city.community.pk,
        },
    )
    return WorkOrder.objects.get()


def test_the_order_page_shows_the_residents_words_labels_and_status_in_words(
    city, ladder, categories
):
    client = _verified_client()
    order = _file_medicine(client, city)
    html = client.get(f"/r/orders/{order.number}/").content.decode()
    assert "Blood pressure pills for my mother, two days left" in html
    assert "Drug" in html and "Nifedipine" in html and "Days of medicine left" in html
    assert "Sent to the unit in charge" in html
    # no raw keys, internal ids or login names
    for raw in ("days_left", "extra.", "dispatched", f"/{order.pk}/"):
        assert raw not in html
    assert 'data-testid="answer"' not in html  # nothing to answer before it is resolved


def test_once_resolved_the_note_shows_and_one_tap_closes_the_order(
    city, ladder, categories, committee_staff
):
    client = _verified_client()
    order = _file_medicine(client, city)
    workorder_accept(actor=committee_staff, order=order)
    workorder_resolve(actor=committee_staff, order=order, note="Pills delivered to the door")
    html = client.get(f"/r/orders/{order.number}/").content.decode()
    assert "Pills delivered to the door" in html and 'data-testid="answer"' in html
    assert committee_staff.username not in html
    # when the resident taps "yes" (no number, no code)
    response = client.post(f"/r/orders/{order.number}/", {"answer": "yes", "satisfaction": "5"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Status.CLOSED and order.satisfaction == 5
    html = client.get(response["Location"]).content.decode()
    assert "The request is closed" in html and 'data-testid="answer"' not in html
    # and a second tap (a reload) is refused plainly, changing nothing
    again = client.post(f"/r/orders/{order.number}/", {"answer": "no"})
    assert again.status_code == 409
    order.refresh_from_db()
    assert order.status == Status.CLOSED


def test_saying_not_solved_reopens_the_order(city, ladder, categories, committee_staff):
    client = _verified_client()
    order = _file_medicine(client, city)
    workorder_accept(actor=committee_staff, order=order)
    workorder_resolve(actor=committee_staff, order=order, note="done")
    client.post(f"/r/orders/{order.number}/", {"answer": "no", "note": "Nobody came"})
    order.refresh_from_db()
    assert order.status == Status.REOPENED


def test_another_resident_cannot_answer_and_the_answer_needs_the_csrf_token(
    city, ladder, categories, committee_staff
):
    owner = _verified_client()
    order = _file_medicine(owner, city)
    workorder_accept(actor=committee_staff, order=order)
    workorder_resolve(actor=committee_staff, order=order, note="done")
    # another proven phone does not find the order
    stranger = _verified_client(OTHER_PHONE)
    assert stranger.post(f"/r/orders/{order.number}/", {"answer": "yes"}).status_code == 404
    # a post without the CSRF token is refused
    guarded = Client(enforce_csrf_checks=True)
    guarded.cookies = owner.cookies  # the owner's own proven session
    assert guarded.post(f"/r/orders/{order.number}/", {"answer": "yes"}).status_code == 403
    order.refresh_from_db()
    assert order.status == Status.RESOLVED


def test_a_form_error_names_no_internal_field(city, ladder, categories):
    client = _verified_client()
    html = client.post("/r/new/", {"description": "need pills", "category": "medicine"}).content
    error = re.search(r'data-testid="error">(.*?)</p>', html.decode(), re.DOTALL)
    assert error is not None and error.group(1).strip()
    assert "extra." not in error.group(1) and "area" not in error.group(1)
