"""A plan drawn as plain SVG shapes (no map tiles, no internet): service-area outlines,
each vehicle's route from its depot through its stops and back, and the unserved visits.

Positions are projected equirectangularly around the plan's middle latitude, which at a
city's scale is as true as the eye can tell. An area's outline is its stored GeoJSON
boundary when it has one, otherwise the convex hull of the plan's visits in it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from lifeline.registry.models import Area
from lifeline.teams.models import Plan, PlanRoute
from lifeline.teams.pages.common import reason_label

WIDTH, HEIGHT, PAD = 960, 640, 40
COLOURS = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
)

Point = tuple[float, float]  # (lng, lat)


@dataclass
class Mark:
    x: float
    y: float
    label: str
    title: str


@dataclass
class RouteDrawing:
    name: str
    colour: str
    km: float
    path: str
    depot: Mark
    stops: list[Mark] = field(default_factory=list)


@dataclass
class AreaDrawing:
    name: str
    points: str
    x: float
    y: float


@dataclass
class MapDrawing:
    width: int
    height: int
    areas: list[AreaDrawing]
    routes: list[RouteDrawing]
    unserved: list[Mark]
    scale_px: float
    scale_km: int


class Projection:
    """Longitude/latitude to SVG pixels, fitting every point in the frame."""

    def __init__(self, points: Sequence[Point]) -> None:
        lngs = [p[0] for p in points] or [0.0]
        lats = [p[1] for p in points] or [0.0]
        self.k = math.cos(math.radians((min(lats) + max(lats)) / 2))
        self.west, self.north = min(lngs), max(lats)
        span_x = max((max(lngs) - self.west) * self.k, 1e-6)
        span_y = max(self.north - min(lats), 1e-6)
        self.scale = min((WIDTH - 2 * PAD) / span_x, (HEIGHT - 2 * PAD) / span_y)

    def __call__(self, lng: float, lat: float) -> tuple[float, float]:
        x = PAD + (lng - self.west) * self.k * self.scale
        y = PAD + (self.north - lat) * self.scale
        return round(x, 1), round(y, 1)

    def px_per_km(self) -> float:
        return self.scale / 111.32  # a degree of latitude is about 111.32 km


def convex_hull(points: Iterable[Point]) -> list[Point]:
    """Andrew's monotone chain; fewer than three distinct points come back as they are."""
    pts = sorted(set(points))
    if len(pts) < 3:
        return pts

    def cross(o: Point, a: Point, b: Point) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[Point] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[Point] = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def _padded(hull: list[Point], margin: float) -> list[Point]:
    """The hull pushed out from its centre (points and segments become small boxes)."""
    cx = sum(p[0] for p in hull) / len(hull)
    cy = sum(p[1] for p in hull) / len(hull)
    if len(hull) < 3:
        lo_x, hi_x = min(p[0] for p in hull), max(p[0] for p in hull)
        lo_y, hi_y = min(p[1] for p in hull), max(p[1] for p in hull)
        return [
            (lo_x - margin, lo_y - margin),
            (hi_x + margin, lo_y - margin),
            (hi_x + margin, hi_y + margin),
            (lo_x - margin, hi_y + margin),
        ]
    out = []
    for x, y in hull:
        d = math.hypot(x - cx, y - cy) or 1.0
        out.append((x + (x - cx) / d * margin, y + (y - cy) / d * margin))
    return out


def _boundary(area: Area) -> list[Point]:
    """The outer ring of a GeoJSON Polygon or the largest of a MultiPolygon."""
    geo: Any = area.boundary or {}
    if geo.get("type") == "Feature":
        geo = geo.get("geometry") or {}
    try:
        if geo.get("type") == "Polygon":
            return [(float(x), float(y)) for x, y, *_ in geo["coordinates"][0]]
        if geo.get("type") == "MultiPolygon":
            rings = [poly[0] for poly in geo["coordinates"]]
            return [(float(x), float(y)) for x, y, *_ in max(rings, key=len)]
    except (KeyError, TypeError, ValueError, IndexError):
        return []
    return []


def draw(plan: Plan, routes: Sequence[PlanRoute]) -> MapDrawing:
    """Everything the map template draws, in SVG pixels."""
    unserved = list(plan.unserved.all())
    stops = [s for r in routes for s in r.stops.all()]
    labels = sorted({a for r in routes for a in r.areas})
    areas = {a.path: a for a in Area.objects.filter(path__in=labels)}
    in_area: dict[str, list[Point]] = defaultdict(list)
    for row in [*stops, *unserved]:
        holding = [k for k in labels if row.area_path.startswith(k)]
        if holding:
            in_area[max(holding, key=len)].append((row.lng, row.lat))
    outlines: dict[str, list[Point]] = {}
    for label in labels:
        ring = _boundary(areas[label]) if label in areas else []
        if not ring and in_area.get(label):
            ring = _padded(convex_hull(in_area[label]), 0.002)
        if ring:
            outlines[label] = ring
    everything = [p for ring in outlines.values() for p in ring]
    everything += [(r.depot_lng, r.depot_lat) for r in routes]
    everything += [(s.lng, s.lat) for s in [*stops, *unserved]]
    project = Projection(everything)

    area_drawings = []
    for label, ring in outlines.items():
        xy = [project(*p) for p in ring]
        cx = sum(x for x, _ in xy) / len(xy)
        cy = sum(y for _, y in xy) / len(xy)
        name = areas[label].name if label in areas else label
        area_drawings.append(
            AreaDrawing(name, " ".join(f"{x},{y}" for x, y in xy), round(cx, 1), round(cy, 1))
        )
    route_drawings = []
    for n, route in enumerate(r for r in routes if r.stops.all()):
        depot = Mark(*project(route.depot_lng, route.depot_lat), "", route.vehicle.name)
        marks = [
            Mark(*project(s.lng, s.lat), str(s.seq), f"{s.seq}. {s.label} {s.address}")
            for s in route.stops.all()
        ]
        path = " ".join(f"{m.x},{m.y}" for m in [depot, *marks, depot])
        route_drawings.append(
            RouteDrawing(
                route.vehicle.name, COLOURS[n % len(COLOURS)], route.km, path, depot, marks
            )
        )
    unserved_marks = [
        Mark(*project(u.lng, u.lat), "", f"{u.label} {u.address}: {reason_label(u.reason)}")
        for u in unserved
    ]
    per_km = project.px_per_km()
    scale_km = next((k for k in (1, 2, 5, 10, 20, 50) if k * per_km >= 60), 100)
    return MapDrawing(
        WIDTH,
        HEIGHT,
        area_drawings,
        route_drawings,
        unserved_marks,
        round(scale_km * per_km, 1),
        scale_km,
    )
