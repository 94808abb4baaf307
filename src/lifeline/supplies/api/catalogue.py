"""Supplies API: the catalogue (items, their categories and units of measure, read by any
member) and the creation of items and warehouses (``SUPPLIES_CATALOGUE``; Idempotency-Key).

Views only translate: reads go through ``scoped`` (reference data: every member, nobody
else), writes through :mod:`lifeline.supplies.services.catalogue`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from django.db.models import QuerySet
from ninja import Field, Query, Router, Schema

from lifeline.accounts.scoping import scoped
from lifeline.api.auth import AuthedRequest
from lifeline.api.creates import IdempotencyKey, create_once
from lifeline.api.pagination import PageParams, page_of, paginate
from lifeline.api.schemas import ERRORS, SAFE, Id, InSchema, bounded
from lifeline.core.actors import Actor
from lifeline.core.personal import mask_phone
from lifeline.supplies.models import Item, ItemCategory, MeasureUnit, Warehouse, WarehouseKind
from lifeline.supplies.services import catalogue as services

router = Router(tags=["supplies"])

Page = Query[PageParams]
Code = Annotated[str, bounded(32, min_length=1), SAFE]


class ItemCategoryOut(Schema):
    code: str
    name: str
    name_en: str


class MeasureUnitOut(Schema):
    code: str
    name: str
    name_en: str
    dimension: str
    factor: Decimal = Field(description="How many of the dimension's base unit one is.")
    item: str | None = Field(None, description="The item this pack belongs to, if any.")


class QuantityUnitOut(Schema):
    code: str
    name: str
    name_en: str
    base_units: Decimal = Field(description="How many of the item's base unit one is.")


class ItemOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    category: ItemCategoryOut
    base_unit: QuantityUnitOut
    units: list[QuantityUnitOut] = Field(
        description="The units a quantity of this item may be given in, the base unit first."
    )
    tracks_expiry: bool
    tracks_lot: bool
    unit_value: Decimal | None
    active: bool


class ItemFilter(Schema):
    category: Annotated[str, bounded(24), SAFE] = ""
    active: bool | None = None


class ItemIn(InSchema):
    code: Code
    name: Annotated[str, bounded(100, min_length=1), SAFE]
    name_en: Annotated[str, bounded(100), SAFE] = ""
    category: Annotated[str, bounded(24, min_length=1), SAFE]
    base_unit: Annotated[str, bounded(24, min_length=1), SAFE]
    tracks_expiry: bool = False
    tracks_lot: bool = False
    unit_value: Decimal | None = Field(None, ge=0, lt=10**9, decimal_places=2)


class WarehouseIn(InSchema):
    code: Code
    name: Annotated[str, bounded(150, min_length=1), SAFE]
    kind: WarehouseKind
    unit: Id
    area: Id
    address: Annotated[str, bounded(255), SAFE] = ""
    contact_name: Annotated[str, bounded(50), SAFE] = ""
    contact_phone: Annotated[str, bounded(20), SAFE] = ""
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)


class CatalogueWarehouseOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    unit: int
    area: int
    area_path: str
    address: str
    contact_name: str
    contact_phone_masked: str
    lat: float | None
    lng: float | None
    active: bool


# Reads -----------------------------------------------------------------------------------


def _general_units() -> list[MeasureUnit]:
    return list(MeasureUnit.objects.filter(item__isnull=True))


def quantity_units(item: Item, general: list[MeasureUnit]) -> list[MeasureUnit]:
    """The units a quantity of ``item`` may be given in: its base unit, its own packs, and
    the general units of a measured dimension (斤 for kilograms). General counting units
    (bottle, box, bag) name other things, not other amounts, so only the base one is kept."""
    base = item.base_unit
    found = [base]
    for unit in general:
        if unit.pk != base.pk and unit.dimension == base.dimension and unit.dimension != "count":
            found.append(unit)
    found += [p for p in item.packs.all() if p.dimension == base.dimension]
    return found


def plain(number: Decimal) -> Decimal:
    """``number`` without trailing zeros and never in exponent form (20, not 2E+1)."""
    return Decimal(f"{number.normalize():f}")


def _quantity_unit(unit: MeasureUnit, base: MeasureUnit) -> dict[str, Any]:
    return {
        "code": unit.code,
        "name": unit.name,
        "name_en": unit.name_en,
        "base_units": plain(unit.factor / base.factor),
    }


def item_out(item: Item, general: list[MeasureUnit] | None = None) -> dict[str, Any]:
    units = quantity_units(item, _general_units() if general is None else general)
    return {
        "id": item.pk,
        "code": item.code,
        "name": item.name,
        "name_en": item.name_en,
        "category": {
            "code": item.category.code,
            "name": item.category.name,
            "name_en": item.category.name_en,
        },
        "base_unit": _quantity_unit(item.base_unit, item.base_unit),
        "units": [_quantity_unit(u, item.base_unit) for u in units],
        "tracks_expiry": item.tracks_expiry,
        "tracks_lot": item.tracks_lot,
        "unit_value": item.unit_value,
        "active": item.active,
    }


def item_list(*, actor: Actor, category: str = "", active: bool | None = None) -> QuerySet[Item]:
    qs = scoped(Item.objects.select_related("category", "base_unit"), actor)
    if category:
        qs = qs.filter(category__code=category)
    if active is not None:
        qs = qs.filter(active=active)
    return qs.prefetch_related("packs")


@router.get("/items", response={200: page_of(ItemOut), **ERRORS})
def items_list(request: AuthedRequest, filters: Query[ItemFilter], page: Page) -> Any:
    answer = paginate(
        item_list(actor=request.auth, category=filters.category, active=filters.active), page
    )
    general = _general_units()
    answer["items"] = [item_out(item, general) for item in answer["items"]]
    return answer


@router.get("/units", response={200: page_of(MeasureUnitOut), **ERRORS})
def units_list(request: AuthedRequest, page: Page) -> Any:
    qs = scoped(MeasureUnit.objects.select_related("item"), request.auth)
    answer = paginate(qs, page)
    answer["items"] = [
        {
            "code": u.code,
            "name": u.name,
            "name_en": u.name_en,
            "dimension": u.dimension,
            "factor": plain(u.factor),
            "item": u.item.code if u.item else None,
        }
        for u in answer["items"]
    ]
    return answer


@router.get("/categories", response={200: page_of(ItemCategoryOut), **ERRORS})
def categories_list(request: AuthedRequest, page: Page) -> Any:
    return paginate(scoped(ItemCategory.objects.all(), request.auth), page)


# Creates ---------------------------------------------------------------------------------


@router.post("/items", response={201: ItemOut, **ERRORS})
def items_create(request: AuthedRequest, payload: ItemIn, key: IdempotencyKey) -> Any:
    def make() -> dict[str, Any]:
        item = services.item_create(actor=request.auth, **payload.model_dump())
        return item_out(item)

    return create_once(request, key=key, payload=payload, make=make, out=ItemOut)


def warehouse_out(w: Warehouse) -> dict[str, Any]:
    return {
        "id": w.pk,
        "code": w.code,
        "name": w.name,
        "kind": w.kind,
        "unit": w.unit_id,
        "area": w.area_id,
        "area_path": w.area_path,
        "address": w.address,
        "contact_name": w.contact_name,
        "contact_phone_masked": mask_phone(w.contact_phone),
        "lat": w.lat,
        "lng": w.lng,
        "active": w.active,
    }


@router.post("/warehouses", response={201: CatalogueWarehouseOut, **ERRORS})
def warehouses_create(request: AuthedRequest, payload: WarehouseIn, key: IdempotencyKey) -> Any:
    def make() -> dict[str, Any]:
        data = payload.model_dump()
        data["kind"] = payload.kind.value
        return warehouse_out(services.warehouse_create(actor=request.auth, **data))

    return create_once(request, key=key, payload=payload, make=make, out=CatalogueWarehouseOut)
