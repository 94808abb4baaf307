"""A small, fully known city for tests: one district, one street, one community, grids A and B.

Built directly with the ORM (not through services) so tests of services start from a known
state without audit noise. Use services in the test itself for the behaviour under test.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

from lifeline.accounts.models import Membership, Role, User
from lifeline.core.personal import (
    encrypt_value,
    id_number_check_digit,
    lookup_hash,
    mask_id_number,
)
from lifeline.registry.models import (
    Area,
    AreaLevel,
    Building,
    Household,
    Person,
    Unit,
    Vulnerability,
)

_serial = itertools.count(1)


def make_id_number(
    *, region: str = "430202", birth: dt.date | None = None, serial: int | None = None
) -> str:
    birth = birth or dt.date(1980, 1, 1)
    seq = serial if serial is not None else next(_serial)
    first17 = f"{region}{birth:%Y%m%d}{seq % 1000:03d}"
    return first17 + id_number_check_digit(first17)


def make_phone(n: int | None = None) -> str:
    return f"139{(n if n is not None else next(_serial)) % 100_000_000:08d}"


def make_area(*, parent: Area | None, level: str, code: str, name: str) -> Area:
    path = f"{parent.path if parent else '/'}{code}/"
    return Area.objects.create(
        parent=parent,
        level=level,
        code=code,
        name=name,
        path=path,
        depth=path.count("/") - 2,
        lat=27.83,
        lng=113.15,
    )


def make_household(
    *, grid: Area, unit_no: str | None = None, phone: str = "", building: Building | None = None
) -> Household:
    if building is None:
        building, _ = Building.objects.get_or_create(
            grid=grid,
            name=f"{grid.code}-B1",
            defaults={
                "area_path": grid.path,
                "address": f"{grid.name} 1栋",
                "lat": 27.83,
                "lng": 113.15,
            },
        )
    return Household.objects.create(
        building=building,
        grid=grid,
        area_path=grid.path,
        unit_no=unit_no or f"{next(_serial)}",
        phone=phone or make_phone(),
    )


def make_person(
    *,
    household: Household,
    name: str = "张三",
    sex: str = "M",
    birth: dt.date | None = None,
    phone: str = "",
    id_number: str = "",
    vulnerabilities: tuple[str, ...] = (),
) -> Person:
    birth = birth or dt.date(1980, 1, 1)
    # Drawn IDs use a region of their own, so that they never meet the numbers tests make
    # with ``make_id_number(serial=...)`` (the serial counter wraps at 1,000).
    id_number = id_number or make_id_number(region="430211", birth=birth)
    person = Person.objects.create(
        household=household,
        grid_id=household.grid_id,
        area_path=household.area_path,
        name=name,
        sex=sex,
        birth_date=birth,
        phone=phone or make_phone(),
        id_number_enc=encrypt_value(id_number),
        id_number_hash=lookup_hash(id_number),
        id_number_masked=mask_id_number(id_number),
        relation="户主",
    )
    for kind in vulnerabilities:
        Vulnerability.objects.create(
            person=person, grid_id=person.grid_id, area_path=person.area_path, kind=kind
        )
    return person


def make_user(
    username: str,
    *,
    role: str = Role.GRID_WORKER,
    area: Area | None = None,
    unit: Unit | None = None,
    password: str = "pass-word-123",
) -> User:
    user = User.objects.create_user(username=username, password=password, display_name=username)
    if area is not None or unit is not None:
        Membership.objects.create(user=user, role=role, area=area, unit=unit)
    return user


@dataclass
class SmallCity:
    city: Area
    district: Area
    street: Area
    community: Area
    grid_a: Area
    grid_b: Area
    people_a: list[Person] = field(default_factory=list)
    people_b: list[Person] = field(default_factory=list)
    units: dict[str, Unit] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def make_small_city() -> SmallCity:
    city = make_area(parent=None, level=AreaLevel.CITY, code="430200", name="株洲市")
    district = make_area(parent=city, level=AreaLevel.DISTRICT, code="430211", name="天元区")
    street = make_area(parent=district, level=AreaLevel.STREET, code="430211001", name="嵩山路街道")
    community = make_area(
        parent=street, level=AreaLevel.COMMUNITY, code="430211001001", name="泰山路社区"
    )
    grid_a = make_area(
        parent=community, level=AreaLevel.GRID, code="430211001001A", name="第一网格"
    )
    grid_b = make_area(
        parent=community, level=AreaLevel.GRID, code="430211001001B", name="第二网格"
    )
    sc = SmallCity(city, district, street, community, grid_a, grid_b)
    for grid, people in ((grid_a, sc.people_a), (grid_b, sc.people_b)):
        for i in range(3):
            household = make_household(grid=grid, unit_no=f"10{i + 1}")
            people.append(make_person(household=household, name=f"{grid.name}居民{i}"))
    make_vuln = Vulnerability.objects.create
    for person in (sc.people_a[0], sc.people_b[0]):
        make_vuln(
            person=person,
            grid_id=person.grid_id,
            area_path=person.area_path,
            kind="elderly_alone",
            note="独居",
        )
    committee = Unit.objects.create(
        code="U-COMM", name="泰山路社区居委会", kind=Unit.Kind.COMMUNITY_COMMITTEE
    )
    committee.areas.set([community])
    sc.units["committee"] = committee
    return sc
