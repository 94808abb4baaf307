"""Key-users reads, scoped to where the actor may see key users and outages (the
utility's unit or the membership's area; the command centre city-wide). Lists mask
contact phones, and the name and address of a person on home life support."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import scoped
from lifeline.core.actors import Actor
from lifeline.core.errors import NotFound
from lifeline.core.personal import mask_name, mask_phone
from lifeline.core.replica import reads_replica
from lifeline.keyusers.models import (
    SEE,
    BuildingSupply,
    Interruption,
    KeyUser,
    SupplyPoint,
)
from lifeline.registry import selectors as registry_selectors

MASKED_ADDRESS = "***"


def supply_point_list(*, actor: Actor, perm: Any = SEE) -> QuerySet[SupplyPoint]:
    return scoped(SupplyPoint.objects.select_related("utility", "area"), actor, perm)


def supply_point_get(*, actor: Actor, pk: int, perm: Any = SEE) -> SupplyPoint:
    found = supply_point_list(actor=actor, perm=perm).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def supply_point_buildings(*, point: SupplyPoint) -> list[Any]:
    """The buildings the supply point serves (names and addresses: reference data), read
    through the registry's public selector. The caller has read ``point`` in scope."""
    ids = BuildingSupply.objects.filter(supply_point=point).values_list("building_id", flat=True)
    return list(registry_selectors.buildings_public(area_path=point.area_path).filter(pk__in=ids))


def buildings_to_link(*, point: SupplyPoint, q: str = "", limit: int = 300) -> list[Any]:
    """Buildings of the supply point's area it does not serve yet (``q``: name or address),
    at most ``limit``."""
    linked = BuildingSupply.objects.filter(supply_point=point).values_list("building_id", flat=True)
    qs = registry_selectors.buildings_public(area_path=point.area_path).exclude(pk__in=linked)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(address__icontains=q))
    return list(qs[:limit])


@reads_replica
def keyuser_list(*, actor: Actor, q: str = "", kind: str = "") -> QuerySet[KeyUser]:
    qs = scoped(KeyUser.objects.filter(active=True).select_related("area"), actor)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(
            Q(name__icontains=q) | Q(supply_points__code__iexact=q) | Q(contact_name__icontains=q)
        ).distinct()
    return qs


def keyuser_get(*, actor: Actor, pk: int) -> KeyUser:
    found = scoped(KeyUser.objects.select_related("area", "facility", "unit"), actor)
    key_user = found.filter(pk=pk).first()
    if key_user is None:
        raise NotFound()
    return key_user


def keyuser_row(key_user: KeyUser) -> dict[str, Any]:
    """What a list shows of a key user: the contact's phone masked; for a person at home,
    the name and the address masked too."""
    private = key_user.is_private
    return {
        "id": key_user.pk,
        "name": mask_name(key_user.name) if private else key_user.name,
        "kind": key_user.kind,
        "kind_label": str(key_user.get_kind_display()),
        "address": MASKED_ADDRESS if private and key_user.address else key_user.address,
        "contact_name": mask_name(key_user.contact_name),
        "contact_phone": mask_phone(key_user.contact_phone),
        "response_minutes": key_user.response_minutes,
        "backup_source": key_user.backup_source,
        "special_plan": key_user.special_plan,
        "private": private,
    }


@reads_replica
def interruption_list(*, actor: Actor, status: str = "") -> QuerySet[Interruption]:
    qs = scoped(Interruption.objects.select_related("utility"), actor)
    return qs.filter(status=status) if status else qs


def interruption_get(*, actor: Actor, pk: int) -> Interruption:
    found = interruption_list(actor=actor).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


@dataclass
class Impact:
    """Who an interruption of some supply points affects: key users, and households with
    a need that depends on supply (rows from the registry, phones in full only to text
    them)."""

    key_users: list[KeyUser] = field(default_factory=list)
    households: list[dict[str, Any]] = field(default_factory=list)

    def phones(self) -> list[tuple[str, str, str]]:
        """(phone, object type, object id) once per phone: key users' contacts first."""
        seen: set[str] = set()
        out: list[tuple[str, str, str]] = []
        for key_user in self.key_users:
            if key_user.contact_phone and key_user.contact_phone not in seen:
                seen.add(key_user.contact_phone)
                out.append((key_user.contact_phone, "keyusers.keyuser", str(key_user.pk)))
        for row in self.households:
            if row["phone"] and row["phone"] not in seen:
                seen.add(row["phone"])
                out.append((row["phone"], "registry.household", str(row["household_id"])))
        return out


def impact_of(*, supply_point_ids: list[int]) -> Impact:
    """Every active key user on these supply points and every supply-dependent household
    in the buildings they serve. No actor: services and selectors that call it have checked
    the reader may see the interruption."""
    key_users = list(
        KeyUser.objects.filter(active=True, supply_points__in=supply_point_ids)
        .distinct()
        .order_by("area_path", "name", "pk")
    )
    buildings = sorted(
        set(
            BuildingSupply.objects.filter(supply_point_id__in=supply_point_ids).values_list(
                "building_id", flat=True
            )
        )
    )
    households = registry_selectors.supply_dependent_households(building_ids=buildings)
    return Impact(key_users=key_users, households=households)


def interruption_impact(*, actor: Actor, interruption: Interruption) -> Impact:
    """The impact of an interruption the actor may see (NotFound otherwise)."""
    interruption_get(actor=actor, pk=interruption.pk)
    ids = list(interruption.supply_points.values_list("pk", flat=True))
    return impact_of(supply_point_ids=ids)


def household_row(row: dict[str, Any]) -> dict[str, Any]:
    """A household of an impact as a list shows it: no full phone."""
    return {k: v for k, v in row.items() if k != "phone"}


def outage_points(*, actor: Actor) -> QuerySet[SupplyPoint]:
    """The supply points the actor may enter interruptions for."""
    return supply_point_list(actor=actor, perm=Perm.CONTINUITY_OUTAGES)
