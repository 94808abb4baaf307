"""Bad API tokens from one address are limited (429 in the one error shape) and audited
with the token's public prefix at most; valid tokens are never refused by the limit."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from lifeline.accounts.services import token_create
from lifeline.api.tests.helpers import API, assert_error
from lifeline.core.clock import frozen_at
from lifeline.core.models import AuditRecord

WINDOW_START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
BAD = "ll_AbCdEfGsecret-part-of-a-guessed-token-0123456789"


def _bearer(plain: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def test_bad_tokens_from_one_address_get_429_in_the_error_shape(city, settings):
    # given a limit of 3 bad tokens per address
    settings.LIFELINE_TOKEN_FAILURES_PER_ADDRESS = 3
    prober = Client(REMOTE_ADDR="198.51.100.7")
    with frozen_at(WINDOW_START):
        # when the address sends bad tokens
        first = [prober.get(f"{API}/areas", **_bearer(BAD)) for _ in range(2)]
        third = prober.get(f"{API}/areas", HTTP_ACCEPT_LANGUAGE="en", **_bearer(BAD))
        fourth = prober.get(f"{API}/areas", **_bearer(BAD + "x"))
        other = Client(REMOTE_ADDR="198.51.100.8").get(f"{API}/areas", **_bearer(BAD))
    # then the first two are plain refusals and the limit answers 429 from the third on
    for response in first:
        assert_error(response, 401, "unauthenticated")
    error = assert_error(third, 429, "throttled")
    assert error["message"] == (
        "Too many invalid API tokens from your network address. Try again in 15 minutes."
    )
    assert third["Retry-After"] == "900"
    assert_error(fourth, 429, "throttled")
    # and another address is not affected
    assert_error(other, 401, "unauthenticated")


def test_bad_tokens_are_audited_with_the_prefix_only(city, settings):
    settings.LIFELINE_TOKEN_FAILURES_PER_ADDRESS = 3
    prober = Client(REMOTE_ADDR="198.51.100.7")
    with frozen_at(WINDOW_START):
        for _ in range(5):
            prober.get(f"{API}/areas", **_bearer(BAD))
    # the three counted failures and the one limit are audited; refusals past it are not
    failed = list(AuditRecord.objects.filter(action="token.failed"))
    assert len(failed) == 3
    assert AuditRecord.objects.filter(action="token.throttled").count() == 1
    for record in failed:
        assert "ll_AbCdEfG" in record.purpose
    for record in AuditRecord.objects.all():
        text = " ".join(str(v) for v in (record.object_id, record.purpose, record.fields))
        assert "secret-part" not in text and BAD not in text


def test_a_valid_token_works_from_an_address_past_the_limit(city, grid_worker_a, settings):
    # given an address past the limit of bad tokens
    settings.LIFELINE_TOKEN_FAILURES_PER_ADDRESS = 2
    _token, plain = token_create(actor=grid_worker_a, user=grid_worker_a, name="tablet")
    client = Client(REMOTE_ADDR="198.51.100.7")
    with frozen_at(WINDOW_START):
        for _ in range(3):
            client.get(f"{API}/areas", **_bearer(BAD))
        # when a valid token is sent from it
        response = client.get(f"{API}/areas", **_bearer(plain))
    # then it is served
    assert response.status_code == 200
    assert [a["id"] for a in response.json()["items"]] == [city.grid_a.pk]
