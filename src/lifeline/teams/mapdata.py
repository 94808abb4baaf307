"""A plan as GeoJSON for the Leaflet map (no tile server, nothing from the internet):
the service areas' boundaries from the registry as the base layer, then per route its
depot, its stops and the line through them (one colour per route), and the unserved
visits. An area without a stored boundary is drawn as the padded convex hull of the
plan's visits in it. Coordinates are GeoJSON's [lng, lat]."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from shapely.geometry import MultiPoint, mapping

from lifeline.registry.geo import boundary_shape
from lifeline.registry.models import Area
from lifeline.teams.models import Plan, PlanRoute
from lifeline.teams.pages.common import reason_label

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
HULL_MARGIN = 0.002  # degrees, about 200 m


@dataclass(frozen=True)
class LegendRow:
    name: str
    colour: str
    stops: int
    km: float


def colour_of(n: int) -> str:
    return COLOURS[n % len(COLOURS)]


def legend(routes: Sequence[PlanRoute]) -> list[LegendRow]:
    """One row per used route, in the map's colours."""
    used = [r for r in routes if r.stops.all()]
    return [
        LegendRow(r.vehicle.name, colour_of(n), len(r.stops.all()), r.km)
        for n, r in enumerate(used)
    ]


def _feature(geometry: dict[str, Any], **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def _point(lat: float, lng: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [round(lng, 6), round(lat, 6)]}


def _boundary(area: Area) -> dict[str, Any] | None:
    """The area's stored polygon, or None when it has none (or an unreadable one)."""
    geo: Any = area.boundary or None
    if isinstance(geo, dict) and geo.get("type") == "Feature":
        geo = geo.get("geometry")
    found = boundary_shape(geo)
    if found is None or found.geom_type not in ("Polygon", "MultiPolygon"):
        return None
    return dict(mapping(found))


def _areas(plan: Plan, routes: Sequence[PlanRoute]) -> list[dict[str, Any]]:
    labels = sorted({a for r in routes for a in r.areas})
    areas = {a.path: a for a in Area.objects.filter(path__in=labels)}
    visits: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for row in [*(s for r in routes for s in r.stops.all()), *plan.unserved.all()]:
        holding = [k for k in labels if row.area_path.startswith(k)]
        if holding:
            visits[max(holding, key=len)].append((row.lng, row.lat))
    features = []
    for label in labels:
        area = areas.get(label)
        geometry = _boundary(area) if area is not None else None
        if geometry is None and visits.get(label):
            hull = MultiPoint(visits[label]).convex_hull.buffer(HULL_MARGIN, quad_segs=4)
            geometry = dict(mapping(hull))
        if geometry is not None:
            features.append(_feature(geometry, kind="area", name=area.name if area else ""))
    return features


def plan_geojson(plan: Plan, routes: Sequence[PlanRoute]) -> dict[str, Any]:
    """The plan's FeatureCollection; each feature's ``kind`` says how to draw it and its
    ``title`` is the text of its tooltip."""
    features = _areas(plan, routes)
    used = [r for r in routes if r.stops.all()]
    for n, route in enumerate(used):
        colour, name = colour_of(n), route.vehicle.name
        stops = list(route.stops.all())
        line = [[route.depot_lng, route.depot_lat], *([s.lng, s.lat] for s in stops)]
        line.append([route.depot_lng, route.depot_lat])
        features.append(
            _feature(
                {
                    "type": "LineString",
                    "coordinates": [[round(x, 6), round(y, 6)] for x, y in line],
                },
                kind="route",
                colour=colour,
                title=f"{name} · {len(stops)} · {route.km} km",
            )
        )
        features.append(
            _feature(
                _point(route.depot_lat, route.depot_lng), kind="depot", colour=colour, title=name
            )
        )
        for stop in stops:
            features.append(
                _feature(
                    _point(stop.lat, stop.lng),
                    kind="stop",
                    colour=colour,
                    title=f"{name} {stop.seq}. {stop.label} · {stop.address}",
                )
            )
    for row in plan.unserved.all():
        features.append(
            _feature(
                _point(row.lat, row.lng),
                kind="unserved",
                title=f"{row.label} · {row.address}: {reason_label(row.reason)}",
            )
        )
    return {"type": "FeatureCollection", "features": features}
