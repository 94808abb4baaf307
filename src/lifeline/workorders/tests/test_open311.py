"""Open311 GeoReport v2: a real client (the ``georeport`` package) against a running server,
form POSTs as the spec describes them, and errors in the spec's format."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import requests
from georeport import GeoReport

from lifeline.accounts.models import Role
from lifeline.accounts.services import token_create
from lifeline.core.models import AuditRecord, OutboxMessage
from lifeline.testing.factories import make_user
from lifeline.workorders.models import Channel, Priority, WorkOrder
from lifeline.workorders.open311_render import w3_datetime
from lifeline.workorders.services import workorder_create

BASE = "/open311/v2"


@pytest.fixture
def partner_key(city, ladder, categories):
    """A partner platform's key; its machine user files for the street (both grids): a
    role that grants ``WORKORDER_FILE`` there (a unit's staff may not file)."""
    user = make_user("partner_platform", role=Role.STREET_STAFF, area=city.street)
    return token_create(actor=None, user=user, name="partner")[1]


@pytest.fixture
def grid_a_key(city, ladder, categories):
    user = make_user("grid_a_platform", role=Role.GRID_WORKER, area=city.grid_a)
    return token_create(actor=None, user=user, name="grid a")[1]


def _food(city, key, **more):
    data = {
        "api_key": key,
        "service_code": "food_supplies",
        "description": "家里没菜了",
        "lat": str(city.grid_a.lat),
        "long": str(city.grid_a.lng),
        "attribute[items]": "蔬菜",
        "attribute[people]": "3",
        "phone": "13912345678",
        "first_name": "王",
        **more,
    }
    return {k: v for k, v in data.items() if v is not None}


def assert_spec_error(response, status, *, fmt="json"):
    """The spec's error document: a list of ``{code, description}`` with the HTTP status."""
    assert response.status_code == status, (response.status_code, response.content[:300])
    if fmt == "xml":
        root = ET.fromstring(response.content)
        assert root.tag == "errors"
        items = [
            {"code": int(e.findtext("code")), "description": e.findtext("description")}
            for e in root.findall("error")
        ]
    else:
        items = response.json()
    assert isinstance(items, list) and items
    for item in items:
        assert set(item) == {"code", "description"}
        assert item["code"] == status and item["description"]
    return [item["description"] for item in items]


@pytest.mark.django_db(transaction=True)
def test_georeport_client_lists_services_and_reads_definitions(live_server, city, ladder):
    # given the running server and the real Open311 client, in JSON and in XML
    for fmt in ("json", "xml"):
        client = GeoReport(f"{live_server.url}{BASE}", output_format=fmt)
        # when it lists the services
        services = client.get_service_list()
        # then every active category is a service, with metadata where it has extra fields
        by_code = {s["service_code"]: s for s in services}
        assert len(by_code) == 12 and "gas" in by_code
        assert str(by_code["gas"]["metadata"]).lower() == "true"
        assert str(by_code["other"]["metadata"]).lower() == "false"
        # and the gas definition lists the category's extra fields as attributes
        definition = client.get_service_definition("gas")
        attributes = definition["attributes"]
        if fmt == "xml":
            attributes = attributes["attribute"]
        codes = {a["code"]: a for a in attributes}
        assert set(codes) == {"account", "remaining_m3"}
        assert str(codes["account"]["required"]).lower() == "true"
        assert codes["remaining_m3"]["datatype"] == "number"


@pytest.mark.django_db(transaction=True)
def test_form_post_creates_a_routed_order_the_client_then_reads(
    live_server, city, ladder, partner_key
):
    # given a partner platform posting a request form-encoded, as the spec describes
    response = requests.post(
        f"{live_server.url}{BASE}/requests.json", data=_food(city, partner_key), timeout=10
    )
    # then it is created on the open311 channel, routed, clocked, audited and notified
    assert response.status_code == 201, response.content
    [created] = response.json()
    assert set(created) == {"service_request_id", "token", "service_notice", "account_id"}
    order = WorkOrder.objects.get(number=created["service_request_id"])
    assert order.channel == Channel.OPEN311
    assert order.area_id == city.grid_a.pk
    assert order.responsible_unit == ladder["committee"]
    assert order.extra == {"items": "蔬菜", "people": 3}
    assert AuditRecord.objects.filter(object_id=str(order.pk)).exists()
    assert OutboxMessage.objects.filter(object_id=str(order.pk)).exists()
    # when the real client reads it back by number alone, with no key, it gets the public
    # fields only: no description, no address, the grid's centre rather than the point
    client = GeoReport(f"{live_server.url}{BASE}")
    [public] = client.get_service_requests(service_request_id=order.number)
    assert public["status"] == "open" and public["service_code"] == "food_supplies"
    assert public["description"] is None and public["address"] is None
    assert (public["lat"], public["long"]) == (city.grid_a.lat, city.grid_a.lng)
    # but with the token it was answered with, the caller follows it
    url = f"{live_server.url}{BASE}/requests/{order.number}.json"
    [tracked] = requests.get(url, {"token": created["token"]}, timeout=10).json()
    # then status, service and the SLA's expected time show, but not the description
    assert tracked["status"] == "open"
    assert tracked["service_code"] == "food_supplies"
    assert tracked["expected_datetime"] == w3_datetime(order.due_resolution_at)
    assert tracked["agency_responsible"] == ladder["committee"].name
    assert not tracked["description"] and tracked["lat"] == city.grid_a.lat
    listed = requests.get(
        f"{live_server.url}{BASE}/requests.json",
        {"service_request_id": order.number, "token": created["token"]},
        timeout=10,
    ).json()
    assert [r["service_request_id"] for r in listed] == [order.number]
    # and the token resolves to the same request, in XML too
    xml = requests.get(
        f"{live_server.url}{BASE}/requests/{order.number}.xml",
        {"token": created["token"]},
        timeout=10,
    )
    assert ET.fromstring(xml.content).findtext("request/service_request_id") == order.number
    token = requests.get(f"{live_server.url}{BASE}/tokens/{created['token']}.json", timeout=10)
    assert token.json() == [{"service_request_id": order.number, "token": created["token"]}]


def test_keyed_list_shows_full_records_only_within_the_keys_scope(
    client, city, ladder, partner_key, grid_a_key, grid_worker_a, grid_worker_b
):
    # given one order in each grid
    in_a = workorder_create(
        actor=grid_worker_a, category_code="other", area=city.grid_a, description="A的事"
    ).order
    in_b = workorder_create(
        actor=grid_worker_b, category_code="other", area=city.grid_b, description="B的事"
    ).order
    # when the street's key and grid A's key list requests
    street = client.get(f"{BASE}/requests.json", {"api_key": partner_key}).json()
    grid_a = client.get(f"{BASE}/requests.json", {"api_key": grid_a_key}).json()
    # then each sees exactly its scope, with descriptions
    assert {r["service_request_id"] for r in street} == {in_a.number, in_b.number}
    assert [(r["service_request_id"], r["description"]) for r in grid_a] == [(in_a.number, "A的事")]
    # and grid A's key cannot read grid B's order in full
    detail = client.get(f"{BASE}/requests/{in_b.number}.json", {"api_key": grid_a_key})
    assert_spec_error(detail, 404)


def test_lat_long_place_the_request_in_the_nearest_grid_of_the_keys_scope(
    client, city, ladder, partner_key, grid_a_key
):
    # given grid B's centre moved 2 km north
    city.grid_b.lat = city.grid_a.lat + 0.02
    city.grid_b.save()
    # when the street's key posts at grid B's centre, and grid A's key too
    for key in (partner_key, grid_a_key):
        data = _food(city, key, lat=str(city.grid_b.lat), long=str(city.grid_b.lng))
        assert client.post(f"{BASE}/requests.json", data).status_code == 201
    # then the street's request is in grid B; grid A's key can only file in grid A
    assert [o.area_id for o in WorkOrder.objects.order_by("pk")] == [city.grid_b.pk, city.grid_a.pk]


def test_emergency_words_answer_call_120_and_file_a_critical_medical_order(
    client, city, ladder, partner_key
):
    data = _food(city, partner_key, description="老人胸痛，叫不醒")
    response = client.post(f"{BASE}/requests.json", data)
    assert response.status_code == 201
    [created] = response.json()
    assert "120" in created["service_notice"]
    order = WorkOrder.objects.get(number=created["service_request_id"])
    assert order.emergency and order.priority == Priority.CRITICAL
    assert order.category.code == "medical_care"


def test_a_retried_post_with_the_same_idempotency_key_creates_once(
    client, city, ladder, partner_key
):
    first = client.post(
        f"{BASE}/requests.json", _food(city, partner_key), HTTP_IDEMPOTENCY_KEY="k-1"
    )
    again = client.post(
        f"{BASE}/requests.json", _food(city, partner_key), HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert WorkOrder.objects.count() == 1


def test_post_without_or_with_a_bad_api_key_is_403_in_the_spec_format(
    client, city, ladder, partner_key
):
    assert_spec_error(client.post(f"{BASE}/requests.json", _food(city, None)), 403)
    assert_spec_error(client.post(f"{BASE}/requests.xml", _food(city, "ll_nope")), 403, fmt="xml")
    outsider = make_user("no_membership_platform")
    key = token_create(actor=None, user=outsider, name="nothing")[1]
    assert_spec_error(client.post(f"{BASE}/requests.json", _food(city, key)), 403)
    assert WorkOrder.objects.count() == 0


def test_bad_fields_are_400_naming_the_open311_fields_and_write_nothing(
    client, city, ladder, partner_key
):
    # an unknown service code
    messages = assert_spec_error(
        client.post(f"{BASE}/requests.json", _food(city, partner_key, service_code="nope")), 400
    )
    assert any(m.startswith("service_code") for m in messages)
    # a bad attribute and a missing required one (gas needs an account)
    data = _food(city, partner_key, service_code="gas")
    data["attribute[remaining_m3]"] = "lots"
    messages = assert_spec_error(client.post(f"{BASE}/requests.xml", data), 400, fmt="xml")
    assert any(m.startswith("attribute[remaining_m3]") for m in messages)
    assert any(m.startswith("attribute[account]") for m in messages)
    # no service code, half a position, a position that is not a number
    assert_spec_error(
        client.post(f"{BASE}/requests.json", _food(city, partner_key, service_code="")), 400
    )
    assert_spec_error(
        client.post(f"{BASE}/requests.json", _food(city, partner_key, long=None)), 400
    )
    assert_spec_error(
        client.post(f"{BASE}/requests.json", _food(city, partner_key, lat="nan")), 400
    )
    assert WorkOrder.objects.count() == 0


def test_reads_refuse_in_the_spec_format(client, city, ladder, partner_key):
    assert_spec_error(client.get(f"{BASE}/services/nope.json"), 404)
    assert_spec_error(client.get(f"{BASE}/services/nope.xml"), 404, fmt="xml")
    assert_spec_error(client.get(f"{BASE}/services.json", {"jurisdiction_id": "x"}), 404)
    assert client.get(f"{BASE}/requests.json").json() == []  # reading needs no key
    assert_spec_error(client.get(f"{BASE}/requests.json", {"start_date": "soon"}), 400)
    assert_spec_error(client.get(f"{BASE}/requests.json", {"api_key": "bad"}), 403)
    assert_spec_error(client.get(f"{BASE}/requests/19990101000.json"), 404)
    assert_spec_error(client.get(f"{BASE}/tokens/1.abc.json"), 404)
    assert_spec_error(client.get(f"{BASE}/tokens/x.json"), 404)
    keyed = {"api_key": partner_key}
    assert_spec_error(client.get(f"{BASE}/requests.json", {**keyed, "start_date": "soon"}), 400)
    assert_spec_error(client.get(f"{BASE}/requests.json", {**keyed, "status": "lost"}), 400)
    long_range = {**keyed, "start_date": "2022-01-01T00:00:00Z", "end_date": "2022-11-01T00:00:00Z"}
    assert_spec_error(client.get(f"{BASE}/requests.json", long_range), 400)
    assert_spec_error(client.get(f"{BASE}/services.csv"), 404)
    assert_spec_error(client.get(f"{BASE}/no/such/thing"), 404)
    assert_spec_error(client.delete(f"{BASE}/requests.json"), 405)


@pytest.mark.parametrize(
    "data",
    [
        {"service_code": "x" * 5000},
        {"service_code": "gas", "lat": "1e999", "long": "1"},
        {"service_code": "gas", "lat": "91", "long": "0"},
        {"service_code": "medicine", "description": "\x00bad", "attribute[drug]": "a"},
        {"service_code": "medicine", "attribute[nope]": "1", "description": "药"},
        {"service_code": "medicine", "attribute[drug][]": "x", "description": "药"},
        {"service_code": "medicine", "jurisdiction_id": "430211001001B", "description": "药"},
        {"service_code": "medicine", "phone": "12", "description": "药"},
        {"service_code": "other", "description": "x" * 10000},
        {"service_code": "other", "description": ""},
    ],
)
def test_odd_input_never_gets_a_500(client, city, ladder, partner_key, data):
    response = client.post(f"{BASE}/requests.json", {"api_key": partner_key, **data})
    assert response.status_code < 500, response.content
    if response.status_code >= 400:
        assert_spec_error(response, response.status_code)
