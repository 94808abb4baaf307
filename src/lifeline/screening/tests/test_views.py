"""Console sync and list pages over HTTP: replays, bad bodies, masked exports, scoping."""

from __future__ import annotations

import json

from django.test import Client

from lifeline.screening.models import Sample


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _sync(client: Client, items) -> dict:
    response = client.post(
        "/screening/console/sync/",
        data=json.dumps({"items": items}),
        content_type="application/json",
    )
    return {"status": response.status_code, **response.json()}


def test_a_resent_console_batch_is_stored_once(city, sampler):
    # given one registration sent, and then sent again after a lost answer
    item = {"client_id": "u-1", "barcode": "C1", "code": f"P{city.people_a[0].pk}"}
    first = _sync(_client(sampler), [item])
    again = _sync(_client(sampler), [item])
    # then the second is a replay and one sample exists
    assert [r["status"] for r in first["results"] + again["results"]] == ["created", "replayed"]
    assert Sample.objects.count() == 1


def test_a_code_outside_the_samplers_area_is_refused_alone(city, grid_worker_a):
    # given a batch with one person of grid A and one of grid B
    items = [
        {"client_id": "a", "barcode": "C2", "code": f"P{city.people_a[0].pk}"},
        {"client_id": "b", "barcode": "C2", "code": f"P{city.people_b[0].pk}"},
    ]
    body = _sync(_client(grid_worker_a), items)
    # then only grid B's registration is refused, with the error shape
    assert [r["status"] for r in body["results"]] == ["created", "error"]
    assert body["results"][1]["error"]["code"] == "not_found"
    assert Sample.objects.count() == 1


def test_an_unreadable_sync_body_is_a_400_not_a_500(city, sampler):
    response = _client(sampler).post(
        "/screening/console/sync/", data="[1,2]", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_body"


def test_the_exported_list_masks_phones(city, community_staff):
    person = city.people_a[0]
    response = _client(community_staff).get(
        f"/screening/areas/{city.grid_a.pk}/lists/not_tested_today/?format=csv"
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert person.phone_masked in text
    assert person.phone not in text


def test_another_grids_list_page_is_not_found(city, grid_worker_a):
    response = _client(grid_worker_a).get(f"/screening/areas/{city.grid_b.pk}/lists/not_compliant/")
    assert response.status_code == 404


def test_the_list_page_shows_the_rolled_up_counts(city, community_staff):
    response = _client(community_staff).get(
        f"/screening/areas/{city.community.pk}/lists/not_tested_today/"
    )
    assert response.status_code == 200
    assert city.grid_a.name in response.content.decode()
