"""The notices API: draft, submit, approval by a second person (never the drafter), the
counters, an Update and the reach list, with the one error shape on bad input."""

from __future__ import annotations

import pytest

from lifeline.api.tests.helpers import client_for
from lifeline.notices.models import Notice
from lifeline.notices.tests.scope_cases import API, make_notices_world, notice_body

pytestmark = pytest.mark.django_db


def _post(user, url, body, **headers):
    return client_for(user).post(url, body, content_type="application/json", **headers)


def test_draft_submit_and_approve_by_a_second_person(city):
    w = make_notices_world(city)
    created = _post(w.staff_b, f"{API}/notices", notice_body(w), HTTP_IDEMPOTENCY_KEY="k1")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["status"] == "draft"
    assert _post(w.staff_b, f"{API}/notices/{pk}/submit", {}).json()["status"] == "submitted"
    # the drafter (even holding the right) cannot approve; the district officer can
    refused = _post(w.staff_b, f"{API}/notices/{pk}/approve", {})
    assert refused.status_code in (403, 404)
    done = _post(w.approver_b, f"{API}/notices/{pk}/approve", {})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "published" and done.json()["cap_url"].endswith(".xml")
    again = _post(w.approver_b, f"{API}/notices/{pk}/approve", {})
    assert again.status_code == 409 and again.json()["error"]["code"] == "not_submitted"


def test_bad_input_is_a_translated_error_and_writes_nothing(city):
    w = make_notices_world(city)
    before = Notice.objects.count()
    body = {**notice_body(w), "category": "nonsense", "expires_at": "2000-01-01T00:00:00Z"}
    answer = _post(w.staff_b, f"{API}/notices", body, HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 400
    assert set(answer.json()["error"]["fields"]) >= {"category", "expires_at"}
    assert Notice.objects.count() == before


def test_reach_list_shows_the_workers_grid_masked(city):
    w = make_notices_world(city)
    rows = client_for(w.worker_a).get(f"{API}/reach").json()["items"]
    assert rows and all(r["area_path"].startswith(city.grid_a.path) for r in rows)
    assert all("****" in r["phone_masked"] for r in rows)
    marked = _post(w.worker_b, f"{API}/reach/{w.row_b.pk}/reached", {"note": "上门"})
    assert marked.status_code == 200, marked.content
    w.community_notice.refresh_from_db()
    assert w.community_notice.reached_count == 1
