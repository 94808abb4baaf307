"""Following an order by its number needs the resident's proof: numbers are a date and a
serial (``202211050000042``), so anyone can guess the next one."""

from __future__ import annotations

from typing import Any

from django.test import Client

from lifeline.testing.factories import SmallCity
from lifeline.workorders.models import WorkOrder
from lifeline.workorders.open311 import request_token
from lifeline.workorders.selectors import workorder_track
from lifeline.workorders.services import workorder_create

FILER = "13712345670"
BASE = "/open311/v2"


def _order(city: SmallCity, actor: Any) -> WorkOrder:
    return workorder_create(
        actor=actor,
        category_code="other",
        area=city.grid_a,
        description="心理咨询",
        contact_phone=FILER,
    ).order


def test_a_number_alone_tracks_nothing_the_filers_proven_phone_does(db, city, grid_worker_a):
    # given an order filed from the resident's phone
    order = _order(city, grid_worker_a)
    number = str(order.number)
    # when someone tracks it by number without a proven phone, or with another phone
    without = workorder_track(numbers=[number], phone="")
    other = workorder_track(numbers=[number], phone="13700000000")
    # then nothing is found; with the filer's phone, the order is
    assert list(without) == [] and list(other) == []
    assert list(workorder_track(numbers=[number], phone=FILER)) == [order]


def test_open311_anonymous_lookup_of_a_medical_request_by_number_finds_nothing(
    db, city, grid_worker_a
):
    # given a medical order (left out of key-less Open311 answers: health data) and an
    # anonymous client that only knows (or guesses) its number
    order = workorder_create(
        actor=grid_worker_a,
        category_code="medicine",
        area=city.grid_a,
        description="降压药没了",
        contact_phone=FILER,
        extra={"drug": "硝苯地平"},
    ).order
    number = str(order.number)
    client = Client()
    # when it asks by number alone, or with a token of another order
    detail = client.get(f"{BASE}/requests/{number}.json")
    listed = client.get(f"{BASE}/requests.json", {"service_request_id": number})
    forged = client.get(f"{BASE}/requests/{number}.json", {"token": f"{order.pk}.0000000000"})
    # then it learns nothing: not found, an empty list
    assert detail.status_code == 404 and forged.status_code == 404
    assert listed.status_code == 200 and listed.json() == []
    # and with the token the request was answered with, it follows its own order
    token = request_token(order)
    tracked = client.get(f"{BASE}/requests/{number}.json", {"token": token})
    assert [r["status"] for r in tracked.json()] == ["open"]
    assert not tracked.json()[0]["description"]
