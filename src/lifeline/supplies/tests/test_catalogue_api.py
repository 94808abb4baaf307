"""The catalogue API and services: every member reads items (with the units a quantity may
be given in), units and categories; items and warehouses are created by whoever holds the
catalogue permission (for a warehouse: at its area), bad input is refused with the fields
named and nothing written, and every write is audited."""

from __future__ import annotations

from typing import Any

import pytest

from lifeline.accounts.models import Role
from lifeline.api.tests.helpers import assert_error, client_for, post_json
from lifeline.core.models import AuditRecord
from lifeline.supplies.models import Item, Warehouse
from lifeline.supplies.tests.scope_cases_catalogue import (
    item_body,
    make_catalogue_world,
    warehouse_body,
)
from lifeline.testing.factories import SmallCity, make_user

API = "/api/v1/supplies"


@pytest.fixture
def w(city: SmallCity) -> Any:
    return make_catalogue_world(city)


def test_members_read_items_with_the_units_a_quantity_may_be_given_in(w):
    answer = client_for(w.worker_a).get(f"{API}/items", {"limit": 500}).json()
    items = {i["code"]: i for i in answer["items"]}
    rice, n95 = items["rice"], items["n95"]
    assert rice["category"]["code"] == "food" and rice["base_unit"]["code"] == "kg"
    rice_units = {u["code"]: u["base_units"] for u in rice["units"]}
    assert rice["units"][0]["code"] == "kg"
    assert rice_units["jin"] == "0.5" and rice_units["rice_bag25"] == "25"
    n95_units = {u["code"]: u["base_units"] for u in n95["units"]}
    # a box of 20 masks is 20 masks; kilograms and other items' packs are not offered
    assert n95_units == {"piece": "1", "n95_box20": "20"}
    food = client_for(w.worker_a).get(f"{API}/items", {"category": "food"}).json()
    assert food["count"] > 0 and {i["category"]["code"] for i in food["items"]} == {"food"}
    units = client_for(w.officer).get(f"{API}/units", {"limit": 500}).json()["items"]
    assert {"code": "n95_box20", "item": "n95"}.items() <= next(
        u for u in units if u["code"] == "n95_box20"
    ).items()
    categories = client_for(w.officer).get(f"{API}/categories").json()
    assert "ppe" in {c["code"] for c in categories["items"]}


def test_a_user_with_no_membership_reads_nothing(w):
    for path in ("items", "units", "categories"):
        assert client_for(w.outsider).get(f"{API}/{path}").json()["count"] == 0


def test_catalogue_staff_create_an_item_audited(w):
    response = post_json(client_for(w.catalogue_a), f"{API}/items", item_body(w))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "hand_sanitiser" and body["base_unit"]["code"] == "bottle"
    assert AuditRecord.objects.filter(action="supplies.item_create").count() == 1
    # the same code again is a conflict, and nothing more is written
    again = post_json(client_for(w.catalogue_a), f"{API}/items", item_body(w))
    assert_error(again, 409, "conflict")
    assert Item.objects.filter(code="hand_sanitiser").count() == 1


@pytest.mark.parametrize(
    "change,field",
    [
        ({"category": "nope"}, "category"),
        ({"base_unit": "n95_box20"}, "base_unit"),
        ({"base_unit": "parsec"}, "base_unit"),
        ({"code": "has space"}, "code"),
    ],
)
def test_bad_items_are_refused_with_the_field_named(w, change, field):
    before = Item.objects.count()
    response = post_json(client_for(w.catalogue_b), f"{API}/items", {**item_body(w), **change})
    error = assert_error(response, 400)
    assert field in error["fields"], error
    assert Item.objects.count() == before


def test_a_negative_value_is_refused_by_the_schema(w):
    body = {**item_body(w), "unit_value": "-1"}
    response = post_json(client_for(w.catalogue_b), f"{API}/items", body)
    assert response.status_code in (400, 422)
    assert not Item.objects.filter(code="hand_sanitiser").exists()


def test_a_warehouse_is_created_in_the_area_with_its_path_and_masked_phone(w):
    response = post_json(client_for(w.catalogue_b), f"{API}/warehouses", warehouse_body(w))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["area_path"] == w.grid_b.path and body["contact_phone_masked"] == "139****1111"
    assert "13900001111" not in response.content.decode()
    warehouse = Warehouse.objects.get(code="WH-B-NEW")
    assert warehouse.area_path == w.grid_b.path
    record = AuditRecord.objects.get(action="supplies.warehouse_create")
    assert record.area_path == w.grid_b.path


def test_warehouse_refusals_write_nothing(w):
    # grid A's catalogue staff may not place a warehouse in grid B
    denied = post_json(client_for(w.catalogue_a), f"{API}/warehouses", warehouse_body(w))
    assert denied.status_code in (403, 404)
    # bad input, each named
    bad = {**warehouse_body(w), "contact_phone": "call me", "unit": 999999}
    error = assert_error(post_json(client_for(w.catalogue_b), f"{API}/warehouses", bad), 400)
    assert {"contact_phone", "unit"} <= set(error["fields"])
    unknown_area = {**warehouse_body(w), "area": 999999}
    assert_error(post_json(client_for(w.catalogue_b), f"{API}/warehouses", unknown_area), 404)
    assert not Warehouse.objects.exists()
    # a code in use is a conflict
    post_json(client_for(w.catalogue_b), f"{API}/warehouses", warehouse_body(w))
    twice = post_json(client_for(w.catalogue_b), f"{API}/warehouses", warehouse_body(w))
    assert_error(twice, 409)
    assert Warehouse.objects.count() == 1


def test_a_warehouse_officer_may_not_change_the_catalogue(w, city):
    officer = make_user("officer2", role=Role.WAREHOUSE_OFFICER, area=city.city)
    response = post_json(client_for(officer), f"{API}/items", item_body(w))
    assert response.status_code in (403, 404)
    assert not Item.objects.filter(code="hand_sanitiser").exists()
