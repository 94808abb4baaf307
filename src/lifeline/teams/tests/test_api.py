"""The field-team API end to end: a dispatcher plans, publishes, inserts and moves; the
crew follows the route on the phone; a stale version gets a 409 in the one error shape."""

from __future__ import annotations

from typing import Any

import pytest

from lifeline.api.tests.helpers import assert_error, client_for, post_json
from lifeline.teams.models import Delivery, Plan, Team, TeamMember, Vehicle
from lifeline.teams.tests.helpers import CENTRES, DAY, make_order, make_orders

API = "/api/v1/teams"


def _plan(client: Any, body: dict[str, Any], **headers: Any) -> Any:
    return post_json(
        client, f"{API}/plans", {"day": DAY.isoformat(), "time_limit": 0.3, **body}, **headers
    )


@pytest.fixture
def dispatcher(fleet):
    return client_for(fleet.dispatchers["A"])


def test_dispatcher_plans_reads_and_publishes_a_teams_day(city, fleet, dispatcher):
    orders = make_orders(fleet, city, per_grid=5)
    created = _plan(dispatcher, {"team_id": fleet.teams["A"].pk})
    assert created.status_code == 201, created.content
    summary = created.json()
    assert summary["version"] == 1 and summary["status"] == "draft" and summary["visits"] == 5
    assert summary["km_saved"] == pytest.approx(
        summary["baseline_km"] - summary["optimised_km"], abs=0.11
    )
    detail = dispatcher.get(f"{API}/plans/{summary['id']}").json()
    stops = [s for r in detail["routes"] for s in r["stops"]]
    assert {s["ref_id"] for s in stops} == {o.pk for o in orders[:5]}
    assert [s["seq"] for s in stops] == list(range(1, 6))
    kms = [s["planned_km"] for s in stops]
    assert kms == sorted(kms) and detail["km"] == pytest.approx(detail["routes"][0]["km"])
    etas = [s["eta"] for s in stops]
    assert etas == sorted(etas)
    published = post_json(
        dispatcher, f"{API}/plans/{summary['id']}/publish", {"expected_version": 1}
    )
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert published.json()["version"] == 2


def test_second_dispatcher_on_a_stale_version_gets_409(city, fleet, dispatcher):
    make_orders(fleet, city, per_grid=3)
    plan_id = _plan(dispatcher, {"team_id": fleet.teams["A"].pk}).json()["id"]
    colleague = client_for(fleet.company_dispatcher)
    first = post_json(dispatcher, f"{API}/plans/{plan_id}/publish", {"expected_version": 1})
    assert first.status_code == 200
    stop = Plan.objects.get(pk=plan_id).stops.first()
    second = post_json(
        colleague,
        f"{API}/plans/{plan_id}/stops/{stop.pk}/move",
        {"expected_version": 1, "vehicle_id": fleet.vehicles["A"].pk, "position": 1},
    )
    error = assert_error(second, 409, "stale_plan")
    assert "2" in error["message"]


def test_plan_create_is_idempotent_per_key(city, fleet, dispatcher):
    make_orders(fleet, city, per_grid=2)
    body = {"team_id": fleet.teams["A"].pk}
    first = _plan(dispatcher, body, HTTP_IDEMPOTENCY_KEY="plan-1")
    again = _plan(dispatcher, body, HTTP_IDEMPOTENCY_KEY="plan-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Plan.objects.count() == 1
    other = _plan(dispatcher, {"unit_id": fleet.units["A"].pk}, HTTP_IDEMPOTENCY_KEY="plan-1")
    assert_error(other, 409, "idempotency_conflict")
    assert Plan.objects.count() == 1


@pytest.mark.parametrize(
    "body,status",
    [
        ({"time_limit": 600}, 422),
        ({"day": "2030-03-01"}, 400),
        ({"day": "not a day"}, 422),
        ({"surprise": 1}, 422),
    ],
)
def test_bad_plan_requests_get_the_error_shape(fleet, dispatcher, body, status):
    response = _plan(dispatcher, {"team_id": fleet.teams["A"].pk, **body})
    assert_error(response, status)
    assert Plan.objects.count() == 0


def test_urgent_insert_and_move_through_the_api(city, fleet, dispatcher):
    make_orders(fleet, city, per_grid=4)
    plan_id = _plan(dispatcher, {"team_id": fleet.teams["A"].pk}).json()["id"]
    urgent = make_order(grid=city.grid_a, unit=fleet.units["A"], near=CENTRES["A"])
    inserted = post_json(
        dispatcher,
        f"{API}/plans/{plan_id}/urgent",
        {"expected_version": 1, "kind": "work_order", "ref_id": urgent.pk},
    )
    assert inserted.status_code == 200, inserted.content
    stops = [s for r in inserted.json()["routes"] for s in r["stops"]]
    assert urgent.pk in {s["ref_id"] for s in stops} and inserted.json()["version"] == 2
    last = stops[-1]
    moved = post_json(
        dispatcher,
        f"{API}/plans/{plan_id}/stops/{last['id']}/move",
        {"expected_version": 2, "vehicle_id": fleet.vehicles["A"].pk, "position": 1},
    )
    assert moved.status_code == 200, moved.content
    first = moved.json()["routes"][0]["stops"][0]
    assert first["id"] == last["id"] and first["seq"] == 1
    missing = post_json(
        dispatcher,
        f"{API}/plans/{plan_id}/urgent",
        {"expected_version": 3, "kind": "delivery", "ref_id": 999999},
    )
    assert_error(missing, 404)


def test_crew_follows_the_route_and_records_each_stop(city, fleet, dispatcher):
    make_orders(fleet, city, per_grid=2)
    plan_id = _plan(dispatcher, {"team_id": fleet.teams["A"].pk}).json()["id"]
    post_json(dispatcher, f"{API}/plans/{plan_id}/publish", {"expected_version": 1})
    crew = client_for(fleet.members["A"])
    mine = crew.get(f"{API}/my-route", {"day": DAY.isoformat()}).json()
    assert (mine["done"], mine["total"]) == (0, 2)
    first = mine["next_stop"]
    arrived = post_json(crew, f"{API}/stops/{first['id']}/arrive", {"km": 2.5})
    assert arrived.status_code == 200 and arrived.json()["arrived_km"] == 2.5
    done = post_json(crew, f"{API}/stops/{first['id']}/complete", {"outcome": "done", "note": "好"})
    assert done.status_code == 200 and done.json()["outcome"] == "done"
    assert_error(post_json(crew, f"{API}/stops/{first['id']}/complete", {}), 409)
    mine = crew.get(f"{API}/my-route", {"day": DAY.isoformat()}).json()
    assert mine["done"] == 1 and mine["next_stop"]["seq"] == 2
    # the crew is no dispatcher: the plan itself is not theirs to read
    assert_error(crew.get(f"{API}/plans/{plan_id}"), 404)


def test_team_and_vehicle_created_through_the_api(city, fleet, dispatcher):
    created = post_json(
        dispatcher,
        API,
        {"unit_id": fleet.units["A"].pk, "name": "夜班组", "area_ids": [city.grid_a.pk]},
    )
    assert created.status_code == 201, created.content
    team_id = created.json()["id"]
    assert created.json()["area_path"] == city.grid_a.path
    vehicle = post_json(
        dispatcher,
        f"{API}/{team_id}/vehicles",
        {
            "name": "湘B-12345",
            "depot_lat": 27.83,
            "depot_lng": 113.15,
            "capacity": 30,
            "shift_start": "19:00",
            "shift_end": "23:00",
            "skills": ["gas_topup", "heavy_goods"],
            "serves": [fleet.teams["A"].pk],
        },
    )
    assert vehicle.status_code == 201, vehicle.content
    detail = dispatcher.get(f"{API}/{team_id}").json()
    assert [v["name"] for v in detail["vehicles"]] == ["湘B-12345"]
    assert detail["vehicles"][0]["serves"] == [fleet.teams["A"].pk]
    assert detail["areas"][0]["id"] == city.grid_a.pk
    bad = post_json(
        dispatcher,
        f"{API}/{team_id}/vehicles",
        {"name": "x", "depot_lat": 27.8, "depot_lng": 113.1, "skills": ["flying"]},
    )
    assert "skills" in assert_error(bad, 400)["fields"]
    outside = post_json(
        dispatcher,
        API,
        {"unit_id": fleet.units["A"].pk, "name": "越界组", "area_ids": [city.grid_b.pk]},
    )
    assert "area_ids" in assert_error(outside, 400)["fields"]
    assert Team.objects.filter(name="越界组").count() == 0
    assert Vehicle.objects.filter(team_id=team_id).count() == 1


def test_window_and_delivery_feed_the_next_plan(city, fleet, dispatcher, grid_worker_a):
    order = make_order(grid=city.grid_a, unit=fleet.units["A"], near=CENTRES["A"])
    window = post_json(
        dispatcher,
        f"{API}/appointments",
        {"work_order_id": order.pk, "day": DAY.isoformat(), "start": "15:00", "end": "16:00"},
    )
    assert window.status_code == 201, window.content
    # the package is asked for by grid A's worker: a unit's staff never see the registry
    delivery = post_json(
        client_for(grid_worker_a),
        f"{API}/deliveries",
        {
            "household_id": city.people_a[0].household_id,
            "unit_id": fleet.units["A"].pk,
            "day": DAY.isoformat(),
            "what": "蔬菜包",
            "start": "10:00",
            "end": "11:00",
        },
    )
    assert delivery.status_code == 201, delivery.content
    assert Delivery.objects.get().what == "蔬菜包"
    plan = Plan.objects.get(pk=_plan(dispatcher, {"team_id": fleet.teams["A"].pk}).json()["id"])
    starts = {s.kind: s.start for s in plan.stops.all()}
    assert 15 * 3600 <= starts["work_order"] <= 16 * 3600
    assert 10 * 3600 <= starts["delivery"] <= 11 * 3600


def test_member_list_and_roles_are_in_the_team_detail(fleet, dispatcher):
    detail = dispatcher.get(f"{API}/{fleet.teams['A'].pk}").json()
    member = TeamMember.objects.get(team=fleet.teams["A"])
    assert detail["members"] == [
        {
            "id": member.pk,
            "user_id": member.user_id,
            "name": str(member.user),
            "vehicle_id": fleet.vehicles["A"].pk,
            "skills": ["gas_topup"],
        }
    ]
    listed = dispatcher.get(API).json()
    assert [t["id"] for t in listed["items"]] == [fleet.teams["A"].pk]
