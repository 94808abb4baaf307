"""The key-users API beyond the register's list: supply points added, a plan changed
(all or nothing, contacts masked in the answer) and the register as GeoJSON."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lifeline.api.tests.helpers import client_for
from lifeline.core.models import AuditRecord
from lifeline.keyusers.models import KeyUser, SupplyPoint
from lifeline.keyusers.tests.helpers import Grid, key_user, make_power_grid
from lifeline.testing.factories import SmallCity

pytestmark = pytest.mark.django_db
API = "/api/v1/keyusers"


@pytest.fixture
def grid(city: SmallCity) -> Grid:
    return make_power_grid(city)


def _send(grid: Grid, method: str, path: str, body: dict[str, Any], **headers: str) -> Any:
    return client_for(grid.duty, HTTP_ACCEPT_LANGUAGE="en", **headers).generic(
        method, f"{API}{path}", data=json.dumps(body), content_type="application/json"
    )


def test_a_plan_is_changed_in_part_and_the_answer_masks_the_contact(grid: Grid) -> None:
    hospital = key_user(grid, 1, grid.feeder_a)
    answer = _send(
        grid,
        "PATCH",
        f"/key-users/{hospital.pk}",
        {"backup_source": "双回路", "response_minutes": 10, "supply_point_ids": [grid.feeder_b.pk]},
    )
    assert answer.status_code == 200, answer.content[:300]
    body = answer.json()
    assert (body["backup_source"], body["response_minutes"]) == ("双回路", 10)
    assert body["supply_points"] == ["10KV-102"]
    assert "13700000001" not in answer.content.decode()
    hospital.refresh_from_db()
    assert (hospital.name, hospital.contact_phone) == ("第1医院", "13700000001")
    assert AuditRecord.objects.filter(action="keyusers.keyuser_update").count() == 1


def test_a_bad_change_is_refused_whole(grid: Grid) -> None:
    hospital = key_user(grid, 1, grid.feeder_a)
    answer = _send(
        grid,
        "PATCH",
        f"/key-users/{hospital.pk}",
        {"backup_source": "双回路", "response_minutes": 0, "supply_point_ids": [987654]},
    )
    assert answer.status_code == 400
    fields = answer.json()["error"]["fields"]
    assert "response_minutes" in fields and "supply_points" in fields
    hospital.refresh_from_db()
    assert hospital.backup_source == "柴油发电机 800kW"
    assert list(hospital.supply_points.values_list("code", flat=True)) == ["10KV-101"]


def test_a_supply_point_is_added_once_for_one_key(grid: Grid) -> None:
    body = {
        "utility_id": grid.power.pk,
        "area_id": grid.city.grid_a.pk,
        "code": "10KV-103",
        "name": "衡山线",
    }
    first = _send(grid, "POST", "/supply-points", body, HTTP_IDEMPOTENCY_KEY="sp-1")
    again = _send(grid, "POST", "/supply-points", body, HTTP_IDEMPOTENCY_KEY="sp-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert first.json()["kind"] == "feeder"
    assert SupplyPoint.objects.filter(code="10KV-103").count() == 1
    unknown = _send(grid, "POST", "/supply-points", body | {"code": "X", "utility_id": 98765})
    assert unknown.status_code == 404 and not SupplyPoint.objects.filter(code="X").exists()


def test_the_map_draws_the_hospital_and_counts_a_person_at_home_without_a_name(
    grid: Grid,
) -> None:
    key_user(grid, 1, grid.feeder_a)
    key_user(grid, 2, grid.feeder_a, kind="home_life_support", name="张三", address="1栋101")
    answer = client_for(grid.duty, HTTP_ACCEPT_LANGUAGE="en").get(f"{API}/key-users/map")
    assert answer.status_code == 200
    text = answer.content.decode()
    assert "张三" not in text and "1栋101" not in text
    assert answer.json()["type"] == "FeatureCollection"
    assert KeyUser.objects.count() == 2
