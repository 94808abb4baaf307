"""Screening endpoints through a real API instance with the project's auth and error shape."""

from __future__ import annotations

import datetime as dt

import pytest
from ninja import NinjaAPI
from ninja.testing import TestClient

from lifeline.accounts.services import token_create
from lifeline.api.errors import install
from lifeline.screening.api import build_router
from lifeline.screening.models import RecheckTask, Sample, TubeResult
from lifeline.screening.tests.conftest import more_people, pool

DAY = dt.date(2022, 11, 8)


@pytest.fixture
def client() -> TestClient:
    api = NinjaAPI(urls_namespace="screening_test")
    install(api)
    api.add_router("/screening", build_router())
    return TestClient(api)


def _auth(user) -> dict[str, str]:
    _token, plain = token_create(actor=user, user=user, name="test")
    return {"Authorization": f"Bearer {plain}"}


def test_a_sample_posted_twice_is_created_once(client, city, sampler):
    body = {"client_id": "k1", "barcode": "A1", "person_id": city.people_a[0].pk}
    first = client.post("/screening/samples", json=body, headers=_auth(sampler))
    again = client.post("/screening/samples", json=body, headers=_auth(sampler))
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Sample.objects.count() == 1


def test_lab_results_posted_twice_change_nothing_the_second_time(client, city, sampler, lab):
    # given a closed pool of 10
    barcode = pool(sampler, more_people(city.grid_a, 10), day=DAY)
    body = {"lab": "湘雅", "results": [{"barcode": barcode, "result": "positive"}]}
    # when the lab posts the positive result twice
    first = client.post("/screening/results", json=body, headers=_auth(lab))
    again = client.post("/screening/results", json=body, headers=_auth(lab))
    # then one result, 10 recheck tasks, and the replay reports the row unchanged
    assert first.json()["positives"] == 1
    assert again.json()["unchanged"] == 1
    assert TubeResult.objects.count() == 1
    assert RecheckTask.objects.count() == 10


def test_an_unknown_tube_is_a_400_in_the_error_shape(client, city, lab):
    body = {"results": [{"barcode": "NOPE", "result": "negative"}]}
    response = client.post("/screening/results", json=body, headers=_auth(lab))
    assert response.status_code == 400
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_a_grid_list_masks_phones_and_is_scoped(client, city, grid_worker_a):
    own = client.get(
        f"/screening/areas/{city.grid_a.pk}/lists/not_tested_today", headers=_auth(grid_worker_a)
    )
    other = client.get(
        f"/screening/areas/{city.grid_b.pk}/lists/not_tested_today", headers=_auth(grid_worker_a)
    )
    assert own.status_code == 200
    assert own.json()["count"] == 3
    assert own.json()["items"][0]["phone"] == city.people_a[0].phone_masked
    assert other.status_code == 404


def test_counts_roll_up_the_community(client, city, community_staff):
    response = client.get(
        f"/screening/areas/{city.community.pk}/counts", headers=_auth(community_staff)
    )
    rows = response.json()
    assert rows[0]["people"] == 6
    assert sorted(r["people"] for r in rows[1:]) == [3, 3]


def test_a_special_session_from_a_list_is_created_once_per_key(client, city, community_staff):
    from lifeline.screening.models import Session
    from lifeline.screening.services import site_create

    site = site_create(actor=community_staff, area_id=city.community.pk, name="站点", kind="fixed")
    body = {
        "area_id": city.grid_a.pk,
        "list_kind": "not_tested_today",
        "site_id": site.pk,
        "starts_at": "2022-11-08T20:00:00+08:00",
        "ends_at": "2022-11-08T23:00:00+08:00",
    }
    headers = {**_auth(community_staff), "Idempotency-Key": "night-1"}
    first = client.post("/screening/sessions/from-list", json=body, headers=headers)
    again = client.post("/screening/sessions/from-list", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert first.json()["invited"] == 3
    assert Session.objects.count() == 1


def test_the_door_to_door_list_of_another_grid_is_not_found(client, city, grid_worker_a):
    response = client.get(
        f"/screening/grids/{city.grid_b.pk}/door-to-door", headers=_auth(grid_worker_a)
    )
    assert response.status_code == 404
