"""The register as GeoJSON for the Leaflet map (vendored, no tile server).

A key user is drawn at its facility's coordinates; one with no facility placed (a
district's laboratory, say) at its area's centre, marked approximate. A person on home
oxygen or life support is never drawn at home: such users are counted per area and shown
as one marker at the area's centre, without a name, an address or a link; where the area
has no centre they are left out and counted. Everything comes from the actor's scope
(``selectors.keyuser_list``). Coordinates are GeoJSON's [lng, lat].
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lifeline.core.actors import Actor
from lifeline.keyusers import selectors
from lifeline.keyusers.models import KeyUser, KeyUserKind
from lifeline.registry import selectors as registry_selectors
from lifeline.registry.models import Area
from lifeline.web.templatetags.lifeline_web import local_name

MAX_MARKERS = 5000
COLOURS: dict[str, str] = {
    KeyUserKind.HOSPITAL: "#d62728",
    KeyUserKind.QUARANTINE_SITE: "#ff7f0e",
    KeyUserKind.EPIDEMIC_CONTROL: "#9467bd",
    KeyUserKind.DIALYSIS_CENTRE: "#1f77b4",
    KeyUserKind.HOME_LIFE_SUPPORT: "#2ca02c",
    KeyUserKind.OTHER: "#7f7f7f",
}


@dataclass(frozen=True)
class LegendRow:
    kind: str
    label: str
    colour: str


def legend() -> list[LegendRow]:
    return [LegendRow(value, str(label), COLOURS[value]) for value, label in KeyUserKind.choices]


def _point(lat: float, lng: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [round(lng, 6), round(lat, 6)]}


def _place(area: Area) -> tuple[float, float] | None:
    if area.lat is None or area.lng is None:
        return None
    return area.lat, area.lng


def _where(
    key_user: KeyUser, places: dict[int, tuple[float, float]]
) -> tuple[tuple[float, float] | None, bool]:
    """(lat, lng) and whether it is only the area's centre."""
    if key_user.facility_id in places:
        return places[key_user.facility_id], False
    return _place(key_user.area), True


def _facility_places(actor: Actor, key_users: list[KeyUser]) -> dict[int, tuple[float, float]]:
    """The facilities' coordinates, read through the registry's public selector (scoped)."""
    ids = {k.facility_id for k in key_users if k.facility_id and not k.is_private}
    if not ids:
        return {}
    rows = (
        registry_selectors.facility_list(actor=actor)
        .filter(pk__in=ids, lat__isnull=False, lng__isnull=False)
        .values_list("pk", "lat", "lng")
    )
    return {pk: (lat, lng) for pk, lat, lng in rows if lat is not None and lng is not None}


def keyuser_geojson(*, actor: Actor, q: str = "", kind: str = "") -> dict[str, Any]:
    """The key users the actor sees (same filters as the register) as a FeatureCollection;
    ``left_out`` counts those with no place to draw, ``masked`` the people at home drawn
    at their area's centre."""
    found = list(
        selectors.keyuser_list(actor=actor, q=q, kind=kind).prefetch_related("supply_points")[
            :MAX_MARKERS
        ]
    )
    places = _facility_places(actor, found)
    features: list[dict[str, Any]] = []
    at_home: dict[int, list[KeyUser]] = defaultdict(list)
    left_out = 0
    for key_user in found:
        if key_user.is_private:
            at_home[key_user.area_id].append(key_user)
            continue
        place, approximate = _where(key_user, places)
        if place is None:
            left_out += 1
            continue
        row = selectors.keyuser_row(key_user)
        features.append(
            {
                "type": "Feature",
                "geometry": _point(*place),
                "properties": {
                    "kind": key_user.kind,
                    "colour": COLOURS.get(key_user.kind, "#7f7f7f"),
                    "name": row["name"],
                    "kind_label": row["kind_label"],
                    "supply_points": [p.code for p in key_user.supply_points.all()],
                    "approximate": approximate,
                    "url": reverse("keyusers:key_user", args=[key_user.pk]),
                },
            }
        )
    masked = 0
    for users in at_home.values():
        area = users[0].area
        place = _place(area)
        if place is None:
            left_out += len(users)
            continue
        masked += len(users)
        codes = sorted({p.code for k in users for p in k.supply_points.all()})
        features.append(
            {
                "type": "Feature",
                "geometry": _point(*place),
                "properties": {
                    "kind": KeyUserKind.HOME_LIFE_SUPPORT,
                    "colour": COLOURS[KeyUserKind.HOME_LIFE_SUPPORT],
                    "name": ngettext(
                        "%(n)s person at home on oxygen or life support",
                        "%(n)s people at home on oxygen or life support",
                        len(users),
                    )
                    % {"n": len(users)},
                    "kind_label": str(KeyUserKind.HOME_LIFE_SUPPORT.label),
                    "supply_points": codes,
                    "approximate": True,
                    "area": local_name(area),
                    "url": "",
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "features": features,
        "left_out": left_out,
        "masked": masked,
        "labels": {
            "supply_points": _("Supply points"),
            "approximate": _("Shown at the centre of its area"),
            "open": _("Open the plan"),
        },
    }
