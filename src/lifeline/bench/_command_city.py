"""The command bench's synthetic city: the demo's area tree (districts, streets,
communities of ~10,000 people, 8 grids each, with boundaries) for N people, buildings and
households with phones (COPY on PostgreSQL), and the dashboard's counters for every area
and figure over the last 14 days, as the worker's refresh would have left them after a
day of requests, tests and transfers in a city of that size."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from lifeline.command.catalogue import Figure, figures
from lifeline.command.models import AreaFigure
from lifeline.core import clock
from lifeline.demo.generator import places
from lifeline.demo.generator.writer import BulkWriter
from lifeline.registry.models import Area, AreaLevel, Building, Household, natural_key
from lifeline.registry.tree import ancestor_paths

BUILDINGS_PER_GRID = 10
PEOPLE_PER_HOUSEHOLD = 4
DAYS = 14
CHUNK = 50_000
# A day in a city, per 10,000 residents (or a share of a figure named by its key's end):
# the counts the refresh would find. Unknown figures get a small count.
PER_10K: dict[str, float] = {
    "registry.people": 10_000,
    "registry.households": 10_000 / PEOPLE_PER_HOUSEHOLD,
    "registry.vulnerable": 450,
    "workorders.opened": 12,
    "workorders.open": 30,
    "workorders.overdue": 4,
    "workorders.escalated": 1,
    "workorders.vulnerable_waiting": 2,
    "screening.tested": 8_600,
    "screening.positives": 2,
    "screening.compliant": 8_200,
    "screening.under_policy": 9_500,
    "screening.rechecks": 3,
    "health.transfers": 1.5,
    "health.handed_over": 1.2,
    "passes.checks": 900,
    "passes.active": 400,
    "teams.visits_done": 20,
    "supplies.needs_open": 15,
    "supplies.packages_delivered": 60,
    "volunteers.filled": 40,
    "volunteers.needed": 45,
}
DEFAULT_PER_10K = 5.0


@dataclass(frozen=True)
class City:
    city: Area
    districts: list[Area]
    grids: list[Area]
    areas: int
    households: int
    phones: int
    figure_rows: int


def _noise(*parts: object) -> float:
    """0.8 .. 1.2, the same for the same parts."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=4).digest()
    return 0.8 + 0.4 * int.from_bytes(digest, "big") / 2**32


def _rows_of_households(
    grids: list[Any], buildings: dict[int, list[int]], households: int, phones: int, first: int
) -> Iterator[tuple[Any, ...]]:
    now = clock.now()
    weights = [g.people for g in grids]
    total = sum(weights) or 1
    n = 0
    for grid, weight in zip(grids, weights, strict=True):
        share = households * weight // total
        if grid is grids[-1]:
            share = households - n
        for k in range(share):
            phone = f"139{n:08d}" if n < phones else ""
            ids = buildings[grid.id]
            yield (
                first + n,
                ids[k % len(ids)],
                grid.id,
                grid.path,
                f"{k // len(ids) + 1}-{k % len(ids) + 1}",
                phone,
                "",
                "",
                "",
                "",
                now,
                now,
            )
            n += 1


def _write_households(
    writer: BulkWriter, plan: places.CityPlan, households: int, phones: int
) -> None:
    grids = plan.of_level(AreaLevel.GRID)
    buildings: dict[int, list[int]] = {}
    rows = []
    for grid in grids:
        for b in range(BUILDINGS_PER_GRID):
            bid = writer.reserve_ids(Building, 1)
            buildings.setdefault(grid.id, []).append(bid)
            name = f"{b + 1}栋"
            rows.append(
                (bid, grid.id, grid.path, name, natural_key(name), name, grid.lat, grid.lng)
            )
    building_fields = ("id", "grid_id", "area_path", "name", "name_sort", "address", "lat", "lng")
    writer.write(Building, building_fields, rows)
    first = writer.reserve_ids(Household, households)
    fields = (
        "id",
        "building_id",
        "grid_id",
        "area_path",
        "unit_no",
        "phone",
        "phone_alt",
        "gas_account",
        "power_account",
        "water_account",
        "created_at",
        "updated_at",
    )
    chunk: list[tuple[Any, ...]] = []
    for row in _rows_of_households(grids, buildings, households, phones, first):
        chunk.append(row)
        if len(chunk) >= CHUNK:
            writer.write(Household, fields, chunk)
            chunk = []
    writer.write(Household, fields, chunk)


def _grid_value(figure: Figure, grid: Any, day: dt.date, today: dt.date) -> int:
    rate = PER_10K.get(figure.key, DEFAULT_PER_10K)
    trend = 1.0 + 0.02 * (today - day).days  # the outbreak easing day by day
    return round(grid.people * rate / 10_000 * _noise(figure.key, grid.id, day) / trend)


def figure_rows(plan: places.CityPlan, today: dt.date) -> Iterator[AreaFigure]:
    """Every figure of every area for the last DAYS days: counts made per grid and summed
    up the tree, ratios from the summed parts (as the refresh computes them)."""
    catalogue = figures()
    counts = [f for f in catalogue if not f.is_ratio]
    ratios = [f for f in catalogue if f.is_ratio]
    levels = {a.path: a.level for a in plan.all}
    grids = plan.of_level(AreaLevel.GRID)
    now = clock.now()
    for back in range(DAYS):
        day = today - dt.timedelta(days=back)
        values: dict[tuple[str, str], int] = {}
        for figure in counts:
            for grid in grids:
                value = _grid_value(figure, grid, day, today)
                for above in ancestor_paths(grid.path):
                    if above in levels:
                        values[(above, figure.key)] = values.get((above, figure.key), 0) + value
        for figure in ratios:
            for path in levels:
                den = values.get((path, figure.denominator), 0)
                if den:
                    num = min(values.get((path, figure.numerator), 0), den)
                    values[(path, figure.key)] = num * 10000 // den
        for (path, key), value in values.items():
            if value:
                yield AreaFigure(
                    area_path=path,
                    level=levels[path],
                    day=day,
                    key=key,
                    value=value,
                    updated_at=now,
                )


def build_city(
    *, people: int, phones: int, seed: int, write: Callable[[str], None] = print
) -> City:
    """Write the city (areas, buildings, households, counters) into the current database."""
    rng = random.Random(seed)
    writer = BulkWriter()
    with transaction.atomic():
        plan = places.plan_city(rng, people, writer)
        places.write_areas(plan)
    write(f"{len(plan.all):,} areas ({len(plan.of_level(AreaLevel.GRID)):,} grids)")
    households = max(phones, people // PEOPLE_PER_HOUSEHOLD)
    with transaction.atomic():
        _write_households(writer, plan, households, phones)
    write(f"{households:,} households, {phones:,} with a phone")
    rows = 0
    batch: list[AreaFigure] = []
    with transaction.atomic():
        for row in figure_rows(plan, clock.today()):
            batch.append(row)
            if len(batch) >= CHUNK:
                AreaFigure.objects.bulk_create(batch, batch_size=5000)
                rows += len(batch)
                batch = []
        AreaFigure.objects.bulk_create(batch, batch_size=5000)
        rows += len(batch)
    writer.finish()
    write(f"{rows:,} dashboard counters over {DAYS} days")
    city = Area.objects.get(pk=plan.city.id)
    return City(
        city=city,
        districts=list(Area.objects.filter(level=AreaLevel.DISTRICT).order_by("path")),
        grids=list(Area.objects.filter(level=AreaLevel.GRID).order_by("path")),
        areas=len(plan.all),
        households=households,
        phones=phones,
        figure_rows=rows,
    )
