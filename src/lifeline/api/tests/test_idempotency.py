"""Idempotency-Key on creates: replay the first answer, refuse a changed body, and create
exactly once under concurrency (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from lifeline.api.tests.helpers import API, assert_error, client_for, post_json
from lifeline.core.models import IdempotencyRecord
from lifeline.registry.models import Building, Household
from lifeline.testing.factories import make_small_city, make_user


def test_same_key_and_body_replays_the_first_answer(city, grid_worker_a):
    # given a household create sent with a key
    client = client_for(grid_worker_a)
    building = Building.objects.get(grid=city.grid_a)
    body = {"building": building.pk, "unit_no": "701"}
    first = post_json(client, f"{API}/households", body, HTTP_IDEMPOTENCY_KEY="k-701")
    # when the same request is retried
    second = post_json(client, f"{API}/households", body, HTTP_IDEMPOTENCY_KEY="k-701")
    # then the same status and body come back and only one household exists
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert Household.objects.filter(building=building, unit_no="701").count() == 1


def test_same_key_with_another_body_is_a_409(city, grid_worker_a):
    client = client_for(grid_worker_a)
    building = Building.objects.get(grid=city.grid_a)
    post_json(
        client,
        f"{API}/households",
        {"building": building.pk, "unit_no": "702"},
        HTTP_IDEMPOTENCY_KEY="k-702",
    )
    response = post_json(
        client,
        f"{API}/households",
        {"building": building.pk, "unit_no": "703"},
        HTTP_IDEMPOTENCY_KEY="k-702",
    )
    assert_error(response, 409, "idempotency_conflict")
    assert not Household.objects.filter(unit_no="703").exists()


def test_keys_belong_to_their_owner(city, grid_worker_a, community_staff):
    building = Building.objects.get(grid=city.grid_a)
    post_json(
        client_for(grid_worker_a),
        f"{API}/households",
        {"building": building.pk, "unit_no": "704"},
        HTTP_IDEMPOTENCY_KEY="shared",
    )
    other = post_json(
        client_for(community_staff),
        f"{API}/households",
        {"building": building.pk, "unit_no": "705"},
        HTTP_IDEMPOTENCY_KEY="shared",
    )
    assert other.status_code == 201


def test_a_failed_create_stores_nothing_so_the_key_can_be_retried(city, grid_worker_a):
    client = client_for(grid_worker_a)
    building = Building.objects.get(grid=city.grid_a)
    bad = post_json(
        client,
        f"{API}/households",
        {"building": building.pk, "unit_no": "706", "phone": "123"},
        HTTP_IDEMPOTENCY_KEY="k-706",
    )
    assert_error(bad, 400)
    assert not IdempotencyRecord.objects.filter(key="k-706").exists()
    good = post_json(
        client,
        f"{API}/households",
        {"building": building.pk, "unit_no": "706"},
        HTTP_IDEMPOTENCY_KEY="k-706",
    )
    assert good.status_code == 201


def test_an_overlong_key_is_refused(city, grid_worker_a):
    building = Building.objects.get(grid=city.grid_a)
    response = post_json(
        client_for(grid_worker_a),
        f"{API}/households",
        {"building": building.pk, "unit_no": "707"},
        HTTP_IDEMPOTENCY_KEY="k" * 129,
    )
    assert "Idempotency-Key" in assert_error(response, 422, "validation")["fields"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_posts_with_one_key_create_exactly_one_household():
    if connection.vendor == "sqlite":
        pytest.skip("row-level concurrency only exists on PostgreSQL")
    # given a grid worker and ten threads ready to send the same create with one key
    city = make_small_city()
    worker = make_user("racer", area=city.grid_a)
    building = Building.objects.get(grid=city.grid_a)
    body = {"building": building.pk, "unit_no": "race-1"}
    barrier = threading.Barrier(10)
    results: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def send() -> None:
        try:
            client = client_for(worker)
            barrier.wait(timeout=30)
            response = post_json(client, f"{API}/households", body, HTTP_IDEMPOTENCY_KEY="race-key")
            with lock:
                results.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(10)]
    # when they all fire at once
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # then exactly one household exists and every thread got its answer
    assert Household.objects.filter(building=building, unit_no="race-1").count() == 1
    assert len(results) == 10
    assert {status for status, _ in results} == {201}
    assert len({body["id"] for _, body in results}) == 1
    assert IdempotencyRecord.objects.filter(key="race-key").count() == 1
