"""The children of an area as GeoJSON for the dashboard's map (Leaflet, vendored, no tile
server): each child's boundary from the registry (its centre as a point when it has
none), coloured in five steps by the chosen figure, with its title, value and the link
that drills down into it. Coordinates are GeoJSON's [lng, lat]."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.urls import reverse
from shapely.geometry import mapping

from lifeline.command.selectors import ChildRow
from lifeline.registry.geo import boundary_shape

# Light to dark; the JavaScript draws what it is given, so the legend and the map agree.
STEPS = ("#f1eef6", "#bdc9e1", "#74a9cf", "#2b8cbe", "#045a8d")
NO_VALUE = "#dddddd"


def colour(value: int | None, top: int) -> str:
    if value is None:
        return NO_VALUE
    if top <= 0:
        return STEPS[0]
    return STEPS[min(len(STEPS) - 1, value * len(STEPS) // (top + 1))]


def legend(rows: Sequence[ChildRow], show: Callable[[int], str]) -> list[tuple[str, str]]:
    """(colour, "from–to") for each step the map uses, in the figure's shown values."""
    values = [r.value for r in rows if r.value is not None]
    top = max(values, default=0)
    out = []
    for n, step in enumerate(STEPS):
        low, high = -(-n * (top + 1) // len(STEPS)), (n + 1) * (top + 1) // len(STEPS) - 1
        if low <= high:
            out.append((step, low, high))
    return [(c, f"{show(lo)}–{show(hi)}") for c, lo, hi in out]


def _geometry(row: ChildRow) -> dict[str, Any] | None:
    geo: Any = row.area.boundary or None
    if isinstance(geo, dict) and geo.get("type") == "Feature":
        geo = geo.get("geometry")
    shape = boundary_shape(geo)
    if shape is not None and shape.geom_type in ("Polygon", "MultiPolygon"):
        return dict(mapping(shape))
    if row.area.lat is not None and row.area.lng is not None:
        return {"type": "Point", "coordinates": [row.area.lng, row.area.lat]}
    return None


def children_geojson(rows: Sequence[ChildRow], *, query: str = "") -> dict[str, Any]:
    top = max((r.value for r in rows if r.value is not None), default=0)
    features = []
    for row in rows:
        geometry = _geometry(row)
        if geometry is None:
            continue
        url = reverse("command:area", args=[row.area.pk]) + query
        properties = {
            "title": row.title,
            "shown": row.shown,
            "colour": colour(row.value, top),
            "url": url,
        }
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return {"type": "FeatureCollection", "features": features}
