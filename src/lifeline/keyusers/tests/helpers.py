"""A small city's power company with feeders over its buildings, key users on them and
households that depend on supply, for the key-users tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from lifeline.accounts.models import Role, User
from lifeline.keyusers.models import KeyUser, KeyUserKind, SupplyPoint
from lifeline.keyusers.services import (
    building_supply_set,
    keyuser_register,
    supply_point_create,
)
from lifeline.registry.models import Area, Building, Unit
from lifeline.testing.factories import SmallCity, make_household, make_person, make_user

# A Monday morning in the city's zone: notice counts Tuesday, Wednesday ...
MONDAY = dt.datetime(2026, 12, 7, 10, 0)
NEEDS = ("home_oxygen", "life_support", "dialysis", "bedridden", "elderly_alone")


def monday() -> dt.datetime:
    return timezone.make_aware(MONDAY)


def days_later(days: int, hour: int = 9) -> dt.datetime:
    return timezone.make_aware((MONDAY + dt.timedelta(days=days)).replace(hour=hour, minute=0))


@dataclass
class Grid:
    city: SmallCity
    power: Unit
    duty: User  # the power company's duty desk (city-wide, unit POWER)
    command: User  # the command centre (city-wide)
    feeder_a: SupplyPoint  # serves grid A's buildings
    feeder_b: SupplyPoint  # serves grid B's buildings
    buildings_a: list[Building] = field(default_factory=list)
    buildings_b: list[Building] = field(default_factory=list)


def make_power_grid(city: SmallCity) -> Grid:
    power = Unit.objects.create(
        code="POWER", name="国网株洲供电公司", kind=Unit.Kind.UTILITY, phone="95598"
    )
    power.areas.set([city.city])
    duty = make_user("power_duty", role=Role.UTILITY_STAFF, area=city.city, unit=power)
    command = make_user("command", role=Role.COMMAND_STAFF, area=city.city)
    feeder_a = supply_point_create(
        actor=duty, utility=power, area=city.grid_a, code="10KV-101", name="泰山线"
    )
    feeder_b = supply_point_create(
        actor=duty, utility=power, area=city.grid_b, code="10KV-102", name="嵩山线"
    )
    grid = Grid(city, power, duty, command, feeder_a, feeder_b)
    for grid_area, feeder, buildings in (
        (city.grid_a, feeder_a, grid.buildings_a),
        (city.grid_b, feeder_b, grid.buildings_b),
    ):
        buildings.extend(_buildings(grid_area, 4))
        building_supply_set(actor=duty, supply_point=feeder, buildings=buildings)
    return grid


def _buildings(grid: Area, count: int) -> list[Building]:
    return [
        Building.objects.create(
            grid=grid,
            area_path=grid.path,
            name=f"{grid.code}-{n + 1}栋",
            address=f"{grid.name}{n + 1}栋",
        )
        for n in range(count)
    ]


def vulnerable_households(buildings: list[Building], count: int, serial: int) -> list[int]:
    """``count`` households spread over ``buildings``, each with one person whose need
    depends on supply; returns their ids."""
    made = []
    for n in range(count):
        building = buildings[n % len(buildings)]
        household = make_household(
            grid=building.grid, building=building, phone=f"1380{serial:03d}{n:04d}"
        )
        make_person(household=household, name=f"居民{n}", vulnerabilities=(NEEDS[n % len(NEEDS)],))
        made.append(household.pk)
    return made


def key_user(grid: Grid, n: int, feeder: SupplyPoint, **more: object) -> KeyUser:
    values: dict[str, object] = {
        "name": f"第{n}医院",
        "kind": KeyUserKind.HOSPITAL,
        "contact_name": "王主任",
        "contact_phone": f"1370000{n:04d}",
        "response_minutes": 30,
        "backup_source": "柴油发电机 800kW",
        **more,
    }
    return keyuser_register(
        actor=grid.duty,
        area=feeder.area,
        supply_points=[feeder],
        **values,  # type: ignore[arg-type]
    )
