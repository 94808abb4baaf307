"""A deterministic synthetic city day, for the benchmark and for tests of scale.

Areas are cells of a grid over a ~22 x 27 km city (neighbours: cells sharing a side), each with
a team base; vehicles are spread evenly over the areas. Visits mix all-day, two-hour and
half-day windows, a few skills, a few heavy deliveries, and a handful of impossible requests
(a skill nobody has, a window in the night) so every reason code shows up.
"""

from __future__ import annotations

import math
import random

from lifeline.teams.planner.model import AreaPolicy, PlanRequest, Point, Vehicle, Visit

HOUR = 3600
SOUTH, NORTH, WEST, EAST = 52.40, 52.60, 13.20, 13.60


def make_city(
    *,
    visits: int = 10_000,
    vehicles: int = 200,
    areas: int | None = None,
    seed: int = 7,
    time_limit: float = 40.0,
    area_policy: AreaPolicy = "neighbours",
) -> PlanRequest:
    """A city day: same arguments, same request (the generator is seeded)."""
    rng = random.Random(seed)
    n_areas = areas or max(1, vehicles // 4)
    cols = math.ceil(math.sqrt(n_areas))
    rows = math.ceil(n_areas / cols)
    names = [f"A{k // cols:02d}-{k % cols:02d}" for k in range(n_areas)]
    cell_h, cell_w = (NORTH - SOUTH) / rows, (EAST - WEST) / cols

    def cell(k: int) -> tuple[float, float]:
        return SOUTH + (k // cols) * cell_h, WEST + (k % cols) * cell_w

    neighbours: dict[str, frozenset[str]] = {}
    for k, name in enumerate(names):
        r, c = divmod(k, cols)
        near = [(r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)]
        neighbours[name] = frozenset(
            names[rr * cols + cc]
            for rr, cc in near
            if 0 <= rr < rows and 0 <= cc < cols and rr * cols + cc < n_areas
        )
    fleet = []
    for k in range(vehicles):
        area = k % n_areas
        role = k // n_areas
        lat, lng = cell(area)
        skills = (
            frozenset({"nurse"})
            if role == 0
            else frozenset({"heavy"})
            if role == 1
            else frozenset()
        )
        start = 8 * HOUR if k % 2 == 0 else 9 * HOUR
        fleet.append(
            Vehicle(
                id=f"van-{k:03d}",
                depot=Point.geo(lat=lat + cell_h / 2, lng=lng + cell_w / 2),
                capacity=80 if "heavy" in skills else 60,
                shift_start=start,
                shift_end=start + 8 * HOUR,
                cost_per_km=1.2 if "heavy" in skills else 1.0,
                skills=skills,
                areas=frozenset({names[area]}),
                team_id=f"team-{k:03d}",
            )
        )
    todo = []
    for j in range(visits):
        area = rng.randrange(n_areas)
        lat, lng = cell(area)
        earliest, latest = 8 * HOUR, 17 * HOUR
        roll = rng.random()
        if roll < 0.35:
            earliest = rng.randrange(8, 15) * HOUR
            latest = earliest + 2 * HOUR
        elif roll < 0.50:
            earliest, latest = rng.choice([(8 * HOUR, 12 * HOUR), (12 * HOUR, 16 * HOUR)])
        elif roll < 0.503:
            earliest, latest = 21 * HOUR, 22 * HOUR
        skill_roll = rng.random()
        skill = None
        size = 1
        kind = rng.choice(["food", "medication", "check-in"])
        if skill_roll < 0.08:
            skill, kind = "nurse", "care"
        elif skill_roll < 0.12:
            skill, size, kind = "heavy", 4, "heating-fuel"
        elif skill_roll < 0.122:
            skill, kind = "boat", "flooded-street"
        todo.append(
            Visit(
                id=f"visit-{j:05d}",
                location=Point.geo(
                    lat=lat + rng.random() * cell_h, lng=lng + rng.random() * cell_w
                ),
                service=rng.randrange(240, 541, 60),
                earliest=earliest,
                latest=latest,
                priority=2 if rng.random() < 0.1 else 0,
                skill=skill,
                size=size,
                area=names[area],
                kind=kind,
            )
        )
    return PlanRequest(
        vehicles=tuple(fleet),
        visits=tuple(todo),
        area_policy=area_policy,
        neighbours=neighbours,
        time_limit=time_limit,
        seed=seed,
    )


def urgent_visit(*, request: PlanRequest, seed: int = 1, at: int = 11 * HOUR) -> Visit:
    """An urgent request in one of the city's areas: to be served within three hours."""
    rng = random.Random(seed)
    near = rng.choice(request.visits)
    return Visit(
        id=f"urgent-{seed}",
        location=Point(near.location.x + 0.001, near.location.y + 0.001),
        service=600,
        earliest=at,
        latest=at + 3 * HOUR,
        priority=9,
        area=near.area,
        kind="urgent",
    )
