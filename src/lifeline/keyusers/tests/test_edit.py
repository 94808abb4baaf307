"""Changing the register from the pages: a key user's protection plan (the phone never put
back in the form; a person at home never shown in full) and the buildings a supply point
serves (only buildings of its area; every change audited)."""

from __future__ import annotations

import pytest

from lifeline.accounts.models import Role
from lifeline.api.tests.helpers import client_for
from lifeline.core.errors import ServiceError
from lifeline.core.models import AuditRecord
from lifeline.keyusers.models import BuildingSupply, KeyUser, KeyUserKind, SupplyPoint
from lifeline.keyusers.services import building_supply_set, keyuser_update
from lifeline.keyusers.tests.helpers import Grid, key_user, make_power_grid
from lifeline.registry.models import Building
from lifeline.testing.factories import SmallCity, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def grid(city: SmallCity) -> Grid:
    return make_power_grid(city)


def _plan(**more: object) -> dict[str, object]:
    return {
        "name": "第1医院",
        "kind": "hospital",
        "address": "泰山路1号",
        "backup_source": "双回路 + 柴油发电机",
        "contact_name": "王主任",
        "contact_phone": "",
        "response_minutes": "15",
        "special_plan": "改为集中隔离医院",
        **more,
    }


def test_the_duty_desk_edits_a_plan_and_the_phone_stays_masked_and_kept(grid: Grid) -> None:
    hospital = key_user(grid, 1, grid.feeder_a)
    client = client_for(grid.duty, HTTP_ACCEPT_LANGUAGE="en")
    form = client.get(f"/keyusers/{hospital.pk}/edit/").content.decode()
    assert "13700000001" not in form and "137****0001" in form
    posted = _plan(supply_points=[grid.feeder_a.pk, grid.feeder_b.pk])
    answer = client.post(f"/keyusers/{hospital.pk}/edit/", posted)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    hospital.refresh_from_db()
    assert hospital.contact_phone == "13700000001"  # kept
    assert (hospital.backup_source, hospital.response_minutes) == ("双回路 + 柴油发电机", 15)
    assert hospital.special_plan == "改为集中隔离医院"
    assert set(hospital.supply_points.values_list("code", flat=True)) == {"10KV-101", "10KV-102"}
    record = AuditRecord.objects.filter(action="keyusers.keyuser_update").last()
    assert record is not None and "special_plan" in record.fields
    assert "13700000001" not in str(record.fields) + record.purpose


def test_bad_plan_values_are_refused_on_the_form_and_write_nothing(grid: Grid) -> None:
    hospital = key_user(grid, 1, grid.feeder_a)
    before = AuditRecord.objects.count()
    client = client_for(grid.duty, HTTP_ACCEPT_LANGUAGE="en")
    answer = client.post(
        f"/keyusers/{hospital.pk}/edit/",
        _plan(contact_phone="12", response_minutes="0", supply_points=[grid.feeder_a.pk]),
    )
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "Not a phone number." in text and "Between 1 and 1440 minutes." in text
    empty = client.post(f"/keyusers/{hospital.pk}/edit/", _plan(supply_points=[]))
    assert empty.status_code == 400
    hospital.refresh_from_db()
    assert hospital.response_minutes == 30 and AuditRecord.objects.count() == before


def test_a_person_at_home_is_edited_without_showing_the_name_or_address(grid: Grid) -> None:
    person = key_user(
        grid,
        2,
        grid.feeder_a,
        kind=KeyUserKind.HOME_LIFE_SUPPORT,
        name="李秀英",
        address="泰山路12号",
    )
    client = client_for(grid.duty, HTTP_ACCEPT_LANGUAGE="en")
    form = client.get(f"/keyusers/{person.pk}/edit/").content.decode()
    assert "李秀英" not in form and "泰山路12号" not in form and 'name="kind"' not in form
    plan = {k: v for k, v in _plan().items() if k not in ("name", "kind", "address")}
    answer = client.post(
        f"/keyusers/{person.pk}/edit/", {**plan, "supply_points": [grid.feeder_a.pk]}
    )
    assert answer.status_code == 302
    person.refresh_from_db()
    assert (person.name, person.kind, person.address) == (
        "李秀英",
        "home_life_support",
        "泰山路12号",
    )
    assert person.backup_source == "双回路 + 柴油发电机"


def test_who_may_not_register_key_users_cannot_edit(grid: Grid, city: SmallCity) -> None:
    hospital = key_user(grid, 1, grid.feeder_a)
    viewer = make_user("district_view", role=Role.DISTRICT_STAFF, area=city.district)
    assert client_for(viewer).get(f"/keyusers/{hospital.pk}/").status_code == 200
    assert client_for(viewer).get(f"/keyusers/{hospital.pk}/edit/").status_code == 404
    answer = client_for(viewer).post(f"/keyusers/{hospital.pk}/edit/", _plan())
    assert answer.status_code == 404
    with pytest.raises(ServiceError):
        keyuser_update(actor=viewer, key_user=hospital, backup_source="x")
    assert KeyUser.objects.get(pk=hospital.pk).backup_source == "柴油发电机 800kW"


def test_buildings_of_the_area_are_linked_to_a_supply_point_and_removed(
    grid: Grid, city: SmallCity
) -> None:
    extra = [
        Building.objects.create(
            grid=city.grid_a, area_path=city.grid_a.path, name=f"新楼{n}", address=f"新路{n}号"
        )
        for n in (1, 2)
    ]
    client = client_for(grid.duty, HTTP_ACCEPT_LANGUAGE="en")
    url = f"/keyusers/supply-points/{grid.feeder_a.pk}/"
    page = client.get(url).content.decode()
    assert "4 buildings served" in page and extra[0].name in page
    assert grid.buildings_b[0].name not in page  # another grid's building is no choice
    added = client.post(url, {"action": "add", "add-buildings": [extra[0].pk, extra[1].pk]})
    assert added.status_code == 302
    assert BuildingSupply.objects.filter(supply_point=grid.feeder_a).count() == 6
    outside = client.post(url, {"action": "add", "add-buildings": [grid.buildings_b[0].pk]})
    assert outside.status_code == 400
    assert not BuildingSupply.objects.filter(
        supply_point=grid.feeder_a, building=grid.buildings_b[0]
    ).exists()
    removed = client.post(url, {"action": "remove", "remove-buildings": [extra[0].pk]})
    assert removed.status_code == 302
    assert BuildingSupply.objects.filter(supply_point=grid.feeder_a).count() == 5
    unset = AuditRecord.objects.filter(action="keyusers.building_supply_unset").get()
    assert unset.object_id == str(grid.feeder_a.pk) and unset.purpose == "1 buildings"
    assert client.post(url, {"action": "other"}).status_code == 400


def test_the_service_refuses_a_building_outside_the_supply_points_area(grid: Grid) -> None:
    with pytest.raises(ServiceError):
        building_supply_set(
            actor=grid.duty, supply_point=grid.feeder_a, buildings=grid.buildings_b[:1]
        )


def test_another_utilitys_desk_cannot_change_the_buildings(grid: Grid, city: SmallCity) -> None:
    worker = make_user("worker_links", role=Role.GRID_WORKER, area=city.grid_a)
    url = f"/keyusers/supply-points/{grid.feeder_a.pk}/"
    assert client_for(worker).get(url).status_code == 404
    assert client_for(worker).post(url, {"action": "remove"}).status_code == 404
    viewer = make_user("district_links", role=Role.DISTRICT_STAFF, area=city.district)
    page = client_for(viewer).get(url).content.decode()
    assert "add-form" not in page and "remove-form" not in page
    answer = client_for(viewer).post(
        url, {"action": "remove", "remove-buildings": [grid.buildings_a[0].pk]}
    )
    assert answer.status_code in (403, 404)
    assert BuildingSupply.objects.filter(supply_point=grid.feeder_a).count() == 4


def test_the_duty_desk_adds_a_supply_point_from_its_page(grid: Grid) -> None:
    client = client_for(grid.duty, HTTP_ACCEPT_LANGUAGE="zh-hans")
    listing = client.get("/keyusers/supply-points/").content.decode()
    assert 'data-testid="supply-point-new"' in listing
    form = client.get("/keyusers/supply-points/new/").content.decode()
    assert "国网株洲供电公司" in form and "第一网格" in form
    answer = client.post(
        "/keyusers/supply-points/new/",
        {
            "code": "10KV-103",
            "name": "衡山线",
            "kind": "feeder",
            "utility_kind": "power",
            "utility": grid.power.pk,
            "area": grid.city.grid_a.pk,
        },
    )
    assert answer.status_code == 302
    point = SupplyPoint.objects.get(code="10KV-103")
    assert answer["Location"] == f"/keyusers/supply-points/{point.pk}/"
    assert (point.area_path, point.utility_id) == (grid.city.grid_a.path, grid.power.pk)
    assert AuditRecord.objects.filter(action="keyusers.supply_point_create").count() == 3


def test_a_taken_code_or_a_missing_name_is_refused_and_adds_nothing(grid: Grid) -> None:
    client = client_for(grid.duty, HTTP_ACCEPT_LANGUAGE="en")
    posted = {
        "code": "10KV-101",
        "name": "又一条",
        "kind": "feeder",
        "utility_kind": "power",
        "utility": grid.power.pk,
        "area": grid.city.grid_a.pk,
    }
    taken = client.post("/keyusers/supply-points/new/", posted)
    assert taken.status_code == 409 and "Already used." in taken.content.decode()
    blank = client.post("/keyusers/supply-points/new/", posted | {"code": "X-1", "name": " "})
    assert blank.status_code == 400
    bad_kind = client.post("/keyusers/supply-points/new/", posted | {"code": "X-2", "kind": "pipe"})
    assert bad_kind.status_code == 400
    assert SupplyPoint.objects.count() == 2


def test_a_grid_worker_gets_no_supply_point_form(grid: Grid) -> None:
    worker = make_user("grid_x", role=Role.GRID_WORKER, area=grid.city.grid_a)
    answer = client_for(worker).get("/keyusers/supply-points/new/")
    assert answer.status_code == 404
