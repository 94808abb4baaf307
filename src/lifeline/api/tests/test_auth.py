"""API authentication: Bearer tokens for machines, the session (with CSRF) for pages."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from lifeline.accounts.models import ApiToken
from lifeline.accounts.services import token_create, token_revoke
from lifeline.api.router import api
from lifeline.api.tests.helpers import API, assert_error, client_for, post_json
from lifeline.core.clock import frozen_at


def _bearer(plain: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


# Public by design: the resident confirms a resolved order with the code sent to them.
# Checkpoints fetch the published key and revocation lists before going offline. The
# counselling line publishes who is on duty now, with their numbers, for anyone to call.
PUBLIC_OPERATIONS = {
    ("post", "/api/v1/workorders/confirm"),
    ("get", "/api/v1/passes/keys"),
    ("get", "/api/v1/passes/revocations"),
    ("get", "/api/v1/counselling/on-duty"),
}


def test_every_operation_requires_authentication():
    # given the OpenAPI schema
    schema = api.get_openapi_schema()
    # then every operation lists the token and the session as its only ways in,
    # except the few public ones, which list none
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            names = {name for option in operation.get("security", []) for name in option}
            expected = set() if (method, path) in PUBLIC_OPERATIONS else {"BearerToken", "Session"}
            assert names == expected, (method, path)


def test_anonymous_request_gets_401_in_chinese_by_default(city):
    response = Client().get(f"{API}/areas")
    error = assert_error(response, 401, "unauthenticated")
    assert error["message"] == "请登录或提供有效的 API 令牌。"
    english = Client().get(f"{API}/areas", HTTP_ACCEPT_LANGUAGE="en")
    assert assert_error(english, 401)["message"] == "Log in or send a valid API token."


def test_bearer_token_reads_within_the_users_scope(city, grid_worker_a):
    # given a token of grid worker A
    _token, plain = token_create(actor=grid_worker_a, user=grid_worker_a, name="tablet")
    # when calling with it
    response = Client().get(f"{API}/areas", **_bearer(plain))
    # then the answer is grid A only
    assert [a["id"] for a in response.json()["items"]] == [city.grid_a.pk]


def test_only_the_hash_of_a_token_is_stored(city, grid_worker_a):
    token, plain = token_create(actor=grid_worker_a, user=grid_worker_a, name="tablet")
    stored = ApiToken.objects.get(pk=token.pk)
    assert plain not in (stored.token_hash, stored.prefix, stored.name)
    assert plain.startswith(stored.prefix) and len(stored.token_hash) == 64


def test_revoked_unknown_and_inactive_tokens_are_refused(city, grid_worker_a):
    token, plain = token_create(actor=grid_worker_a, user=grid_worker_a, name="tablet")
    assert_error(Client().get(f"{API}/areas", **_bearer(plain + "x")), 401)
    token_revoke(actor=grid_worker_a, prefix=token.prefix)
    assert_error(Client().get(f"{API}/areas", **_bearer(plain)), 401)
    _other, plain2 = token_create(actor=grid_worker_a, user=grid_worker_a, name="phone")
    grid_worker_a.is_active = False
    grid_worker_a.save()
    assert_error(Client().get(f"{API}/areas", **_bearer(plain2)), 401)


def test_bad_token_is_refused_even_with_a_valid_session(city, grid_worker_a):
    client = client_for(grid_worker_a)
    assert_error(client.get(f"{API}/areas", **_bearer("ll_not-a-token")), 401)


def test_last_used_at_is_written_at_most_once_a_minute(city, grid_worker_a):
    token, plain = token_create(actor=grid_worker_a, user=grid_worker_a, name="tablet")
    start = timezone.make_aware(dt.datetime(2022, 11, 7, 9, 0))
    with frozen_at(start):
        Client().get(f"{API}/areas", **_bearer(plain))
    token.refresh_from_db()
    assert token.last_used_at == start
    with frozen_at(start + dt.timedelta(seconds=59)):
        Client().get(f"{API}/areas", **_bearer(plain))
    token.refresh_from_db()
    assert token.last_used_at == start
    with frozen_at(start + dt.timedelta(seconds=61)):
        Client().get(f"{API}/areas", **_bearer(plain))
    token.refresh_from_db()
    assert token.last_used_at == start + dt.timedelta(seconds=61)


def test_session_post_without_csrf_token_is_refused(city, grid_worker_a):
    # given a browser session that enforces CSRF
    client = client_for(grid_worker_a, enforce_csrf_checks=True)
    body = {"grid": city.grid_a.pk, "name": "9栋", "address": "泰山路9号"}
    # when posting without the CSRF token, then it is refused in the error shape
    assert_error(post_json(client, f"{API}/buildings", body), 403, "forbidden")
    # and reads still work
    assert client.get(f"{API}/areas").status_code == 200


def test_token_post_needs_no_csrf_token(city, grid_worker_a):
    _token, plain = token_create(actor=grid_worker_a, user=grid_worker_a, name="tablet")
    client = Client(enforce_csrf_checks=True)
    body = {"grid": city.grid_a.pk, "name": "9栋", "address": "泰山路9号"}
    assert post_json(client, f"{API}/buildings", body, **_bearer(plain)).status_code == 201


def test_openapi_and_docs_are_served(db):
    assert Client().get(f"{API}/openapi.json").json()["info"]["title"] == "Lifeline API"
    assert Client().get(f"{API}/docs").status_code == 200
