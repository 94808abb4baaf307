"""The outage bench's measuring half, run inside the bench database (``bench/outage.py``):
feeders over every building, key users on feeders, then the impact timed."""

from __future__ import annotations

import json
import random
import statistics
import time
from typing import Any

from django.db import transaction

from lifeline.core import clock
from lifeline.keyusers.models import BuildingSupply, KeyUser, PointKind, SupplyPoint
from lifeline.keyusers.selectors import impact_of
from lifeline.registry.models import Area, Building, Unit

BATCH = 20_000
STATION = 10  # feeders behind one station


def _feeders(per_feeder: int) -> list[int]:
    """Hang every building, in area order, on a feeder of ``per_feeder`` buildings."""
    utility = Unit.objects.get(code="POWER")
    buildings = list(Building.objects.order_by("area_path", "pk").values_list("pk", "grid_id"))
    grids = dict(Area.objects.filter(level="grid").values_list("pk", "path"))
    now = clock.now()
    points: list[SupplyPoint] = []
    chunks = [buildings[i : i + per_feeder] for i in range(0, len(buildings), per_feeder)]
    for n, chunk in enumerate(chunks):
        grid = chunk[0][1]
        points.append(
            SupplyPoint(
                utility=utility,
                kind=PointKind.FEEDER,
                code=f"BENCH-F{n:06d}",
                name=f"bench feeder {n}",
                area_id=grid,
                area_path=grids[grid],
                created_at=now,
            )
        )
    with transaction.atomic():
        made = SupplyPoint.objects.bulk_create(points, batch_size=BATCH)
        links = [
            BuildingSupply(supply_point_id=point.pk, building_id=building)
            for point, chunk in zip(made, chunks, strict=True)
            for building, _grid in chunk
        ]
        BuildingSupply.objects.bulk_create(links, batch_size=BATCH)
    print(f"{len(made):,} feeders over {len(buildings):,} buildings", flush=True)
    return [p.pk for p in made]


def _hang_key_users(feeders: list[int], rng: random.Random) -> int:
    users = list(KeyUser.objects.filter(active=True))
    for user in users:
        user.supply_points.add(rng.choice(feeders))
    return len(users)


def _time(outages: list[list[int]]) -> dict[str, Any]:
    seconds: list[float] = []
    households: list[int] = []
    key_users: list[int] = []
    for ids in outages:
        start = time.perf_counter()
        impact = impact_of(supply_point_ids=ids)
        impact.phones()  # what publishing texts
        seconds.append(time.perf_counter() - start)
        households.append(len(impact.households))
        key_users.append(len(impact.key_users))
    ms = sorted(s * 1000 for s in seconds)
    return {
        "p50_ms": round(ms[len(ms) // 2], 1),
        "p99_ms": round(ms[min(len(ms) - 1, round(len(ms) * 0.99))], 1),
        "max_ms": round(ms[-1], 1),
        "households_mean": round(statistics.fmean(households), 1),
        "households_max": max(households),
        "key_users_found": sum(key_users),
    }


def main(*, per_feeder: int, outages: int, seed: int) -> None:
    rng = random.Random(seed)
    feeders = _feeders(per_feeder)
    hung = _hang_key_users(feeders, rng)
    print(f"{hung} key users hung on feeders", flush=True)
    # Key users' feeders are among those timed, so found key users are counted too.
    keyed = list(
        KeyUser.supply_points.through.objects.filter(supplypoint_id__in=feeders).values_list(
            "supplypoint_id", flat=True
        )
    )
    singles = [[f] for f in rng.sample(feeders, min(outages, len(feeders)))]
    singles[: len(keyed)] = [[f] for f in keyed[: len(singles)]]
    stations = [
        feeders[start : start + STATION]
        for start in (rng.randrange(0, max(1, len(feeders) - STATION)) for _ in range(outages))
    ]
    impact_of(supply_point_ids=singles[0])  # warm the connection and the caches
    feeder = _time(singles)
    print(f"one feeder: {feeder}", flush=True)
    station = _time(stations)
    print(f"a station of {STATION} feeders: {station}", flush=True)
    figures = {
        "buildings": Building.objects.count(),
        "feeders": len(feeders),
        "buildings_per_feeder": per_feeder,
        "key_users": hung,
        "outages_timed": len(singles) + len(stations),
        "feeder": feeder,
        "station": station,
        "within_1s": max(feeder["max_ms"], station["max_ms"]) <= 1000,
    }
    print(json.dumps(figures))
