"""The demo city's places: the area tree, its units and facilities.

The tree is shaped on the seeds: a community of about 10,000 people is split into 8 grids.
The number of communities grows with the population asked for (never fewer than 10, so
that every district has at least one), and communities are spread over the districts by
their share of the urban population.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any

from shapely import set_precision, voronoi_polygons
from shapely.geometry import MultiPoint, Point, mapping
from shapely.geometry.base import BaseGeometry

from lifeline.demo.generator import names
from lifeline.demo.generator.writer import BulkWriter
from lifeline.registry.models import Area, AreaLevel, Facility, Unit

CITY_CODE = "430200"
CITY_NAME = "株洲市"
PEOPLE_PER_COMMUNITY = 10_000
GRIDS_PER_COMMUNITY = 8
GAS_TEAMS = 17
_NUMERALS = "一二三四五六七八九十"


@dataclass
class PlannedArea:
    id: int
    level: str
    code: str
    name: str
    path: str
    lat: float
    lng: float
    parent: PlannedArea | None = None
    children: list[PlannedArea] = field(default_factory=list)
    people: int = 0  # grids only: how many residents to place here
    boundary: dict[str, Any] | None = None  # GeoJSON, [lng, lat]
    boundary_shape: Any = None

    @property
    def district(self) -> PlannedArea:
        node = self
        while node.level != AreaLevel.DISTRICT and node.parent is not None:
            node = node.parent
        return node


@dataclass
class CityPlan:
    city: PlannedArea
    all: list[PlannedArea]

    def of_level(self, level: str) -> list[PlannedArea]:
        return [a for a in self.all if a.level == level]


def _split(total: int, weights: list[float]) -> list[int]:
    """``total`` split by ``weights`` into integers that add up exactly (largest remainder)."""
    raw = [total * w / sum(weights) for w in weights]
    parts = [math.floor(x) for x in raw]
    for i in sorted(range(len(raw)), key=lambda i: parts[i] - raw[i])[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _community_names(rng: random.Random, count: int) -> list[str]:
    stems = list(names.COMMUNITY_STEMS)
    rng.shuffle(stems)
    found = [stem + suffix + "社区" for suffix in names.COMMUNITY_SUFFIXES for stem in stems]
    if count > len(found):
        found += [f"第{i}社区" for i in range(1, count - len(found) + 1)]
    return found[:count]


def plan_city(rng: random.Random, people: int, writer: BulkWriter) -> CityPlan:
    communities = max(10, round(people / PEOPLE_PER_COMMUNITY))
    per_district = _split(communities, [d[5] for d in names.DISTRICTS])
    total_areas = (
        1
        + len(names.DISTRICTS)
        + communities * (1 + GRIDS_PER_COMMUNITY)
        + sum(
            min(len(names.STREETS[d[0]]), max(1, math.ceil(n / 6)))
            for d, n in zip(names.DISTRICTS, per_district, strict=True)
        )
    )
    ids = iter(range(writer.reserve_ids(Area, total_areas), 10**15))
    city = PlannedArea(
        next(ids), AreaLevel.CITY, CITY_CODE, CITY_NAME, f"/{CITY_CODE}/", 27.830, 113.130
    )
    everything = [city]

    def add(parent: PlannedArea, level: str, code: str, name: str, spread: float) -> PlannedArea:
        area = PlannedArea(
            next(ids),
            level,
            code,
            name,
            f"{parent.path}{code}/",
            round(parent.lat + rng.gauss(0, spread), 6),
            round(parent.lng + rng.gauss(0, spread), 6),
            parent,
        )
        parent.children.append(area)
        everything.append(area)
        return area

    community_names = iter(_community_names(rng, communities))
    for (code, dname, _en, lat, lng, _w), n_comm in zip(names.DISTRICTS, per_district, strict=True):
        district = add(city, AreaLevel.DISTRICT, code, dname, 0.0)
        district.lat, district.lng = lat, lng
        n_streets = min(len(names.STREETS[code]), max(1, math.ceil(n_comm / 6)))
        streets = [
            add(district, AreaLevel.STREET, f"{code}{i + 1:03d}", names.STREETS[code][i], 0.02)
            for i in range(n_streets)
        ]
        for c in range(n_comm):
            street = streets[c % n_streets]
            community = add(
                street,
                AreaLevel.COMMUNITY,
                f"{street.code}{len(street.children) + 1:03d}",
                next(community_names),
                0.006,
            )
            for g in range(GRIDS_PER_COMMUNITY):
                add(
                    community,
                    AreaLevel.GRID,
                    f"{community.code}{g + 1:02d}",
                    f"第{_NUMERALS[g]}网格",
                    0.0015,
                )
    grids = [a for a in everything if a.level == AreaLevel.GRID]
    quotas = _split(people, [rng.uniform(0.8, 1.2) for _ in grids])
    for grid, quota in zip(grids, quotas, strict=True):
        grid.people = quota
    draw_boundaries(city)
    return CityPlan(city, everything)


def draw_boundaries(city: PlannedArea, *, relax: int = 4) -> None:
    """Give every area a boundary that nests inside its parent's: the city is the hull of its
    district centres with a margin, and each area's children split it into Voronoi cells
    around their centres, relaxed a few times (Lloyd's method: each centre moves to its
    cell's centroid) so that no cell is a sliver. Every area's centre ends up at its cell's
    centroid, inside it (the cells are convex), so a point at an area's centre maps back to it."""
    margin = 0.08
    hull = MultiPoint([(d.lng, d.lat) for d in city.children]).convex_hull
    _set_boundary(city, hull.buffer(margin, quad_segs=4))

    def cells_of(points: list[tuple[float, float]], shape: BaseGeometry) -> list[BaseGeometry]:
        if len(points) == 1:
            return [shape]
        regions = voronoi_polygons(MultiPoint(points), extend_to=shape, ordered=True)
        return [cell.intersection(shape) for cell in regions.geoms]

    def split(parent: PlannedArea, shape: BaseGeometry) -> None:
        children = parent.children
        if not children:
            return
        points = [_inside(shape, c.lng, c.lat, i) for i, c in enumerate(children)]
        for _ in range(relax):
            points = [
                (cell.centroid.x, cell.centroid.y) if not cell.is_empty else point
                for cell, point in zip(cells_of(points, shape), points, strict=True)
            ]
        for child, cell in zip(children, cells_of(points, shape), strict=True):
            inside = cell.centroid if cell.contains(cell.centroid) else cell.representative_point()
            child.lat, child.lng = round(inside.y, 6), round(inside.x, 6)
            _set_boundary(child, cell)
            split(child, cell)

    split(city, city.boundary_shape)


def _inside(shape: BaseGeometry, x: float, y: float, index: int) -> tuple[float, float]:
    """(x, y) pulled towards the shape's centroid until it lies inside (the shapes are
    convex), nudged by ``index`` so that two children never share a point."""
    centre = shape.centroid
    x, y = x + index * 1e-6, y + index * 1e-6
    for _ in range(30):
        if shape.contains(Point(x, y)):
            break
        x, y = (x + centre.x) / 2, (y + centre.y) / 2
    return x, y


def _set_boundary(area: PlannedArea, shape: BaseGeometry) -> None:
    area.boundary_shape = shape
    area.boundary = mapping(set_precision(shape, 1e-6))


def write_areas(plan: CityPlan) -> None:
    fields = (
        "id",
        "parent_id",
        "level",
        "code",
        "name",
        "name_en",
        "path",
        "depth",
        "lat",
        "lng",
        "boundary",
    )
    english = {d[0]: d[2] for d in names.DISTRICTS}
    rows = [
        (
            a.id,
            a.parent.id if a.parent else None,
            a.level,
            a.code,
            a.name,
            "Zhuzhou" if a.level == AreaLevel.CITY else english.get(a.code, ""),
            a.path,
            a.path.count("/") - 2,
            a.lat,
            a.lng,
            a.boundary,
        )
        for a in plan.all
    ]
    # Areas go through bulk_create even on PostgreSQL: a few thousand rows, and the JSON
    # boundary column needs no special COPY handling that way.
    BulkWriter(use_copy=False).write(Area, fields, rows)


def write_units(plan: CityPlan) -> dict[str, Unit]:
    """Command centre > district bureaus > street offices > community committees, and the
    utilities, hospitals, Red Cross and volunteer agency. Returns the notable ones by key."""
    kind = Unit.Kind
    made: dict[str, Unit] = {}

    def unit(
        code: str,
        name: str,
        k: str,
        parent: Unit | None,
        areas: list[PlannedArea],
        name_en: str = "",
    ) -> Unit:
        u = Unit.objects.create(
            code=code,
            name=name,
            kind=k,
            parent=parent,
            name_en=name_en,
            phone=f"0731-{22000000 + len(made) * 37 % 9999999:08d}",
        )
        if areas:
            u.areas.set([a.id for a in areas])
        made[code] = u
        return u

    command = unit(
        "CMD",
        "株洲市疫情防控指挥部",
        kind.COMMAND_CENTRE,
        None,
        [plan.city],
        "Zhuzhou epidemic command centre",
    )
    # All donated money and goods go to the command centre's logistics group.
    unit(
        "LOGISTICS",
        "株洲市疫情防控指挥部后勤保障组",
        kind.LOGISTICS,
        command,
        [plan.city],
        "Command centre logistics group",
    )
    for district in plan.of_level(AreaLevel.DISTRICT):
        bureau = unit(
            f"D{district.code}",
            f"{district.name}疫情防控指挥部",
            kind.DISTRICT_BUREAU,
            command,
            [district],
        )
        for street in district.children:
            office = unit(
                f"S{street.code}", f"{street.name}办事处", kind.STREET_OFFICE, bureau, [street]
            )
            for community in street.children:
                unit(
                    f"C{community.code}",
                    f"{community.name}居民委员会",
                    kind.COMMUNITY_COMMITTEE,
                    office,
                    [community],
                )
    communities = plan.of_level(AreaLevel.COMMUNITY)
    gas = unit("GAS", "新奥燃气株洲公司", kind.UTILITY, None, [plan.city], "ENN Gas Zhuzhou")
    for i in range(GAS_TEAMS):
        # 包片区: each team covers a contiguous run of communities.
        share = communities[
            i * len(communities) // GAS_TEAMS : (i + 1) * len(communities) // GAS_TEAMS
        ] or [communities[i % len(communities)]]
        unit(f"GAS-T{i + 1:02d}", f"新奥燃气第{i + 1}服务组", kind.UTILITY_TEAM, gas, share)
    power = unit("POWER", "国网株洲供电公司", kind.UTILITY, None, [plan.city], "State Grid Zhuzhou")
    for district in plan.of_level(AreaLevel.DISTRICT):
        unit(
            f"POWER-{district.code}",
            f"{district.name.removesuffix('区')}供电服务队",
            kind.UTILITY_TEAM,
            power,
            [district],
        )
    unit("WATER", "株洲市水务集团", kind.UTILITY, None, [plan.city], "Zhuzhou Water")
    for name, dcode, _k in names.HOSPITALS:
        district = next(d for d in plan.of_level(AreaLevel.DISTRICT) if d.code == dcode)
        unit(f"H-{name}", name, kind.HOSPITAL, None, [district])
    tianyuan = next(d for d in plan.of_level(AreaLevel.DISTRICT) if d.code == "430211")
    unit("REDCROSS-430211", "天元区红十字会", kind.RED_CROSS, None, [tianyuan])
    unit("VOLUNTEERS", "株洲市志愿者协会", kind.VOLUNTEER_AGENCY, None, [plan.city])
    # The trade union's free counselling line (its counsellors' numbers are published).
    unit(
        "COUNSELLING",
        "株洲市总工会心理援助热线",
        kind.COUNSELLING_LINE,
        None,
        [plan.city],
        "Trade union counselling line",
    )
    return made


def write_facilities(rng: random.Random, plan: CityPlan, units: dict[str, Unit]) -> int:
    districts = {d.code: d for d in plan.of_level(AreaLevel.DISTRICT)}
    rows: list[Facility] = []

    def fac(kind: str, name: str, area: PlannedArea, unit: Unit | None = None) -> None:
        rows.append(
            Facility(
                kind=kind,
                name=name,
                area_id=area.id,
                area_path=area.path,
                address=f"株洲市{area.district.name}{'' if area is area.district else area.name}",
                phone=f"0731-{rng.randrange(22000000, 28999999)}",
                lat=round(area.lat + rng.gauss(0, 0.003), 6),
                lng=round(area.lng + rng.gauss(0, 0.003), 6),
                unit=unit,
            )
        )

    for name, dcode, kind in names.HOSPITALS:
        fac(kind, name, districts[dcode], units.get(f"H-{name}"))
    for bridge, east in names.BRIDGES:
        fac(Facility.Kind.CHECKPOINT, f"{bridge}东岸卡口", districts[east])
        fac(Facility.Kind.CHECKPOINT, f"{bridge}西岸卡口", districts["430211"])
    fac(Facility.Kind.WAREHOUSE, "株洲市应急物资储备库", districts["430211"], units["CMD"])
    for d in districts.values():
        fac(Facility.Kind.WAREHOUSE, f"{d.name}应急物资仓库", d, units[f"D{d.code}"])
        for i, hotel in enumerate(rng.sample(names.HOTELS, 2)):
            fac(Facility.Kind.QUARANTINE_SITE, f"{hotel}({d.name}{i + 1}号集中隔离点)", d)
        fac(Facility.Kind.KEY_USER, f"{d.name}疾病预防控制中心", d)
        fac(Facility.Kind.KEY_USER, f"{d.name}疫情防控指挥部", d, units[f"D{d.code}"])
    fac(Facility.Kind.KEY_USER, "株洲市疫情防控指挥部", plan.city, units["CMD"])
    fac(
        Facility.Kind.KEY_USER,
        "株洲市中心医院（集中收治医院）",
        districts["430211"],
        units.get("H-株洲市中心医院"),
    )
    for name, dcode in names.ENTERPRISES:
        fac(Facility.Kind.ENTERPRISE, name, districts[dcode])
    for street in plan.of_level(AreaLevel.STREET):
        fac(
            Facility.Kind.PHARMACY,
            f"{rng.choice(names.PHARMACY_CHAINS)}（{street.name.removesuffix('街道')}店）",
            street,
        )
    for community in plan.of_level(AreaLevel.COMMUNITY):
        stem = community.name.removesuffix("社区")
        fac(Facility.Kind.SAMPLING_SITE, f"{stem}社区核酸采样点", community)
        for shop in rng.sample(names.SHOP_NAMES, rng.randint(1, 3)):
            fac(Facility.Kind.SHOP, f"{stem}{shop}", community)
    Facility.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
