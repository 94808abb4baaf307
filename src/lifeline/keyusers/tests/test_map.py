"""The register on a map: each key user at its facility, coloured by kind, with its supply
points; a person at home never at home (counted at the area's centre, no name); the data
scoped like the register."""

from __future__ import annotations

import json

import pytest

from lifeline.accounts.models import Role
from lifeline.api.tests.helpers import client_for
from lifeline.keyusers.mapdata import COLOURS
from lifeline.keyusers.models import KeyUserKind
from lifeline.keyusers.tests.helpers import Grid, key_user, make_power_grid
from lifeline.registry.models import Area, Facility, Unit
from lifeline.testing.factories import SmallCity, make_user

pytestmark = pytest.mark.django_db


def _facility(area: Area, name: str, lat: float, lng: float) -> Facility:
    return Facility.objects.create(
        kind=Facility.Kind.HOSPITAL, name=name, area=area, area_path=area.path, lat=lat, lng=lng
    )


@pytest.fixture
def grid(city: SmallCity) -> Grid:
    power = make_power_grid(city)
    key_user(power, 1, power.feeder_a, facility=_facility(city.grid_a, "一院", 27.801, 113.101))
    key_user(power, 2, power.feeder_b, facility=_facility(city.grid_b, "二院", 27.802, 113.102))
    for n, name in ((3, "李秀英"), (4, "张桂兰")):
        key_user(
            power,
            n,
            power.feeder_a,
            kind=KeyUserKind.HOME_LIFE_SUPPORT,
            name=name,
            address=f"泰山路12号{n}栋402",
        )
    key_user(power, 5, power.feeder_b, kind=KeyUserKind.OTHER, name="区疾控实验室")
    return power


def _data(user: object, query: str = "") -> dict:
    response = client_for(user, HTTP_ACCEPT_LANGUAGE="en").get(f"/keyusers/map/data/{query}")
    assert response.status_code == 200
    return json.loads(response.content)


def test_each_key_user_is_drawn_at_its_facility_coloured_by_kind(grid: Grid) -> None:
    data = _data(grid.duty)
    by_name = {f["properties"]["name"]: f for f in data["features"]}
    first = by_name["第1医院"]
    assert first["geometry"]["coordinates"] == [113.101, 27.801]
    assert first["properties"]["colour"] == COLOURS[KeyUserKind.HOSPITAL]
    assert first["properties"]["supply_points"] == ["10KV-101"]
    assert first["properties"]["approximate"] is False
    assert first["properties"]["url"].startswith("/keyusers/")
    lab = by_name["区疾控实验室"]
    assert lab["properties"]["approximate"] is True  # no facility: its area's centre
    assert lab["properties"]["colour"] == COLOURS[KeyUserKind.OTHER]


def test_people_at_home_are_counted_at_their_areas_centre_without_name_or_address(
    grid: Grid,
) -> None:
    data = _data(grid.duty)
    text = json.dumps(data, ensure_ascii=False)
    assert "李秀英" not in text and "李*英" not in text and "泰山路12号" not in text
    assert "13700000003" not in text
    (home,) = [f for f in data["features"] if f["properties"]["kind"] == "home_life_support"]
    props = home["properties"]
    assert props["name"] == "2 people at home on oxygen or life support"
    assert props["url"] == "" and props["approximate"] is True
    area = grid.feeder_a.area
    assert home["geometry"]["coordinates"] == [round(area.lng, 6), round(area.lat, 6)]
    assert data["masked"] == 2 and data["left_out"] == 0


def test_a_person_at_home_in_an_area_without_a_centre_is_left_out_and_counted(
    grid: Grid,
) -> None:
    Area.objects.filter(pk=grid.feeder_a.area_id).update(lat=None, lng=None)
    data = _data(grid.duty)
    assert data["masked"] == 0 and data["left_out"] == 2
    assert not [f for f in data["features"] if f["properties"]["kind"] == "home_life_support"]


def test_the_map_follows_the_registers_search_and_scope(grid: Grid, city: SmallCity) -> None:
    names = {f["properties"]["name"] for f in _data(grid.duty, "?q=10KV-102")["features"]}
    assert names == {"第2医院", "区疾控实验室"}
    unit = Unit.objects.create(code="POWER-B", name="B所", kind=Unit.Kind.UTILITY)
    unit.areas.set([city.grid_b])
    desk_b = make_user("desk_b", role=Role.UTILITY_STAFF, area=city.grid_b, unit=unit)
    names_b = {f["properties"]["name"] for f in _data(desk_b)["features"]}
    assert names_b == {"第2医院", "区疾控实验室"}
    worker = make_user("worker_map", role=Role.GRID_WORKER, area=city.grid_a)
    assert client_for(worker).get("/keyusers/map/data/").status_code == 404
    assert client_for(worker).get("/keyusers/map/").status_code == 404


def test_the_map_page_loads_leaflet_from_static_files_and_no_inline_script(grid: Grid) -> None:
    page = client_for(grid.duty, HTTP_ACCEPT_LANGUAGE="en").get("/keyusers/map/?kind=hospital")
    text = page.content.decode()
    assert page.status_code == 200
    assert "vendor/leaflet/leaflet.js" in text and "keyusers/keyusers_map.js" in text
    assert "/keyusers/map/data/?q=&amp;kind=hospital" in text
    assert "<script>" not in text and "unpkg" not in text and "tile" not in text.lower()
