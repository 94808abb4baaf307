"""The API kit's idempotent create (``api.creates``): the answer of a create is the JSON the
API gives for the same schema anywhere else, a key belongs to one endpoint and one caller,
and the header is read the same way outside ninja (Open311)."""

from __future__ import annotations

from django.test import RequestFactory

from lifeline.api.creates import HEADER, header_key, key_used, render
from lifeline.api.tests.helpers import API, assert_error, client_for, post_json
from lifeline.core.idempotency import MAX_KEY_LENGTH
from lifeline.registry.models import Building
from lifeline.workorders.models import WorkOrder
from lifeline.workorders.schemas import EventOut


def test_a_created_order_reads_back_exactly_as_it_was_answered(city, grid_worker_a):
    # given an order filed through the API (times with their microseconds)
    client = client_for(grid_worker_a)
    body = {"description": "要买药", "category": "other", "area": city.grid_a.pk}
    created = post_json(client, f"{API}/workorders", body, HTTP_IDEMPOTENCY_KEY="read-back")
    assert created.status_code == 201, created.content
    # when it is read back
    read = client.get(f"{API}/workorders/{created.json()['id']}")
    # then every field of the order is the same JSON, times included
    answer = created.json()
    assert answer.pop("call_120") is False
    assert answer == read.json()


def test_the_same_key_on_another_endpoint_is_a_409(city, grid_worker_a):
    client = client_for(grid_worker_a)
    building = Building.objects.get(grid=city.grid_a)
    first = post_json(
        client,
        f"{API}/households",
        {"building": building.pk, "unit_no": "801"},
        HTTP_IDEMPOTENCY_KEY="one-key",
    )
    assert first.status_code == 201
    other = post_json(
        client,
        f"{API}/buildings",
        {"grid": city.grid_a.pk, "name": "新楼", "address": "第一网格"},
        HTTP_IDEMPOTENCY_KEY="one-key",
    )
    assert_error(other, 409, "idempotency_conflict")
    assert not Building.objects.filter(name="新楼").exists()


def test_without_a_key_each_request_creates(city, grid_worker_a):
    client = client_for(grid_worker_a)
    body = {"description": "要买菜", "category": "other", "area": city.grid_a.pk}
    before = WorkOrder.objects.count()
    answers = [post_json(client, f"{API}/workorders", body) for _ in range(2)]
    assert [a.status_code for a in answers] == [201, 201]
    assert WorkOrder.objects.count() == before + 2


def test_key_used_is_per_caller(city, grid_worker_a, community_staff):
    building = Building.objects.get(grid=city.grid_a)
    post_json(
        client_for(grid_worker_a),
        f"{API}/households",
        {"building": building.pk, "unit_no": "802"},
        HTTP_IDEMPOTENCY_KEY="mine",
    )
    request = RequestFactory().post("/")
    request.auth = grid_worker_a  # type: ignore[attr-defined]
    assert (
        key_used(request, "mine") and not key_used(request, "other") and not key_used(request, None)
    )
    request.auth = community_staff  # type: ignore[attr-defined]
    assert not key_used(request, "mine")


def test_header_key_outside_ninja_is_cut_to_the_limit():
    factory = RequestFactory()
    assert header_key(factory.post("/", headers={HEADER: "k-1"})) == "k-1"
    assert header_key(factory.post("/")) is None
    long = factory.post("/", headers={HEADER: "k" * 300})
    assert header_key(long) == "k" * MAX_KEY_LENGTH


def test_render_reads_dicts_by_field_name_and_writes_times_as_the_api_does():
    event = {
        "id": 1,
        "at": "2022-11-20T12:30:00.123456+00:00",
        "kind": "comment",
        "actor": "张三",  # a field whose alias (actor_label) is what a model is read by
        "from_status": "",
        "to_status": "",
        "from_unit": None,
        "unit": None,
        "note": "",
        "data": {},
    }
    assert render(EventOut, event)["actor"] == "张三"
    # times as every other answer of the API writes them (milliseconds, "Z")
    assert render(EventOut, event)["at"] == "2022-11-20T12:30:00.123Z"
    assert render(list[EventOut], [event]) == [render(EventOut, event)]
