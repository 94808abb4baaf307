"""Transfer and standing-need endpoints: idempotent creates, times in order, one error shape."""

from __future__ import annotations

import datetime as dt

import pytest
from ninja import NinjaAPI
from ninja.testing import TestClient

from lifeline.accounts.models import Role
from lifeline.accounts.services import token_create
from lifeline.api.errors import install
from lifeline.core.clock import frozen_at
from lifeline.health.api import build_router
from lifeline.health.models import MedicalTransfer, StandingNeed
from lifeline.testing.factories import make_user
from lifeline.workorders.models import Priority

NOW = dt.datetime(2022, 11, 20, 12, 30, tzinfo=dt.UTC)


@pytest.fixture
def client() -> TestClient:
    api = NinjaAPI(urls_namespace="health_transfer_test")
    install(api)
    api.add_router("/health", build_router())
    return TestClient(api)


def _auth(user, key: str = "") -> dict[str, str]:
    _token, plain = token_create(actor=user, user=user, name="test")
    headers = {"Authorization": f"Bearer {plain}"}
    if key:
        headers["Idempotency-Key"] = key
    return headers


def test_a_retried_transfer_request_files_one_order(client, city, hospitals, hotline_operator):
    person = city.people_a[0]
    headers = _auth(hotline_operator, key="call-2022-11-20-001")
    body = {"person_id": person.pk, "urgency": "necessary", "note": "腹痛两天"}
    with frozen_at(NOW):
        first = client.post("/health/transfers", json=body, headers=headers)
        again = client.post("/health/transfers", json=body, headers=headers)
    assert first.status_code == 201, first.content
    assert again.status_code == 201 and again.json() == first.json()
    answer = first.json()
    assert answer["order"]["priority"] == Priority.CRITICAL
    assert answer["decision"]["rule_version"] == 1 and answer["decision"]["how"]
    assert answer["times"] == dict.fromkeys(("call", "dispatch", "arrival", "handover"))
    assert MedicalTransfer.objects.count() == 1


def test_times_through_the_api_in_order_once_each(client, city, hospitals, hotline_operator):
    crew = make_user("crew", role=Role.UNIT_STAFF, unit=city.units["committee"])
    with frozen_at(NOW):
        created = client.post(
            "/health/transfers", json={"person_id": city.people_a[0].pk}, headers=_auth(crew)
        )
    # unit staff may not file (no area), but the hotline may
    assert created.status_code in (403, 404)
    with frozen_at(NOW):
        created = client.post(
            "/health/transfers",
            json={"person_id": city.people_a[0].pk},
            headers=_auth(hotline_operator),
        )
    url = f"/health/transfers/{created.json()['id']}/times"
    headers = _auth(crew)
    with frozen_at(NOW + dt.timedelta(minutes=20)):
        skipped = client.post(url, json={"step": "handover"}, headers=headers)
        assert skipped.status_code == 400
        assert skipped.json()["error"]["code"] == "out_of_order"
        call = client.post(
            url, json={"step": "call", "at": "2022-11-20T12:31:00+00:00"}, headers=headers
        )
        assert call.status_code == 200, call.content
        assert call.json()["times"]["call"].startswith("2022-11-20T12:31")
        repeated = client.post(url, json={"step": "call"}, headers=headers)
        assert repeated.status_code == 409
        assert repeated.json()["error"]["code"] == "already_recorded"
        hospital = client.post(
            url, json={"step": "dispatch", "hospital_id": hospitals.general.pk}, headers=headers
        )
        assert hospital.status_code == 400 and "hospital" in hospital.json()["error"]["fields"]
        for step in ("dispatch", "arrival"):
            assert client.post(url, json={"step": step}, headers=headers).status_code == 200
        done = client.post(
            url, json={"step": "handover", "hospital_id": hospitals.general.pk}, headers=headers
        )
    assert done.status_code == 200, done.content
    assert done.json()["hospital_name"] == "天元区人民医院"
    assert all(done.json()["times"].values())


def test_standing_need_through_the_api(client, city, community_staff):
    headers = _auth(community_staff, key="need-1")
    body = {
        "person_id": city.people_a[1].pk,
        "kind": "dialysis",
        "weekdays": [2, 4, 6],
        "time": "07:30",
        "lead_hours": 36,
    }
    with frozen_at(NOW):
        created = client.post("/health/standing-needs", json=body, headers=headers)
        again = client.post("/health/standing-needs", json=body, headers=headers)
    assert created.status_code == 201, created.content
    assert again.json() == created.json() and StandingNeed.objects.count() == 1
    assert created.json()["weekdays"] == [2, 4, 6] and created.json()["time"] == "07:30"
    bad = client.post(
        "/health/standing-needs", json={**body, "weekdays": [9]}, headers=_auth(community_staff)
    )
    assert bad.status_code == 400 and "weekdays" in bad.json()["error"]["fields"]
    need_url = f"/health/standing-needs/{created.json()['id']}"
    with frozen_at(NOW):
        ended = client.post(f"{need_url}/end", json={"reason": "停止透析"}, headers=headers)
    assert ended.status_code == 200 and ended.json()["active"] is False
    assert client.get(need_url, headers=headers).json()["active_to"] == "2022-11-20"
