import re

import pytest

from lifeline.api.tests.helpers import API, assert_error, client_for, post_json
from lifeline.core.models import OutboxMessage
from lifeline.workorders.models import WorkOrder

pytestmark = pytest.mark.urls("lifeline.workorders.tests.urls")


def _create(client, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return post_json(client, f"{API}/workorders", body, **headers)


def test_create_with_the_same_idempotency_key_creates_once(
    city, ladder, categories, hotline_operator
):
    client = client_for(hotline_operator)
    body = {
        "description": "家里没米了",
        "category": "food_supplies",
        "channel": "hotline",
        "household": city.people_a[1].household_id,
        "extra": {"items": "米", "people": 2},
    }
    first = _create(client, body, key="call-0001")
    again = _create(client, body, key="call-0001")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert WorkOrder.objects.count() == 1
    data = first.json()
    assert data["status"] == "dispatched" and data["call_120"] is False
    assert data["responsible_unit"] == ladder["committee"].pk
    assert "*" in data["contact_phone"]  # masked


def test_emergency_words_answer_call_120(city, ladder, categories, hotline_operator):
    response = _create(
        client_for(hotline_operator),
        {
            "description": "我爸胸痛出冷汗",
            "channel": "hotline",
            "area": city.grid_b.pk,
            "contact_phone": "13912345678",
        },
    )
    assert response.status_code == 201
    assert response.json()["call_120"] is True
    assert response.json()["priority"] == 1


def test_bad_input_gets_the_error_shape_and_writes_nothing(city, ladder, categories, grid_worker_a):
    client = client_for(grid_worker_a)
    error = assert_error(
        _create(
            client,
            {
                "description": "气不够",
                "category": "gas",
                "household": city.people_a[1].household_id,
                "extra": {"remaining_m3": "lots"},
            },
        ),
        400,
    )
    assert "extra.remaining_m3" in error["fields"] and "extra.account" in error["fields"]
    assert_error(_create(client, {"description": "x", "surprise": 1}), 422)
    assert WorkOrder.objects.count() == 0


def test_list_and_detail_are_scoped(
    city, ladder, categories, grid_worker_a, grid_worker_b, outsider, committee_staff
):
    response = _create(
        client_for(grid_worker_a),
        {"description": "小事", "category": "other", "channel": "staff", "area": city.grid_a.pk},
    )
    order_id = response.json()["id"]
    for user, expected in (
        (grid_worker_a, 1),
        (committee_staff, 1),
        (grid_worker_b, 0),
        (outsider, 0),
    ):
        page = client_for(user).get(f"{API}/workorders").json()
        assert page["count"] == expected, user
    assert client_for(committee_staff).get(f"{API}/workorders/{order_id}").status_code == 200
    assert_error(client_for(grid_worker_b).get(f"{API}/workorders/{order_id}"), 404)
    assert_error(client_for(outsider).get(f"{API}/workorders/{order_id}/events"), 404)


def test_actions_walk_the_life_and_the_resident_confirms_without_login(
    city, ladder, categories, grid_worker_a, committee_staff
):
    created = _create(
        client_for(grid_worker_a),
        {
            "description": "买菜",
            "category": "food_supplies",
            "person": city.people_a[1].pk,
            "extra": {"items": "菜"},
        },
    ).json()
    staff = client_for(committee_staff)
    url = f"{API}/workorders/{created['id']}"
    accepted = post_json(staff, f"{url}/accept", {"expected_version": created["version"]})
    assert accepted.json()["status"] == "accepted"
    # A step sent against the version read before the acceptance is refused.
    stale = post_json(
        staff, f"{url}/resolve", {"note": "已送达", "expected_version": created["version"]}
    )
    assert_error(stale, 409, "stale")
    assert post_json(staff, f"{url}/comment", {"note": "已联系"}).status_code == 201
    assert post_json(staff, f"{url}/resolve", {"note": "已送达"}).json()["status"] == "resolved"
    code = re.search(r"\b(\d{6})\b", OutboxMessage.objects.order_by("-pk").first().body)[1]
    anonymous = client_for(None)
    confirmed = post_json(
        anonymous,
        f"{API}/workorders/confirm",
        {"number": created["number"], "code": code, "satisfaction": 5},
    )
    assert confirmed.status_code == 200
    # The holder of a number and a code learns the outcome, nothing of the order itself.
    assert confirmed.json() == {"number": created["number"], "status": "closed", "satisfaction": 5}
    kinds = [e["kind"] for e in staff.get(f"{url}/events").json()]
    assert kinds == ["created", "dispatched", "accepted", "commented", "resolved", "closed"]


def test_transfer_to_an_unknown_unit_is_a_400(
    city, ladder, categories, committee_staff, grid_worker_a
):
    created = _create(
        client_for(grid_worker_a),
        {"description": "小事", "category": "other", "area": city.grid_a.pk},
    ).json()
    url = f"{API}/workorders/{created['id']}/transfer"
    assert_error(
        post_json(client_for(committee_staff), url, {"unit": 999999, "reason": "不归我们管"}), 400
    )
    moved = post_json(
        client_for(committee_staff), url, {"unit": ladder["street"].pk, "reason": "需要街道协调"}
    )
    assert moved.json()["responsible_unit"] == ladder["street"].pk


def test_list_upload_creates_one_order_per_row(city, gas_team, community_staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from lifeline.registry.models import Household

    Household.objects.filter(pk=city.people_a[1].household_id).update(gas_account="G-77")
    upload = SimpleUploadedFile(
        "gas.csv", b"account,remaining_m3\nG-77,4\n", content_type="text/csv"
    )
    response = client_for(community_staff).post(
        f"{API}/workorders/lists", {"category": "gas", "file": upload}
    )
    assert response.status_code == 201, response.content
    assert [o["responsible_unit"] for o in response.json()] == [gas_team.pk]


def test_anonymous_cannot_list(city):
    assert_error(client_for(None).get(f"{API}/workorders"), 401)
