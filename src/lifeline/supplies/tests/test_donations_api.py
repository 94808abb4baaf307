"""The donations API: a pledge with its lines, a receipt, the refusals (a community store,
more than pledged) in the one error shape with nothing written, and the donor's trace."""

from __future__ import annotations

import pytest

from lifeline.api.tests.helpers import assert_error, client_for, post_json
from lifeline.core.models import OutboxMessage
from lifeline.supplies.models import Lot, Pledge
from lifeline.supplies.tests.scope_cases_donations import (
    API,
    DonationsWorld,
    make_donations_world,
    pledge_body,
)
from lifeline.testing.factories import SmallCity


@pytest.fixture
def w(city: SmallCity) -> DonationsWorld:
    return make_donations_world(city)


def test_a_pledge_is_created_received_and_traced_through_the_api(w):
    client = client_for(w.officer_b)
    # when a pledge of 20 cases of alcohol is posted
    created = post_json(client, f"{API}/pledges", pledge_body(w), HTTP_IDEMPOTENCY_KEY="k1")
    assert created.status_code == 201, created.content
    pledge = created.json()
    (line,) = pledge["lines"]
    assert (line["item"], line["quantity"], line["unit"]) == ("alcohol_500ml", "480.000", "bottle")
    # when 480 bottles are received
    url = f"{API}/pledges/{pledge['id']}/receive"
    body = {"lines": [{"line_id": line["id"], "received": "480", "expires_on": "2030-01-01"}]}
    received = post_json(client, url, body)
    assert received.status_code == 200, received.content
    assert received.json()["status"] == "received" and received.json()["thanked_at"]
    # then the trace shows them in stock, every unit accounted for
    trace = client.get(f"{API}/donors/{w.donor_b.pk}/trace").json()
    assert trace["balanced"] is True
    lines = [t for p in trace["pledges"] for t in p["lines"] if t["line_id"] == line["id"]]
    assert lines[0]["in_stock"] == "480.000" and lines[0]["remainder"] == "0.000"
    assert lines[0]["in_stock_at"][0]["warehouse"] == "区物资保障仓库"


def test_a_pledge_to_a_community_store_is_a_400_naming_the_logistics_group(w):
    body = {**pledge_body(w), "warehouse_id": w.community_store.pk}
    response = post_json(client_for(w.officer_b), f"{API}/pledges", body)
    error = assert_error(response, 400, "direct_delivery")
    assert "指挥部物资保障组" in error["message"] and "0731-22334455" in error["message"]
    assert Pledge.objects.count() == 2


def test_receiving_more_than_pledged_without_a_reason_is_a_400_and_writes_nothing(w):
    line = w.pledge_b.lines.order_by("pk").first()
    url = f"{API}/pledges/{w.pledge_b.pk}/receive"
    body = {"lines": [{"line_id": line.pk, "received": "101", "expires_on": "2030-01-01"}]}
    error = assert_error(post_json(client_for(w.officer_b), url, body), 400)
    assert f"line_{line.pk}_reason" in error["fields"]
    line.refresh_from_db()
    assert line.received == 0 and not Lot.objects.exists()
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize("quantity", ["0", "-1", "abc", "1e9"])
def test_a_bad_quantity_is_a_400(w, quantity):
    body = pledge_body(w)
    body["lines"] = [{"item": "n95", "quantity": quantity}]
    assert_error(post_json(client_for(w.officer_b), f"{API}/pledges", body), 400)
    assert Pledge.objects.count() == 2


def test_an_unknown_item_or_unit_is_a_400(w):
    for line in (
        {"item": "caviar", "quantity": "1"},
        {"item": "n95", "quantity": "1", "unit": "kg"},
    ):
        body = {**pledge_body(w), "lines": [line]}
        assert_error(post_json(client_for(w.officer_b), f"{API}/pledges", body), 400)
    assert Pledge.objects.count() == 2
