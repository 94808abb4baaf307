"""Reference data of supplies: items of the catalogue and warehouses.

``item_create`` needs ``SUPPLIES_CATALOGUE`` somewhere (the catalogue is one for the city);
``warehouse_create`` needs it at the warehouse's area. ``warehouse_save`` is the admin's
write (Django's model permissions decided who may use it): it keeps ``area_path`` the
area's and refuses to move a warehouse that already holds lots, whose copied place and
unit would no longer match. Every write is audited in its transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can_anywhere, require
from lifeline.core.actors import Actor
from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from lifeline.core.safetext import has_unsafe
from lifeline.registry.models import Area, Unit
from lifeline.supplies.models import Item, ItemCategory, Lot, MeasureUnit, Warehouse, WarehouseKind

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
PHONE = re.compile(r"^\+?[0-9][0-9 -]{2,19}$")
MAX_VALUE = Decimal("1000000000")


def _text(
    fields: dict[str, list[str]], name: str, value: Any, *, limit: int, required: bool = False
) -> str:
    text = str(value or "").strip()
    if required and not text:
        fields[name] = [_("This field is required.")]
    elif len(text) > limit:
        fields[name] = [_("At most %(limit)d characters.") % {"limit": limit}]
    elif has_unsafe(text):
        fields[name] = [_("Control characters are not allowed.")]
    return text


def _code(fields: dict[str, list[str]], value: Any, *, limit: int) -> str:
    code = _text(fields, "code", value, limit=limit, required=True)
    if "code" not in fields and not CODE.match(code):
        fields["code"] = [_("Use letters, digits, dots, dashes and underscores only.")]
    return code


def _refuse(fields: dict[str, list[str]]) -> None:
    if fields:
        raise ServiceError(_("Please correct the marked fields."), fields=fields)


def _coordinate(fields: dict[str, list[str]], name: str, value: Any, bound: float) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        fields[name] = [_("Enter a number.")]
        return None
    if not -bound <= number <= bound:
        fields[name] = [_("Out of range.")]
        return None
    return number


def _pk(value: Any) -> Any:
    return value.pk if hasattr(value, "pk") else value


# Warehouses ------------------------------------------------------------------------------


def warehouse_create(
    *,
    actor: Actor,
    code: str,
    name: str,
    kind: str,
    unit: Unit | int,
    area: Area | int,
    address: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    lat: float | None = None,
    lng: float | None = None,
) -> Warehouse:
    """A warehouse or stock point of ``unit`` at ``area``; ``SUPPLIES_CATALOGUE`` must hold
    at the area. Refused with field messages (nothing written) on bad input or a code in use."""
    place = Area.objects.filter(pk=_pk(area)).first()
    if place is None:
        raise NotFound(_("No such area."))
    require(
        actor,
        Perm.SUPPLIES_CATALOGUE,
        path=place.path,
        message=_("You may not set up warehouses in this area."),
    )
    owner = Unit.objects.filter(pk=_pk(unit)).first()
    fields: dict[str, list[str]] = {}
    if owner is None:
        fields["unit"] = [_("No such unit.")]
    code = _code(fields, code, limit=32)
    name = _text(fields, "name", name, limit=150, required=True)
    if kind not in WarehouseKind.values:
        fields["kind"] = [_("Choose a kind of warehouse.")]
    address = _text(fields, "address", address, limit=255)
    contact_name = _text(fields, "contact_name", contact_name, limit=50)
    contact_phone = _text(fields, "contact_phone", contact_phone, limit=20)
    if contact_phone and "contact_phone" not in fields and not PHONE.match(contact_phone):
        fields["contact_phone"] = [_("Enter a phone number.")]
    latitude = _coordinate(fields, "lat", lat, 90)
    longitude = _coordinate(fields, "lng", lng, 180)
    _refuse(fields)
    assert owner is not None  # refused above otherwise
    with transaction.atomic():
        if Warehouse.objects.filter(code=code).exists():
            raise Conflict(
                _("That code is already used by another warehouse."),
                code="conflict",
                fields={"code": [_("Already in use.")]},
            )
        warehouse = Warehouse.objects.create(
            code=code,
            name=name,
            kind=kind,
            unit=owner,
            area=place,
            area_path=place.path,
            address=address,
            contact_name=contact_name,
            contact_phone=contact_phone,
            lat=latitude,
            lng=longitude,
        )
        audit_log(
            actor=actor,
            action="supplies.warehouse_create",
            obj=warehouse,
            area_path=warehouse.area_path,
            fields=["code", "name", "kind", "unit", "area"],
        )
    return warehouse


def warehouse_moves_with_stock(warehouse: Warehouse) -> bool:
    """True when a saved warehouse's area or unit is being changed while it has lots (the
    lots and ledger keep the old place and unit)."""
    if not warehouse.pk:
        return False
    before = Warehouse.objects.filter(pk=warehouse.pk).values("area_id", "unit_id").first()
    if before is None:
        return False
    moved = (before["area_id"], before["unit_id"]) != (warehouse.area_id, warehouse.unit_id)
    return moved and Lot.objects.filter(warehouse_id=warehouse.pk).exists()


def warehouse_save(
    *, actor: Actor, warehouse: Warehouse, fields: Iterable[str] = (), purpose: str = "admin"
) -> Warehouse:
    """Save a warehouse edited in the admin: its ``area_path`` follows its area, and a move
    of a warehouse holding lots is refused. Audited as ``supplies.warehouse_create`` or
    ``supplies.warehouse_change`` naming the fields changed (never their values)."""
    if not warehouse.area_id:
        raise ServiceError(_("Choose the warehouse's area."), fields={"area": [_("Required.")]})
    if warehouse_moves_with_stock(warehouse):
        raise ServiceError(
            _("This warehouse holds stock: its area and unit cannot change."),
            fields={"area": [_("The warehouse holds stock.")]},
        )
    created = not warehouse.pk
    with transaction.atomic():
        warehouse.area_path = Area.objects.values_list("path", flat=True).get(pk=warehouse.area_id)
        warehouse.save()
        audit_log(
            actor=actor,
            action="supplies.warehouse_create" if created else "supplies.warehouse_change",
            obj=warehouse,
            area_path=warehouse.area_path,
            purpose=purpose,
            fields=sorted(set(fields)),
        )
    return warehouse


# Items -----------------------------------------------------------------------------------


def item_create(
    *,
    actor: Actor,
    code: str,
    name: str,
    category: ItemCategory | str,
    base_unit: MeasureUnit | str,
    name_en: str = "",
    tracks_expiry: bool = False,
    tracks_lot: bool = False,
    unit_value: Decimal | str | None = None,
) -> Item:
    """A new item of the catalogue (``category`` and ``base_unit`` by code or instance);
    ``SUPPLIES_CATALOGUE`` must hold somewhere. The base unit must be a general unit (not
    another item's pack)."""
    if not can_anywhere(actor, Perm.SUPPLIES_CATALOGUE):
        raise PermissionDenied(_("You may not change the item catalogue."))
    fields: dict[str, list[str]] = {}
    code = _code(fields, code, limit=32)
    name = _text(fields, "name", name, limit=100, required=True)
    name_en = _text(fields, "name_en", name_en, limit=100)
    group = (
        category
        if isinstance(category, ItemCategory)
        else ItemCategory.objects.filter(code=str(category or "")).first()
    )
    if group is None:
        fields["category"] = [_("No such category.")]
    unit = (
        base_unit
        if isinstance(base_unit, MeasureUnit)
        else MeasureUnit.objects.filter(code=str(base_unit or "")).first()
    )
    if unit is None or unit.item_id is not None:
        fields["base_unit"] = [_("Choose a general unit of measure.")]
    value = _money(fields, unit_value)
    _refuse(fields)
    assert group is not None and unit is not None  # refused above otherwise
    with transaction.atomic():
        if Item.objects.filter(code=code).exists():
            raise Conflict(
                _("That code is already used by another item."),
                code="conflict",
                fields={"code": [_("Already in use.")]},
            )
        item = Item.objects.create(
            code=code,
            name=name,
            name_en=name_en,
            category=group,
            base_unit=unit,
            tracks_expiry=bool(tracks_expiry),
            tracks_lot=bool(tracks_lot),
            unit_value=value,
        )
        audit_log(
            actor=actor,
            action="supplies.item_create",
            obj=item,
            fields=["code", "name", "category", "base_unit"],
        )
    return item


def _money(fields: dict[str, list[str]], value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        fields["unit_value"] = [_("Enter a number.")]
        return None
    if not number.is_finite() or number < 0 or number >= MAX_VALUE:
        fields["unit_value"] = [_("Enter an amount of at least zero.")]
        return None
    if number != number.quantize(Decimal("0.01")):
        fields["unit_value"] = [_("Use at most two decimal places.")]
        return None
    return number
