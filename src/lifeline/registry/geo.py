"""Where a point lies: the area whose boundary contains it (point-in-polygon with shapely).

``Area.boundary`` is GeoJSON (a Polygon or MultiPolygon, coordinates as [lng, lat]). An
area without a boundary can still be found by its centre: when no boundary among the
candidates contains the point, the nearest centre wins, so a point just outside every
drawn boundary (a river bank, a grid not yet drawn) still lands somewhere sensible.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from lifeline.registry.models import Area

# Candidates are first narrowed to centres within about 5 km (0.05 degrees) of the point,
# so a big city is not scanned on every lookup.
NEAR_DEGREES = 0.05


def boundary_shape(boundary: Any) -> BaseGeometry | None:
    """The boundary as a shapely geometry, or None when it is missing or not valid GeoJSON."""
    if not isinstance(boundary, dict):
        return None
    try:
        geometry = shape(boundary)
    except (ValueError, TypeError, KeyError, AttributeError, IndexError):
        return None
    if geometry.is_empty:
        return None
    return geometry


def area_containing(areas: QuerySet[Area], lat: float, lng: float) -> Area | None:
    """The area of ``areas`` whose boundary contains (lat, lng); else the one whose centre
    is nearest; None when no area of ``areas`` has a centre."""
    point = Point(lng, lat)
    located = areas.filter(lat__isnull=False, lng__isnull=False)
    near = located.filter(
        lat__range=(lat - NEAR_DEGREES, lat + NEAR_DEGREES),
        lng__range=(lng - NEAR_DEGREES, lng + NEAR_DEGREES),
    )
    rows = list(near.values_list("pk", "lat", "lng", "boundary")) or list(
        located.values_list("pk", "lat", "lng", "boundary")
    )
    if not rows:
        return None
    rows.sort(key=lambda r: ((r[1] or 0.0) - lat) ** 2 + ((r[2] or 0.0) - lng) ** 2)
    for pk, _lat, _lng, boundary in rows:
        geometry = boundary_shape(boundary)
        if geometry is not None and geometry.contains(point):
            return Area.objects.get(pk=pk)
    return Area.objects.get(pk=rows[0][0])
