"""Bad input to the work-order channels is a clear 400 in the channel's error format (the
page shows a message), never a 500 and never a partial write."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from lifeline.accounts.models import Role
from lifeline.accounts.services import token_create
from lifeline.api.tests.helpers import assert_error, client_for, post_json
from lifeline.core.models import AuditRecord, OutboxMessage
from lifeline.testing.factories import make_user
from lifeline.workorders.models import WorkOrder, WorkOrderEvent
from lifeline.workorders.services import workorder_create

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
UNSAFE = ["\x00", "\u202e"]  # NUL, RIGHT-TO-LEFT OVERRIDE


def _writes() -> tuple[int, int, int]:
    return WorkOrder.objects.count(), OutboxMessage.objects.count(), AuditRecord.objects.count()


@pytest.fixture
def partner_key(city, ladder, categories):
    user = make_user("partner_platform", role=Role.STREET_STAFF, area=city.street)
    return token_create(actor=None, user=user, name="partner")[1]


@pytest.mark.parametrize(
    ("lat", "long"),
    [
        ("1e308", "-1e308"),
        ("nan", "1"),
        ("inf", "-inf"),
        ("1e999", "0"),
        ("90.5", "112"),
        ("27.8", "180.1"),
        ("-91", "0"),
    ],
)
def test_open311_refuses_a_position_off_the_earth(client, city, partner_key, lat, long):
    before = _writes()
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": partner_key,
            "service_code": "other",
            "description": "事",
            "lat": lat,
            "long": long,
        },
        **EN,
    )
    assert response.status_code == 400, response.content[:300]
    [error] = response.json()
    assert error["code"] == 400 and (
        "lat" in error["description"] or "long" in error["description"]
    )
    assert _writes() == before


@pytest.mark.parametrize("char", UNSAFE)
def test_open311_refuses_control_characters_and_direction_overrides(
    client, city, partner_key, char
):
    before = _writes()
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": partner_key,
            "service_code": "other",
            "description": f"事{char}",
            "jurisdiction_id": city.community.code,
        },
        **EN,
    )
    assert response.status_code == 400
    assert "control characters" in response.json()[0]["description"]
    assert _writes() == before


@pytest.mark.parametrize("char", UNSAFE)
def test_the_api_refuses_control_characters_and_direction_overrides(city, grid_worker_a, char):
    body = {"description": f"家里没菜了{char}", "category": "other", "area": city.grid_a.pk}
    response = post_json(client_for(grid_worker_a), "/api/v1/workorders", body, **EN)
    error = assert_error(response, 422, "validation")
    assert "control characters" in error["fields"]["description"][0]
    assert WorkOrder.objects.count() == 0


@pytest.mark.parametrize(
    ("path", "param"),
    [("/api/v1/workorders", "status"), ("/api/v1/workorders", "category")],
)
def test_a_filter_holding_a_nul_byte_is_refused_not_a_server_error(
    city, grid_worker_a, path, param
):
    """PostgreSQL refuses NUL in text: the filter is checked before any query."""
    response = client_for(grid_worker_a).get(path, {param: "open\x00"}, **EN)
    error = assert_error(response, 422, "validation")
    assert param in error["fields"]


def _verified_client(phone: str = "13712345678") -> Client:
    client = Client()
    client.post("/r/", {"phone": phone})
    body = OutboxMessage.objects.filter(recipient=phone).order_by("-pk").first().body
    client.post("/r/code/", {"code": re.search(r"\d{6}", body).group(0)})
    return client


@pytest.mark.parametrize("char", UNSAFE)
@pytest.mark.parametrize("field", ["description", "address", "contact_name"])
def test_the_resident_form_refuses_control_characters_and_direction_overrides(
    city, ladder, categories, char, field
):
    client = _verified_client()
    before = _writes()
    data = {"description": "家里没菜了", "area": city.community.pk, "address": "1栋"}
    data[field] = f"{data.get(field, '')}{char}x"
    response = client.post("/r/new/", data, **EN)
    assert response.status_code == 400
    assert "control characters" in response.content.decode()
    assert _writes() == before


@pytest.mark.parametrize("char", UNSAFE)
def test_the_hotline_console_refuses_control_characters_and_direction_overrides(
    city, ladder, categories, hotline_operator, char
):
    client = client_for(hotline_operator)
    data = {"description": f"家里没菜了{char}", "area": city.community.pk, "category": "other"}
    response = client.post("/workorders/hotline/new/", data, HTTP_HX_REQUEST="true", **EN)
    assert response.status_code == 400
    assert "control characters" in response.content.decode()
    assert WorkOrder.objects.count() == 0


@pytest.mark.parametrize("char", UNSAFE)
def test_a_staff_comment_with_control_characters_is_refused_and_not_stored(
    city, ladder, categories, grid_worker_a, char
):
    order = workorder_create(
        actor=grid_worker_a, category_code="other", area=city.grid_a, description="事"
    ).order
    events = WorkOrderEvent.objects.count()
    client = client_for(grid_worker_a)
    response = client.post(
        f"/workorders/{order.pk}/act/comment/", {"note": f"催{char}办"}, follow=True, **EN
    )
    assert "control characters" in response.content.decode()
    assert WorkOrderEvent.objects.count() == events
