"""Open311's ``api_key``: also taken from the ``X-Api-Key`` header, never written to a log,
and bad keys from one address limited like bad API tokens."""

from __future__ import annotations

import datetime as dt
import io
import logging

import pytest
from django.test import Client

from lifeline.accounts.models import Role
from lifeline.accounts.services import token_create
from lifeline.core.clock import frozen_at
from lifeline.testing.factories import make_user
from lifeline.workorders.models import WorkOrder
from lifeline.workorders.services import workorder_create

BASE = "/open311/v2"


@pytest.fixture
def street_key(city, ladder, categories):
    # a role that grants WORKORDER_FILE over the street (both grids)
    user = make_user("street_platform", role=Role.STREET_STAFF, area=city.street)
    return token_create(actor=None, user=user, name="partner")[1]


def _food(city) -> dict[str, str]:
    return {
        "service_code": "food_supplies",
        "description": "家里没菜了",
        "lat": str(city.grid_a.lat),
        "long": str(city.grid_a.lng),
        "attribute[items]": "蔬菜",
        "attribute[people]": "3",
    }


def test_api_key_in_the_query_string_leaves_no_trace_in_the_logs(
    client, caplog, city, street_key, grid_worker_a
):
    # given an order, and every logger recording from DEBUG up
    workorder_create(actor=grid_worker_a, category_code="other", area=city.grid_a, description="x")
    caplog.set_level(logging.DEBUG)
    bad_key = "ll_Zz9Yy8Xwrong-key-that-is-still-secret"
    # when keys are sent in the query string: a good one, a bad one (a 403 Django logs),
    # and a line that logs the full URL, as a future log call might
    ok = client.get(f"{BASE}/requests.json?api_key={street_key}")
    refused = client.get(f"{BASE}/requests.json?api_key={bad_key}")
    logging.getLogger("lifeline.open311").warning(
        "odd request %s", f"{BASE}/requests.json?api_key={street_key}&service_code=gas"
    )
    # then the requests were answered, and neither key appears in anything logged
    assert ok.status_code == 200 and refused.status_code == 403
    assert caplog.records, "the 403 and the warning are logged"
    for key in (street_key, bad_key):
        assert key not in caplog.text
        assert key[12:] not in caplog.text
    assert "api_key=[redacted]" in caplog.text


def test_every_configured_handler_redacts_a_request_line(settings):
    # given the server's request log (runserver's ``django.server``) and the root handler
    record_line = f'"GET {BASE}/requests.json?api_key=ll_Secret0123456789abcdef HTTP/1.1" 200 2'
    handlers = [*logging.getLogger("django.server").handlers, *logging.getLogger().handlers]
    configured = [h for h in handlers if type(h).__name__ == "StreamHandler"]
    assert configured and set(settings.LOGGING["handlers"]) == {"console", "django.server"}
    for handler in configured:
        assert any(type(f).__name__ == "RedactSecrets" for f in handler.filters)
    stream = io.StringIO()
    server = logging.getLogger("django.server").handlers[0]
    original = server.setStream(stream)  # type: ignore[attr-defined]
    try:
        # when a request line carrying a key is logged
        logging.getLogger("django.server").info("%s", record_line, extra={"status_code": 200})
    finally:
        server.setStream(original)  # type: ignore[attr-defined]
    # then what is written has the key redacted
    written = stream.getvalue()
    assert "api_key=[redacted]" in written and "Secret0123456789" not in written


def test_the_key_may_come_in_the_x_api_key_header(client: Client, city, street_key):
    # when a partner posts and lists with the key in the header, none in the URL or form
    created = client.post(f"{BASE}/requests.json", _food(city), HTTP_X_API_KEY=street_key)
    listed = client.get(f"{BASE}/requests.json", HTTP_X_API_KEY=street_key)
    # then both work as with api_key, and the list shows full records of the key's scope
    assert created.status_code == 201, created.content
    [item] = created.json()
    order = WorkOrder.objects.get(number=item["service_request_id"])
    assert [r["service_request_id"] for r in listed.json()] == [order.number]
    assert listed.json()[0]["description"] == "家里没菜了"


def test_a_bad_key_in_the_header_is_refused_like_one_in_the_form(client: Client, city, ladder):
    response = client.post(f"{BASE}/requests.json", _food(city), HTTP_X_API_KEY="ll_nope")
    assert response.status_code == 403
    assert WorkOrder.objects.count() == 0


def test_bad_keys_from_one_address_get_429_in_the_spec_format(city, ladder, settings):
    # given a limit of 2 bad keys per address
    settings.LIFELINE_TOKEN_FAILURES_PER_ADDRESS = 2
    prober = Client(REMOTE_ADDR="198.51.100.7")
    with frozen_at(dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)):
        answers = [
            prober.get(f"{BASE}/requests.json", {"api_key": f"ll_guess{n}"}) for n in range(3)
        ]
    # then the first is refused as a bad key and the limit answers 429, as Open311 errors
    assert [a.status_code for a in answers] == [403, 429, 429]
    [error] = answers[2].json()
    assert error["code"] == 429 and error["description"]
