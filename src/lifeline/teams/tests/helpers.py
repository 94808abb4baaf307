"""Builders for field-team tests: a gas company with one team per grid of the small city,
a vehicle and a crew member each, dispatchers, and work orders placed around each grid."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass, field
from typing import Any

from lifeline.accounts.models import Role, User
from lifeline.core import clock
from lifeline.registry.models import Area, Unit
from lifeline.teams.models import Team, TeamMember, Vehicle
from lifeline.testing.factories import SmallCity, make_user
from lifeline.workorders.models import Category, Channel, Status, WorkOrder

# Grid A's doors lie around the first point, grid B's around the second (about 3 km apart).
CENTRES = {"A": (27.830, 113.150), "B": (27.850, 113.175)}
DAY = dt.date(2030, 3, 4)  # a Monday, planned from the early morning of that day
MORNING = dt.datetime(2030, 3, 4, 6, 0)

_numbers = itertools.count(1)


@dataclass
class Fleet:
    company: Unit
    units: dict[str, Unit]
    teams: dict[str, Team]
    vehicles: dict[str, Vehicle]
    dispatchers: dict[str, User]
    members: dict[str, User]
    company_dispatcher: User
    extra: dict[str, Any] = field(default_factory=dict)


def make_fleet(city: SmallCity, *, prefix: str = "") -> Fleet:
    company = Unit.objects.create(code=f"{prefix}U-GAS", name="新奥燃气", kind=Unit.Kind.UTILITY)
    company.areas.set([city.city])
    grids = {"A": city.grid_a, "B": city.grid_b}
    units, teams, vehicles, dispatchers, members = {}, {}, {}, {}, {}
    for key, grid in grids.items():
        unit = Unit.objects.create(
            code=f"{prefix}U-GAS-{key}",
            name=f"燃气{key}组",
            kind=Unit.Kind.UTILITY_TEAM,
            parent=company,
        )
        unit.areas.set([grid])
        team = Team.objects.create(unit=unit, name=f"{key}组", area_path=grid.path)
        team.areas.set([grid])
        lat, lng = CENTRES[key]
        vehicle = Vehicle.objects.create(
            team=team,
            name=f"{key}-1",
            depot_lat=lat,
            depot_lng=lng,
            capacity=40,
            shift_start=dt.time(8, 0),
            shift_end=dt.time(17, 0),
            skills=["gas_topup"],
        )
        member = make_user(f"{prefix}crew_{key.lower()}", role=Role.FIELD_TEAM, unit=unit)
        TeamMember.objects.create(team=team, user=member, vehicle=vehicle, skills=["gas_topup"])
        units[key], teams[key], vehicles[key], members[key] = unit, team, vehicle, member
        dispatchers[key] = make_user(
            f"{prefix}dispatch_{key.lower()}", role=Role.UNIT_STAFF, unit=unit
        )
    boss = make_user(f"{prefix}dispatch_gas", role=Role.UNIT_STAFF, unit=company)
    return Fleet(company, units, teams, vehicles, dispatchers, members, boss)


def make_order(
    *,
    grid: Area,
    unit: Unit,
    near: tuple[float, float],
    rng: random.Random | None = None,
    category: str = "gas",
    priority: int = 3,
    status: str = Status.DISPATCHED,
) -> WorkOrder:
    """An open order at a point within about 1 km of ``near``."""
    rng = rng or random.Random(next(_numbers))
    now = clock.now()
    order = WorkOrder.objects.create(
        category=Category.objects.get(code=category),
        channel=Channel.STAFF,
        priority=priority,
        status=status,
        area=grid,
        area_path=grid.path,
        responsible_unit=unit,
        description="燃气余量不足",
        address=f"{grid.name} {rng.randint(1, 30)}栋",
        lat=near[0] + rng.uniform(-0.008, 0.008),
        lng=near[1] + rng.uniform(-0.008, 0.008),
        created_at=now,
        updated_at=now,
    )
    order.number = f"T{next(_numbers):08d}"
    order.save(update_fields=["number"])
    return order


def make_orders(fleet: Fleet, city: SmallCity, per_grid: int, seed: int = 1) -> list[WorkOrder]:
    rng = random.Random(seed)
    grids = {"A": city.grid_a, "B": city.grid_b}
    return [
        make_order(grid=grids[k], unit=fleet.units[k], near=CENTRES[k], rng=rng)
        for k in ("A", "B")
        for _ in range(per_grid)
    ]


def walk_params(city: SmallCity) -> dict[str, int]:
    """A published plan of the gas company's teams over the small city, for walks of every
    GET endpoint: the path parameters ``team_id`` and ``plan_id``."""
    from lifeline.teams.services import plan_create, plan_publish

    fleet = make_fleet(city, prefix="walk_")
    make_orders(fleet, city, per_grid=3)
    day = clock.today() + dt.timedelta(days=1)
    plan = plan_create(
        actor=fleet.company_dispatcher, unit_id=fleet.company.pk, day=day, time_limit=0.2
    )
    plan_publish(actor=fleet.company_dispatcher, plan=plan, expected_version=1)
    return {"team_id": fleet.teams["A"].pk, "plan_id": plan.pk}
