"""Shipment pages: the list and detail for staff, the printable waybill, the receiver's
phone page (no login, the signed link), and the API's receipt."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from lifeline.api.tests.helpers import assert_error, client_for, post_json
from lifeline.core.models import OutboxMessage
from lifeline.supplies.models import Shipment, ShipmentStatus
from lifeline.supplies.services.shipments import receive_token
from lifeline.supplies.tests.scope_cases_shipments import (
    make_depot,
    make_need,
    png_data_url,
    ship,
)

API = "/api/v1/supplies"


@pytest.fixture
def depot(city):
    return make_depot("B", city.grid_b)


def _code(shipment: Shipment) -> str:
    body = OutboxMessage.objects.filter(object_id=str(shipment.pk)).latest("pk").body
    match = re.search(r"(?<!\d)(\d{6})(?!\d)", body.split("/supplies/receive/")[0])
    assert match
    return match.group(1)


def test_list_and_detail_show_the_waybill_and_lines(city, depot, grid_worker_a):
    need = make_need(depot, item="rice", quantity=40, area=city.grid_b)
    shipment = ship(depot, city.grid_b, [(need, "rice", 40), (None, "n95", 300)])
    client = client_for(depot.officer)
    listing = client.get(reverse("supplies:shipments"), HTTP_ACCEPT_LANGUAGE="en")
    assert listing.status_code == 200
    assert shipment.waybill_no in listing.content.decode()
    page = client.get(reverse("supplies:shipment", args=[shipment.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "大米" in html and "N95口罩" in html and "300" in html
    assert "13912345678" not in html and "139****5678" in html
    assert reverse("supplies:shipment_act", args=[shipment.pk, "dispatch"]) in html
    # A grid worker of another grid sees nothing of it
    other = client_for(grid_worker_a).get(reverse("supplies:shipment", args=[shipment.pk]))
    assert other.status_code == 404
    assert (
        shipment.waybill_no
        not in client_for(grid_worker_a).get(reverse("supplies:shipments")).content.decode()
    )


def test_dispatch_button_texts_and_a_get_writes_nothing(city, depot):
    shipment = ship(depot, city.grid_b, [(None, "rice", 5)])
    client = client_for(depot.officer)
    url = reverse("supplies:shipment_act", args=[shipment.pk, "dispatch"])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.DISPATCHED
    assert OutboxMessage.objects.filter(object_id=str(shipment.pk)).count() == 1
    # A second click says so, and changes nothing
    again = client.post(url, follow=True)
    assert again.status_code == 200
    assert OutboxMessage.objects.filter(object_id=str(shipment.pk)).count() == 1


def test_waybill_prints_the_lines_and_signature_boxes(city, depot):
    shipment = ship(depot, city.grid_b, [(None, "rice", 40), (None, "n95", 300)])
    client = client_for(depot.officer)
    with translation.override("en"):
        url = reverse("supplies:waybill", args=[shipment.pk])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert shipment.waybill_no in html and "第二网格仓库" in html and "泰山路社区仓" in html
    assert "Rice" in html and "N95 mask" in html and "300" in html
    assert "L-B-N95" in html and "Received by (signature)" in html
    assert html.count("sign-line") == 3
    assert "supplies/shipments.css" in html and "data-print" in html


def test_receiver_confirms_on_the_phone_page_without_login(city, depot):
    need = make_need(depot, item="rice", quantity=40, area=city.grid_b)
    shipment = ship(depot, city.grid_b, [(need, "rice", 40)], dispatch=True)
    url = reverse("supplies:receive", args=[receive_token(shipment)])
    phone = Client(enforce_csrf_checks=True)
    page = phone.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and shipment.waybill_no in html and "大米" in html
    assert "supplies/signature.js" in html and "csrfmiddlewaretoken" in html
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert found
    token = found.group(1)
    line = shipment.lines.get()
    form = {
        "csrfmiddlewaretoken": token,
        f"line_{line.pk}": "38",
        f"note_{line.pk}": "",
        "received_by": "李主任",
        "code": _code(shipment),
    }
    # Short without a note: 400, the note asked for, nothing written
    refused = phone.post(url, form)
    assert refused.status_code == 400
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.DISPATCHED
    # A wrong code: 400
    wrong = phone.post(url, {**form, f"note_{line.pk}": "少两公斤", "code": "99999x"})
    assert wrong.status_code == 400
    done = phone.post(url, {**form, f"note_{line.pk}": "少两公斤"})
    assert done.status_code == 302
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.DISCREPANCY
    after = phone.get(url).content.decode()
    assert "李主任" in after and "少两公斤" in after
    # Bad links are 404, never a 500
    assert phone.get(url.rstrip("/") + "x/").status_code == 404


def test_api_confirm_with_a_signature_and_errors(city, depot):
    shipment = ship(depot, city.grid_b, [(None, "rice", 10)], dispatch=True)
    line = shipment.lines.get()
    client = client_for(depot.officer)
    url = f"{API}/shipments/{shipment.pk}/confirm"
    received: dict[str, Any] = {"line_id": line.pk, "received": "11"}
    body = {"received_by": "李主任", "lines": [received], "signature": png_data_url()}
    error = assert_error(post_json(client, url, body), 400, "invalid")
    assert f"line_{line.pk}" in error["fields"]
    received["received"] = "10"
    answer = post_json(client, url, body)
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "delivered" and answer.json()["signed"] is True
    assert answer.json()["lines"][0]["received"] == "10"
    assert answer.json()["contact_phone"] == "139****5678"
    assert_error(post_json(client, url, body), 409, "state")
    listing = client.get(f"{API}/shipments").json()
    assert listing["count"] == 1 and listing["items"][0]["waybill_no"] == shipment.waybill_no
    assert Decimal(answer.json()["lines"][0]["quantity"]) == Decimal(10)
