"""The register: supply points, the buildings they serve, and key protected users with
their protection plans.

Invariants: a supply point or key user is written only where the actor holds
``CONTINUITY_KEY_USERS`` (the area, or the utility's unit for a supply point); a key user's
supply points are all visible to the actor; nothing is written on bad input; every write
is audited in its transaction (contact phones never in the audit record).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import require, scoped
from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict
from lifeline.core.personal import normalise_phone, phone_is_valid
from lifeline.keyusers.models import (
    BuildingSupply,
    KeyUser,
    KeyUserKind,
    PointKind,
    SupplyPoint,
    UtilityKind,
)
from lifeline.keyusers.services.common import invalid, text
from lifeline.registry.models import Area, Building, Facility, Household, Unit

PLAN_FIELDS = (
    "name",
    "kind",
    "address",
    "backup_source",
    "contact_name",
    "contact_phone",
    "response_minutes",
    "special_plan",
)


def supply_point_create(
    *,
    actor: Actor,
    utility: Unit,
    area: Area,
    code: str,
    name: str,
    kind: str = PointKind.FEEDER,
    utility_kind: str = UtilityKind.POWER,
) -> SupplyPoint:
    """A feeder, station or main of ``utility`` serving ``area``. Refused without
    ``CONTINUITY_KEY_USERS`` at the area or the utility; a code is unique."""
    require(actor, Perm.CONTINUITY_KEY_USERS, path=area.path, unit_id=utility.pk)
    fields: dict[str, list[str]] = {}
    clean_code = text(code, 32, "code", fields)
    clean_name = text(name, 100, "name", fields)
    if not clean_code:
        fields["code"] = [_("Give the supply point's code.")]
    if not clean_name:
        fields["name"] = [_("Give the supply point's name.")]
    if kind not in PointKind.values:
        fields["kind"] = [_("Unknown kind of supply point.")]
    if utility_kind not in UtilityKind.values:
        fields["utility_kind"] = [_("Unknown supply.")]
    if fields:
        raise invalid(fields)
    try:
        with transaction.atomic():
            point = SupplyPoint.objects.create(
                utility=utility,
                utility_kind=utility_kind,
                kind=kind,
                code=clean_code,
                name=clean_name,
                area=area,
                area_path=area.path,
                created_at=clock.now(),
            )
            audit_log(
                actor=actor,
                action="keyusers.supply_point_create",
                obj=point,
                area_path=area.path,
                fields=["code", "name", "kind"],
            )
    except IntegrityError:
        raise Conflict(
            _("A supply point with this code exists."),
            code="duplicate",
            fields={"code": [_("Already used.")]},
        ) from None
    return point


def building_supply_set(
    *, actor: Actor, supply_point: SupplyPoint, buildings: Iterable[Building]
) -> int:
    """Add ``buildings`` to those the supply point serves (kept ones stay); returns how
    many are new. Each building must lie in the supply point's area."""
    require(
        actor,
        Perm.CONTINUITY_KEY_USERS,
        path=supply_point.area_path,
        unit_id=supply_point.utility_id,
    )
    chosen = list(buildings)
    outside = [b for b in chosen if not b.area_path.startswith(supply_point.area_path)]
    if outside:
        raise invalid({"buildings": [_("A building lies outside the supply point's area.")]})
    with transaction.atomic():
        made = BuildingSupply.objects.bulk_create(
            [BuildingSupply(supply_point=supply_point, building=b) for b in chosen],
            ignore_conflicts=True,
        )
        audit_log(
            actor=actor,
            action="keyusers.building_supply_set",
            obj=supply_point,
            area_path=supply_point.area_path,
            purpose=f"{len(chosen)} buildings",
        )
    return len(made)


def building_supply_unset(
    *, actor: Actor, supply_point: SupplyPoint, building_ids: Iterable[int]
) -> int:
    """Remove buildings from those the supply point serves; returns how many were linked.
    Unknown ids are ignored (nothing to remove); audited with the count."""
    require(
        actor,
        Perm.CONTINUITY_KEY_USERS,
        path=supply_point.area_path,
        unit_id=supply_point.utility_id,
    )
    ids = point_ids(building_ids)
    if ids is None:
        raise invalid({"buildings": [_("Unknown building.")]})
    with transaction.atomic():
        removed, _kinds = BuildingSupply.objects.filter(
            supply_point=supply_point, building_id__in=ids
        ).delete()
        audit_log(
            actor=actor,
            action="keyusers.building_supply_unset",
            obj=supply_point,
            area_path=supply_point.area_path,
            purpose=f"{removed} buildings",
        )
    return removed


def point_ids(supply_points: Iterable[Any]) -> list[int] | None:
    """The ids of supply points given as objects or ids; None when one is not an id."""
    ids: set[int] = set()
    for point in supply_points:
        value = getattr(point, "pk", point)
        if isinstance(value, bool) or not isinstance(value, int | str):
            return None
        try:
            ids.add(int(value))
        except ValueError:
            return None
    return sorted(ids)


def _points(
    actor: Actor, supply_points: Iterable[Any], fields: dict[str, list[str]]
) -> list[SupplyPoint]:
    ids = point_ids(supply_points)
    if ids is None:
        fields["supply_points"] = [_("Unknown supply point.")]
        return []
    found = list(scoped(SupplyPoint.objects.filter(pk__in=ids), actor, Perm.CONTINUITY_KEY_USERS))
    if len(found) != len(ids):
        fields["supply_points"] = [_("Unknown supply point.")]
    elif not found:
        fields["supply_points"] = [_("Choose at least one supply point.")]
    return found


def _plan(values: dict[str, Any], fields: dict[str, list[str]]) -> dict[str, Any]:
    clean = {
        "name": text(values.get("name"), 150, "name", fields),
        "address": text(values.get("address"), 255, "address", fields),
        "backup_source": text(values.get("backup_source"), 200, "backup_source", fields),
        "contact_name": text(values.get("contact_name"), 50, "contact_name", fields),
        "special_plan": text(values.get("special_plan"), 4000, "special_plan", fields),
        "kind": values.get("kind"),
    }
    if not clean["name"]:
        fields["name"] = [_("Give the key user's name.")]
    if clean["kind"] not in KeyUserKind.values:
        fields["kind"] = [_("Unknown kind of key user.")]
    if not clean["contact_name"]:
        fields["contact_name"] = [_("Give the contact's name.")]
    phone = normalise_phone(str(values.get("contact_phone") or ""))
    if not phone_is_valid(phone):
        fields["contact_phone"] = [_("Not a phone number.")]
    clean["contact_phone"] = phone
    try:
        minutes = int(values.get("response_minutes"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        minutes = -1
    if not 1 <= minutes <= 24 * 60:
        fields["response_minutes"] = [_("Between 1 and 1440 minutes.")]
    clean["response_minutes"] = minutes
    return clean


def keyuser_register(
    *,
    actor: Actor,
    area: Area,
    supply_points: Iterable[Any],
    name: str,
    kind: str,
    contact_name: str,
    contact_phone: str,
    response_minutes: Any = 30,
    backup_source: str = "",
    special_plan: str = "",
    address: str = "",
    facility: Facility | None = None,
    unit: Unit | None = None,
    household: Household | None = None,
) -> KeyUser:
    """Register a key user in ``area`` on ``supply_points`` (objects or ids) with its plan.
    Refused, writing nothing, on bad values (each field named) or an unknown supply point."""
    require(actor, Perm.CONTINUITY_KEY_USERS, path=area.path)
    fields: dict[str, list[str]] = {}
    values = _plan(
        {
            "name": name,
            "kind": kind,
            "contact_name": contact_name,
            "contact_phone": contact_phone,
            "response_minutes": response_minutes,
            "backup_source": backup_source,
            "special_plan": special_plan,
            "address": address,
        },
        fields,
    )
    points = _points(actor, supply_points, fields)
    if household is not None and not household.area_path.startswith(area.path):
        fields["household"] = [_("The household lies outside the area.")]
    if fields:
        raise invalid(fields)
    now = clock.now()
    with transaction.atomic():
        key_user = KeyUser.objects.create(
            area=area,
            area_path=area.path,
            facility=facility,
            unit=unit,
            household=household,
            created_at=now,
            updated_at=now,
            **values,
        )
        key_user.supply_points.set(points)
        audit_log(
            actor=actor,
            action="keyusers.keyuser_register",
            obj=key_user,
            area_path=key_user.area_path,
            fields=[*PLAN_FIELDS, "supply_points"],
        )
    return key_user


def keyuser_update(
    *,
    actor: Actor,
    key_user: KeyUser,
    supply_points: Iterable[Any] | None = None,
    **changes: Any,
) -> KeyUser:
    """Change a key user's plan fields (``PLAN_FIELDS``) and, when given, its supply
    points. Audited with the names of the fields changed."""
    require(actor, Perm.CONTINUITY_KEY_USERS, path=key_user.area_path)
    unknown = set(changes) - set(PLAN_FIELDS)
    fields: dict[str, list[str]] = {}
    if unknown:
        fields[sorted(unknown)[0]] = [_("This field cannot be changed here.")]
    merged = {name: getattr(key_user, name) for name in PLAN_FIELDS} | changes
    values = _plan(merged, fields)
    points = _points(actor, supply_points, fields) if supply_points is not None else None
    if fields:
        raise invalid(fields)
    changed = [name for name in PLAN_FIELDS if getattr(key_user, name) != values[name]]
    with transaction.atomic():
        for name in changed:
            setattr(key_user, name, values[name])
        key_user.updated_at = clock.now()
        key_user.save()
        if points is not None:
            key_user.supply_points.set(points)
            changed.append("supply_points")
        audit_log(
            actor=actor,
            action="keyusers.keyuser_update",
            obj=key_user,
            area_path=key_user.area_path,
            fields=changed,
        )
    return key_user
