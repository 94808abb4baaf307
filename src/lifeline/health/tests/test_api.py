"""Health endpoints, through a real API instance with the project's auth and error shape."""

from __future__ import annotations

import pytest
from ninja import NinjaAPI
from ninja.testing import TestClient

from lifeline.accounts.services import token_create
from lifeline.api.errors import install
from lifeline.core.personal import decrypt_value
from lifeline.health.api import build_router
from lifeline.health.models import Decision, HealthStatus


@pytest.fixture
def client() -> TestClient:
    api = NinjaAPI(urls_namespace="health_test")
    install(api)
    api.add_router("/health", build_router())
    return TestClient(api)


def _auth(user) -> dict[str, str]:
    _token, plain = token_create(actor=user, user=user, name="test")
    return {"Authorization": f"Bearer {plain}"}


def test_status_set_and_get(client, city, command_staff):
    person = city.people_a[0]
    headers = _auth(command_staff)
    # when the health-code system sets a red code
    response = client.post(
        f"/health/people/{person.pk}/status", json={"colour": "red"}, headers=headers
    )
    # then it is current, with source "api", and reads back
    assert response.status_code == 201, response.content
    assert response.json()["colour"] == "red"
    assert HealthStatus.objects.get(person=person).source == "api"
    assert (
        client.get(f"/health/people/{person.pk}/status", headers=headers).json()["history"][0][
            "colour"
        ]
        == "red"
    )


def test_status_of_a_person_outside_the_area_is_not_found(client, city, grid_worker_b):
    response = client.get(
        f"/health/people/{city.people_a[0].pk}/status", headers=_auth(grid_worker_b)
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_bad_colour_gets_the_error_shape(client, city, command_staff):
    response = client.post(
        f"/health/people/{city.people_a[0].pk}/status",
        json={"colour": "purple"},
        headers=_auth(command_staff),
    )
    assert response.status_code == 400
    assert "colour" in response.json()["error"]["fields"]


def test_no_credentials_is_401(client, city):
    response = client.get(f"/health/people/{city.people_a[0].pk}/status")
    assert response.status_code == 401


def test_bulk_feed_is_all_or_nothing_and_idempotent(client, city, command_staff):
    headers = {**_auth(command_staff), "Idempotency-Key": "batch-1"}
    a, b = city.people_a[0], city.people_b[0]
    bad = {
        "items": [
            {"id_number": decrypt_value(a.id_number_enc), "colour": "red"},
            {"person_id": b.pk, "colour": "blue"},
        ]
    }
    # when a list with one bad item is sent
    response = client.post(
        "/health/status/bulk", json=bad, headers={**headers, "Idempotency-Key": "batch-0"}
    )
    # then nothing is saved and the bad item is named
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["items.1.colour"]
    assert not HealthStatus.objects.exists()
    # when a good list is sent twice with the same key
    good = {
        "items": [
            {"id_number": decrypt_value(a.id_number_enc), "colour": "red"},
            {"person_id": b.pk, "colour": "yellow", "quarantine": "home_monitoring"},
        ]
    }
    first = client.post("/health/status/bulk", json=good, headers=headers)
    second = client.post("/health/status/bulk", json=good, headers=headers)
    # then it is written once and the retry gets the same answer
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json() == {"created": 2, "unchanged": 0}
    assert HealthStatus.objects.count() == 2
    # and the same key with another body is a conflict
    other = client.post("/health/status/bulk", json=bad, headers=headers)
    assert other.status_code == 409


def test_decide_endpoint_returns_the_decision_with_its_version(
    client, city, hospitals, command_staff
):
    person = city.people_a[0]
    headers = _auth(command_staff)
    client.post(f"/health/people/{person.pk}/status", json={"colour": "red"}, headers=headers)
    response = client.post(
        "/health/access/decide",
        json={"person_id": person.pk, "urgency": "necessary"},
        headers=headers,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["rule_version"], body["how"], body["notify"][0]) == (
        1,
        "transfer_120",
        "community_lead",
    )
    assert body["hospital"]["name"] == "天元区定点医院"
    assert Decision.objects.get(pk=body["id"]).channel == "api"
    again = client.get(f"/health/access/decisions/{body['id']}", headers=headers)
    assert again.json()["id"] == body["id"]


def test_decide_with_unknown_need_is_a_clear_error(client, city, hotline_operator):
    response = client.post(
        "/health/access/decide",
        json={"urgency": "routine", "needs": ["magic"]},
        headers=_auth(hotline_operator),
    )
    assert response.status_code == 400
    assert "needs" in response.json()["error"]["fields"]


def test_status_file_upload_reports_rows_and_writes_nothing_on_error(client, city, command_staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    person = city.people_a[0]
    good = f"人员编号,健康码\n{person.pk},黄码\n".encode()
    bad = f"人员编号,健康码\n{person.pk},蓝码\n".encode()
    headers = _auth(command_staff)
    refused = client.post(
        "/health/status/import",
        headers=headers,
        FILES={"file": SimpleUploadedFile("list.csv", bad)},
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"]["rows"][0].startswith("2: colour")
    assert not HealthStatus.objects.exists()
    accepted = client.post(
        "/health/status/import",
        headers=headers,
        FILES={"file": SimpleUploadedFile("list.csv", good)},
    )
    assert accepted.json() == {"created": 1, "unchanged": 0}
