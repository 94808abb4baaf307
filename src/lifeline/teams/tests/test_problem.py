"""The pieces between the database and the planner: area labels, neighbours, shifts, the
distance provider switch, and the map's geometry."""

from __future__ import annotations

import datetime as dt

import pytest

from lifeline.teams.mapdata import _boundary, plan_geojson
from lifeline.teams.models import Plan, Shift
from lifeline.teams.planner.distances import HaversineDistance, OsrmDistance
from lifeline.teams.problem import (
    common_path,
    distance_provider,
    label_of,
    neighbour_map,
    team_hours,
    unit_subtree,
)
from lifeline.teams.services import plan_create
from lifeline.teams.tests.helpers import DAY, make_orders


def test_common_path_is_the_deepest_shared_area():
    assert common_path(["/1/2/3/", "/1/2/4/"]) == "/1/2/"
    assert common_path(["/1/2/3/"]) == "/1/2/3/"
    assert common_path(["/1/", "/2/"]) == ""
    assert common_path([]) == ""


def test_visit_takes_the_deepest_service_area_label():
    labels = ["/1/2/", "/1/2/3/"]
    assert label_of("/1/2/3/9/", labels) == "/1/2/3/"
    assert label_of("/1/2/4/", labels) == "/1/2/"
    assert label_of("/7/", labels) == "/7/"


def test_areas_under_one_parent_are_neighbours():
    found = neighbour_map(["/1/a/", "/1/b/", "/2/c/"])
    assert found["/1/a/"] == {"/1/b/"} and found["/2/c/"] == frozenset()


def test_weekday_and_dated_shifts(fleet):
    team = fleet.teams["A"]
    Shift.objects.create(team=team, weekday=0, start=dt.time(8), end=dt.time(12))
    Shift.objects.create(team=team, weekday=0, start=dt.time(13), end=dt.time(18))
    Shift.objects.create(
        team=team, date=DAY + dt.timedelta(days=7), start=dt.time(9), end=dt.time(11)
    )
    assert team_hours(DAY, {team.pk}) == {team.pk: (8 * 3600, 18 * 3600)}
    assert team_hours(DAY + dt.timedelta(days=7), {team.pk}) == {team.pk: (9 * 3600, 11 * 3600)}
    assert team_hours(DAY + dt.timedelta(days=1), {team.pk}) == {team.pk: None}
    assert team_hours(DAY, {fleet.teams["B"].pk}) == {}


def test_unit_subtree_takes_every_unit_below(fleet):
    assert unit_subtree(fleet.company.pk) == {
        fleet.company.pk,
        fleet.units["A"].pk,
        fleet.units["B"].pk,
    }
    assert unit_subtree(fleet.units["A"].pk) == {fleet.units["A"].pk}


def test_road_network_is_switched_on_by_setting_never_called_in_tests(settings):
    assert isinstance(distance_provider(), HaversineDistance)
    settings.ROUTING_ROAD_FACTOR = 1.5
    assert distance_provider().road_factor == 1.5  # type: ignore[union-attr]
    settings.ROUTING_OSRM_URL = "http://osrm.invalid:5000"
    provider = distance_provider()
    assert isinstance(provider, OsrmDistance) and provider.base_url == "http://osrm.invalid:5000"


def test_boundary_reads_geojson_polygons(city):
    city.grid_a.boundary = {
        "type": "Feature",
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[113.1, 27.8], [113.2, 27.8], [113.2, 27.9], [113.1, 27.8]]],
        },
    }
    geometry = _boundary(city.grid_a)
    assert geometry is not None and geometry["type"] == "Polygon"
    assert len(geometry["coordinates"][0]) == 4
    city.grid_a.boundary = {"type": "Polygon", "coordinates": "nonsense"}
    assert _boundary(city.grid_a) is None


def test_map_data_uses_a_stored_boundary_and_hulls_the_rest(city, fleet):
    ring = [[113.14, 27.82], [113.16, 27.82], [113.16, 27.84], [113.14, 27.84], [113.14, 27.82]]
    city.grid_a.boundary = {"type": "Polygon", "coordinates": [ring]}
    city.grid_a.save()
    make_orders(fleet, city, per_grid=3)
    plan = plan_create(
        actor=fleet.company_dispatcher, unit_id=fleet.company.pk, day=DAY, time_limit=0.2
    )
    routes = list(Plan.objects.get(pk=plan.pk).routes.all())
    features = plan_geojson(plan, routes)["features"]
    kinds = [f["properties"]["kind"] for f in features]
    areas = {
        f["properties"]["name"]: f["geometry"]
        for f in features
        if f["properties"]["kind"] == "area"
    }
    assert len(areas[city.grid_a.name]["coordinates"][0]) == len(ring)
    assert areas[city.grid_b.name]["type"] == "Polygon"  # grid B has none: its visits' hull
    assert kinds.count("route") == 2 and kinds.count("depot") == 2 and kinds.count("stop") == 6
    colours = {f["properties"]["colour"] for f in features if f["properties"]["kind"] == "route"}
    assert len(colours) == 2


@pytest.mark.parametrize("seconds,text", [(0, "00:00"), (8 * 3600 + 5 * 60, "08:05")])
def test_clock_text(seconds, text):
    from lifeline.teams.pages.common import clock_text

    assert clock_text(seconds) == text
