"""Distance providers: known values, and OSRM without any network."""

from __future__ import annotations

import urllib.parse

import pytest

from lifeline.teams.planner.distances import (
    UNREACHABLE,
    EuclideanDistance,
    HaversineDistance,
    OsrmDistance,
)
from lifeline.teams.planner.model import Point


def test_haversine_one_degree_of_latitude_with_road_factor_and_speed():
    a, b = Point.geo(lat=52.0, lng=13.0), Point.geo(lat=53.0, lng=13.0)
    matrix = HaversineDistance(road_factor=1.3, speed_kmh=36).matrix(origins=[a, b])
    # One degree of latitude is 111.195 km on the 6371 km sphere.
    assert matrix.distance[0, 1] == pytest.approx(1.3 * 111_195, abs=2)
    assert matrix.distance[0, 1] == matrix.distance[1, 0]
    assert matrix.distance[0, 0] == 0
    # 36 km/h is 10 m/s.
    assert matrix.duration[0, 1] == round(matrix.distance[0, 1] / 10)


def test_euclidean_truncates_like_dimacs():
    points = [Point(0, 0), Point(1, 1), Point(3, 4)]
    matrix = EuclideanDistance(scale=10).matrix(origins=points[:1], destinations=points)
    assert matrix.distance.tolist() == [[0, 14, 50]]
    assert matrix.duration.tolist() == [[0, 14, 50]]


def test_osrm_is_constructible_offline_and_builds_table_urls():
    osrm = OsrmDistance(base_url="http://osrm.internal:5000/", profile="car")
    url = osrm.table_url(
        sources=[Point.geo(lat=52.5, lng=13.4)], destinations=[Point.geo(lat=52.6, lng=13.3)]
    )
    path, query = url.split("?")
    assert path == "http://osrm.internal:5000/table/v1/car/13.400000,52.500000;13.300000,52.600000"
    assert urllib.parse.parse_qs(query) == {
        "sources": ["0"],
        "destinations": ["1"],
        "annotations": ["distance,duration"],
    }
    with pytest.raises(ValueError, match="http"):
        OsrmDistance(base_url="file:///etc/passwd")


def test_osrm_matrix_is_assembled_from_blocks(monkeypatch):
    osrm = OsrmDistance(base_url="https://osrm.example", max_table=4)
    points = [Point.geo(lat=52.0 + k / 10, lng=13.0) for k in range(3)]
    calls = []

    def fake_fetch(url: str) -> dict[str, object]:
        query = urllib.parse.parse_qs(url.split("?")[1])
        coords = url.split("?")[0].rsplit("/", 1)[1].split(";")
        src = [float(coords[int(i)].split(",")[1]) for i in query["sources"][0].split(";")]
        dst = [float(coords[int(j)].split(",")[1]) for j in query["destinations"][0].split(";")]
        calls.append(url)
        # Distance = 1000 * |dlat * 10|, and an unroutable pair 0 -> 2.
        dist = [[None if (s, d) == (52.0, 52.2) else abs(s - d) * 10_000 for d in dst] for s in src]
        return {"code": "Ok", "distances": dist, "durations": dist}

    monkeypatch.setattr(osrm, "_fetch", fake_fetch)
    matrix = osrm.matrix(origins=points)
    assert len(calls) == 4
    assert matrix.distance[0, 1] == 1000 and matrix.distance[1, 2] == 1000
    assert matrix.distance[0, 2] == UNREACHABLE
    assert matrix.distance[2, 0] == 2000
