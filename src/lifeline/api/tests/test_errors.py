"""One error shape everywhere, and bad input never yields a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lifeline.api.router import api
from lifeline.api.tests.helpers import API, assert_error, client_for, post_json
from lifeline.registry import selectors
from lifeline.registry.models import Household

WRITE_METHODS = {"post", "patch", "put"}


def _operations(methods: set[str]) -> list[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return [(m, p) for p, ops in schema["paths"].items() for m in ops if m in methods]


def _bodyless() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return {
        (m, p)
        for p, ops in schema["paths"].items()
        for m, op in ops.items()
        if "requestBody" not in op
    }


def _fill(path: str, city: Any) -> str:
    person = city.people_a[0]
    return path.format(
        area_id=city.grid_a.pk,
        household_id=person.household_id,
        person_id=person.pk,
        kind="dialysis",
        order_id=_order_id(city),
        seq=1,
        # Health and passes: ids and codes of nothing, so each operation reaches its lookup.
        decision_id=999999,
        transfer_id=999999,
        need_id=999999,
        # Teams: ids of nothing.
        plan_id=999999,
        stop_id=999999,
        team_id=999999,
        pk=999999,
        pass_id="P-NONE",
        code="CP-NONE",
        # Screening: grid A, and a tube barcode of nothing.
        grid_id=city.grid_a.pk,
        barcode="T-NONE",
        # Supplies: ids of nothing.
        count_id=999999,
        donor_id=999999,
        line_id=999999,
        lot_id=999999,
        money_id=999999,
        picklist_id=999999,
        pledge_id=999999,
        run_id=999999,
        shipment_id=999999,
        warehouse_id=999999,
        # Volunteers: ids of nothing.
        booking_id=999999,
        shift_id=999999,
        volunteer_id=999999,
        # Enterprises: ids of nothing.
        enterprise_id=999999,
        bubble_id=999999,
        # Counselling: ids of nothing.
        contact_id=999999,
        callback_id=999999,
        # Continuity: ids of nothing.
        unit_id=999999,
        problem_id=999999,
        # Command centre and notices: ids of nothing.
        alert_id=999999,
        notice_id=999999,
        row_id=999999,
        report_id=999999,
        meeting_id=999999,
        # Key users: ids of nothing.
        key_user_id=999999,
        interruption_id=999999,
    )


def _order_id(city: Any) -> int:
    """One work order of grid A, made once per test, so order endpoints reach their services."""
    if "order_id" not in city.extra:
        from lifeline.workorders.services import workorder_create

        intake = workorder_create(
            actor=None,
            channel="form",
            category_code="other",
            area=city.grid_a,
            description="fuzz",
            contact_phone="13900000099",
            stops=[{"label": "stop"}],
        )
        city.extra["order_id"] = intake.order.pk
    return int(city.extra["order_id"])


def test_malformed_json_is_a_400_in_the_error_shape(city, grid_worker_a):
    response = client_for(grid_worker_a).post(
        f"{API}/households", data="{not json", content_type="application/json"
    )
    assert_error(response, 400, "bad_request")


def test_wrong_types_are_a_422_naming_each_field(city, grid_worker_a):
    response = post_json(
        client_for(grid_worker_a),
        f"{API}/people",
        {"household": "abc", "name": 5, "sex": ["M"], "birth_date": "yesterday"},
    )
    error = assert_error(response, 422, "validation")
    assert set(error["fields"]) == {"household", "name", "sex", "birth_date"}
    assert error["message"] == "请更正标出的字段。"


def test_query_and_path_types_are_checked(city, grid_worker_a):
    client = client_for(grid_worker_a)
    assert "limit" in assert_error(client.get(f"{API}/areas?limit=501"), 422)["fields"]
    assert "grid" in assert_error(client.get(f"{API}/buildings?grid=x"), 422)["fields"]
    assert_error(client.get(f"{API}/people/abc"), 422, "validation")
    assert_error(client.get(f"{API}/people/{2**70}"), 422, "validation")


@pytest.mark.parametrize(
    "path", ["/areas/999999", "/households/999999", "/people/999999", "/areas/999999/children"]
)
def test_unknown_ids_are_a_404(city, command_staff, path):
    assert_error(client_for(command_staff).get(f"{API}{path}"), 404, "not_found")


def test_unknown_path_and_wrong_method_keep_the_shape(city, command_staff):
    client = client_for(command_staff)
    assert_error(client.get(f"{API}/no-such-thing"), 404, "not_found")
    response = client.delete(f"{API}/areas")
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_unexpected_exception_is_a_500_in_the_shape(city, command_staff, monkeypatch):
    # given a selector that crashes
    def boom(**kwargs: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(selectors, "area_list", boom)
    # when called, then the client still gets the error shape, without the internals
    response = client_for(command_staff).get(f"{API}/areas")
    error = assert_error(response, 500, "server_error")
    assert "fire" not in error["message"]


BAD_BODIES = [
    b"",
    b"null",
    b"[]",
    b"[1,2]",
    b'"text"',
    b"42",
    b"{",
    b"\xff\xfe",
    b'{"a":' * 50,
    json.dumps({"name": "\x00", "unit_no": "\x00", "field": "\x00", "purpose": "\x00"}).encode(),
    json.dumps(
        {k: "x" * 10_000 for k in ("name", "unit_no", "address", "note", "purpose")}
    ).encode(),
    json.dumps({k: 2**80 for k in ("grid", "building", "household", "area", "unit")}).encode(),
    json.dumps({"lat": "NaN", "lng": 1e999, "birth_date": "0000-00-00"}).encode(),
]


@pytest.mark.parametrize("body", BAD_BODIES)
def test_bad_bodies_never_produce_a_500(city, command_staff, body):
    client = client_for(command_staff)
    for method, path in _operations(WRITE_METHODS):
        url = _fill(path, city)
        response = client.generic(method.upper(), url, data=body, content_type="application/json")
        # An empty PATCH/PUT (all fields optional) is a valid no-op, and an operation that
        # takes no body (a claim) ignores it; the rest is a 4xx.
        assert response.status_code < 500, (method, url, body[:40], response.content)
        if response.status_code >= 400:
            assert_error(response, response.status_code)
        else:
            empty_ok = method in ("patch", "put") and body == b""
            assert empty_ok or (method, path) in _bodyless(), (url, body[:40])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=8,
)
field_names = st.sampled_from(
    [
        "grid",
        "building",
        "household",
        "area",
        "unit",
        "name",
        "unit_no",
        "sex",
        "phone",
        "id_number",
        "birth_date",
        "kind",
        "field",
        "purpose",
        "note",
        "lat",
        "lng",
        "address",
    ]
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=st.dictionaries(field_names, json_values, max_size=6))
def test_random_bodies_never_produce_a_500(city, command_staff, body):
    client = client_for(command_staff)
    before = Household.objects.count()
    for method, path in _operations(WRITE_METHODS):
        response = client.generic(
            method.upper(),
            _fill(path, city),
            data=json.dumps(body),
            content_type="application/json",
        )
        assert response.status_code < 500, (method, path, body, response.content)
    assert Household.objects.count() >= before


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    params=st.dictionaries(
        st.sampled_from(
            [
                "limit",
                "offset",
                "grid",
                "area",
                "parent",
                "level",
                "q",
                "kind",
                "phone",
                "vulnerability",
                "household",
                "building",
            ]
        ),
        st.text(max_size=30) | st.integers().map(str),
        max_size=4,
    )
)
def test_random_query_strings_never_produce_a_500(city, command_staff, params):
    client = client_for(command_staff)
    for _method, path in _operations({"get"}):
        response = client.get(_fill(path, city), params)
        assert response.status_code < 500, (path, params, response.content)
