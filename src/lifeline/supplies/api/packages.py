"""Supplies API: packages (mounted under /supplies). A community's packages with today's
live counts (list, create with Idempotency-Key), a building's pick list, and the building
head's delivered / not delivered. Views only translate: selectors read, services write."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Query, Router, Schema
from pydantic import Field

from lifeline.api.auth import AuthedRequest
from lifeline.api.creates import IdempotencyKey, create_once
from lifeline.api.pagination import PageParams, page_of, paginate
from lifeline.api.schemas import ERRORS, SAFE, Id, InSchema, bounded
from lifeline.core.errors import NotFound
from lifeline.registry.models import Area, Unit
from lifeline.supplies.models import PickList, SupplyPackage
from lifeline.supplies.selectors import packages as selectors
from lifeline.supplies.services import packages as services

router = Router(tags=["supplies"])


class PackageIn(InSchema):
    unit_id: Id
    area_id: Id
    name: Annotated[str, bounded(100, min_length=1), SAFE]
    contents: Annotated[str, bounded(500, min_length=1), SAFE]
    price: Decimal = Field(ge=0, lt=services.MAX_PRICE, decimal_places=2)
    daily_cap: int = Field(ge=1, le=services.MAX_CAP)
    per_household: int = Field(1, ge=1, le=services.MAX_PER_HOUSEHOLD)
    opens_at: dt.time = dt.time(7, 0)
    closes_at: dt.time = dt.time(14, 0)
    deliver_from: dt.time = dt.time(18, 0)


class PackageOut(Schema):
    id: int
    unit_id: int
    area_id: int
    area_path: str
    name: str
    contents: str
    price: Decimal
    daily_cap: int
    per_household: int
    opens_at: dt.time
    closes_at: dt.time
    deliver_from: dt.time
    active: bool
    ordered_today: int
    cap_today: int
    sold_out: bool


class PickListLineOut(Schema):
    id: int
    unit_no: str
    phone: str  # masked
    quantity: int
    status: str
    payment: str
    refusal: str
    confirmed: bool


class PickListOut(Schema):
    id: int
    area_path: str
    building: str
    package: str
    day: dt.date
    collected: int
    delivered: int
    refused: int
    waiting: int
    closed: bool
    lines: list[PickListLineOut]


class DeliverIn(InSchema):
    delivered: bool
    reason: Annotated[str, bounded(200), SAFE] = ""


class PaymentIn(InSchema):
    payment: Literal["paid", "unpaid", "waived"]


class OrderOut(Schema):
    id: int
    area_path: str
    status: str
    payment: str
    refusal: str
    pick_list_id: int
    pick_list_closed: bool


def _package_out(row: selectors.Live) -> dict[str, Any]:
    p = row.package
    return {
        **{f: getattr(p, f) for f in PackageOut.model_fields if hasattr(p, f)},
        "ordered_today": row.ordered,
        "cap_today": row.cap,
        "sold_out": row.sold_out,
    }


def _picklist_out(pick_list: PickList) -> dict[str, Any]:
    lines = selectors.picklist_lines(pick_list=pick_list)
    return {
        "id": pick_list.pk,
        "area_path": pick_list.area_path,
        "building": pick_list.building.name,
        "package": pick_list.day.package.name,
        "day": pick_list.day.day,
        "collected": pick_list.collected,  # type: ignore[attr-defined]
        "delivered": pick_list.delivered,  # type: ignore[attr-defined]
        "refused": pick_list.refused,  # type: ignore[attr-defined]
        "waiting": pick_list.waiting,  # type: ignore[attr-defined]
        "closed": pick_list.closed_at is not None,
        "lines": [
            {
                "id": line["order"].pk,
                "unit_no": line["unit_no"],
                "phone": line["phone"],
                "quantity": line["quantity"],
                "status": line["order"].status,
                "payment": line["order"].payment,
                "refusal": line["order"].refusal,
                "confirmed": line["order"].confirmed_at is not None,
            }
            for line in lines
        ],
    }


@router.get("/packages", response={200: page_of(PackageOut), **ERRORS})
def packages_list(request: AuthedRequest, page: Query[PageParams]) -> Any:
    """The caller's packages (where they may see supplies) with today's live counts."""
    answer = paginate(selectors.package_list(actor=request.auth), page)
    live = selectors.live_rows(packages=list(answer["items"]))
    answer["items"] = [_package_out(row) for row in live]
    return answer


@router.post("/packages", response={201: PackageOut, **ERRORS})
def packages_create(request: AuthedRequest, payload: PackageIn, key: IdempotencyKey) -> Any:
    """Publish a package for the households of ``area_id``, sold by ``unit_id``."""
    actor = request.auth

    def make() -> dict[str, Any]:
        area = Area.objects.filter(pk=payload.area_id).first()
        unit = Unit.objects.filter(pk=payload.unit_id).first()
        if area is None or unit is None:
            raise NotFound()
        values = payload.model_dump(exclude={"unit_id", "area_id"})
        package: SupplyPackage = services.package_create(
            actor=actor, unit=unit, area=area, **values
        )
        return _package_out(selectors.package_live(package=package))

    return create_once(request, key=key, payload=payload, make=make, out=PackageOut)


@router.get("/picklists/{int:picklist_id}", response={200: PickListOut, **ERRORS})
def picklists_detail(request: AuthedRequest, picklist_id: Id) -> Any:
    """A building's pick list of one package day: one line per order, phones masked."""
    return _picklist_out(selectors.picklist_get(actor=request.auth, pk=picklist_id))


@router.post("/package-orders/{int:order_id}/deliver", response={200: OrderOut, **ERRORS})
def package_orders_deliver(request: AuthedRequest, order_id: Id, payload: DeliverIn) -> Any:
    """The building head: delivered, or not delivered with a reason."""
    actor = request.auth
    order = selectors.order_get(actor=actor, pk=order_id)
    done = services.order_deliver(
        actor=actor, order=order, delivered=payload.delivered, reason=payload.reason
    )
    return _order_out(done)


@router.post("/package-orders/{int:order_id}/payment", response={200: OrderOut, **ERRORS})
def package_orders_payment(request: AuthedRequest, order_id: Id, payload: PaymentIn) -> Any:
    """Community staff or the building head record how an order was paid; nothing is
    charged."""
    actor = request.auth
    order = selectors.order_get(actor=actor, pk=order_id)
    return _order_out(services.order_payment_set(actor=actor, order=order, payment=payload.payment))


def _order_out(order: Any) -> dict[str, Any]:
    closed = PickList.objects.filter(pk=order.pick_list_id, closed_at__isnull=False).exists()
    return {
        "id": order.pk,
        "area_path": order.area_path,
        "status": order.status,
        "payment": order.payment,
        "refusal": order.refusal,
        "pick_list_id": order.pick_list_id,
        "pick_list_closed": closed,
    }
