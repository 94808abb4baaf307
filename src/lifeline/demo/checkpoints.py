"""The demo city's pass checkpoints: one on each bank of every bridge over the Xiang.

The registry already lists them as facilities of kind CHECKPOINT (``generator/places.py``);
passes keep their own ``Checkpoint`` rows, so each facility becomes one, placed in the
street of its district nearest to it and run by the district's bureau. The demo's
checkpoint_staff login is then assigned to the west end of the first bridge (its
membership moves to that checkpoint's street), so the verifier opens on one checkpoint.
"""

from __future__ import annotations

import math

from django.db import transaction
from django.utils.translation import gettext as _

from lifeline.accounts.models import Membership, Role
from lifeline.passes.models import Checkpoint
from lifeline.registry.models import Area, AreaLevel, Facility, Unit


def _nearest_street(facility: Facility) -> Area:
    streets = list(
        Area.objects.filter(level=AreaLevel.STREET, path__startswith=facility.area_path).only(
            "pk", "path", "lat", "lng", "name"
        )
    )
    if not streets or facility.lat is None or facility.lng is None:
        return facility.area
    lat, lng = facility.lat, facility.lng

    def distance(street: Area) -> float:
        if street.lat is None or street.lng is None:
            return math.inf
        return math.hypot(street.lat - lat, (street.lng - lng) * math.cos(math.radians(lat)))

    return min(streets, key=lambda s: (distance(s), s.path))


def seed_demo_checkpoints() -> str:
    """Create the bridges' checkpoints (once) and assign the checkpoint_staff login to one:
    a line to print, or "" when the city has no checkpoint facilities."""
    facilities = list(
        Facility.objects.filter(kind=Facility.Kind.CHECKPOINT).select_related("area").order_by("pk")
    )
    if not facilities:
        return ""
    made: list[Checkpoint] = []
    with transaction.atomic():
        for number, facility in enumerate(facilities, start=1):
            area = _nearest_street(facility)
            district_code = facility.area_path.strip("/").split("/")[-1]
            checkpoint, _created = Checkpoint.objects.get_or_create(
                code=f"CP-{number:02d}",
                defaults={
                    "name": facility.name,
                    "area": area,
                    "area_path": area.path,
                    "unit": Unit.objects.filter(code=f"D{district_code}").first(),
                },
            )
            made.append(checkpoint)
        assigned = _assign_staff(made)
    line = _("Checkpoints on the bridges: %(n)s.") % {"n": len(made)}
    if assigned is not None:
        line += " " + _("The checkpoint_staff login works at %(name)s.") % {"name": assigned.name}
    return line


def _assign_staff(checkpoints: list[Checkpoint]) -> Checkpoint | None:
    """Move the demo checkpoint_staff membership to the street of a checkpoint that is alone
    in its street (the first bridge's west end when it is), so that login sees one."""
    membership = Membership.objects.filter(
        role=Role.CHECKPOINT_STAFF, user__email__endswith="@demo.lifeline.invalid"
    ).first()
    if membership is None:
        return None
    per_street: dict[str, int] = {}
    for cp in checkpoints:
        per_street[cp.area_path] = per_street.get(cp.area_path, 0) + 1
    alone = [cp for cp in checkpoints if per_street[cp.area_path] == 1] or checkpoints
    west = [cp for cp in alone if cp.name.endswith("西岸卡口")]
    chosen = (west or alone)[0]
    membership.area_id, membership.unit_id = chosen.area_id, None
    membership.save(update_fields=["area", "unit"])
    return chosen
