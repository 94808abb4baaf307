"""Supplies API: donors, pledges (created with their lines), receipts against a pledge,
money donations, and a donor's trace. Views only translate: selectors read, services
write and refuse."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from lifeline.api.auth import AuthedRequest
from lifeline.api.creates import IdempotencyKey, create_once
from lifeline.api.pagination import PageParams, page_of, paginate
from lifeline.api.schemas import ERRORS, SAFE, Id, InSchema, bounded
from lifeline.core.errors import NotFound, ServiceError
from lifeline.registry.models import Unit
from lifeline.supplies.models import Item, Warehouse
from lifeline.supplies.selectors import trace as selectors
from lifeline.supplies.services import donations as services

router = Router(tags=["supplies"])

Text = Annotated[str, bounded(300), SAFE]
Code = Annotated[str, bounded(32), SAFE]
Number = Annotated[str, bounded(20, min_length=1), SAFE]


class DonorIn(InSchema):
    unit_id: Id
    kind: Annotated[str, bounded(16, min_length=1), SAFE]
    name: Annotated[str, bounded(150, min_length=1), SAFE]
    contact_name: Annotated[str, bounded(50), SAFE] = ""
    contact_phone: Annotated[str, bounded(20), SAFE] = ""


class DonorOut(Schema):
    id: int
    kind: str
    name: str
    contact_name: str
    unit_id: int
    unit: str
    created_at: dt.datetime


def donor_out(d: Any) -> dict[str, Any]:
    return {
        "id": d.pk,
        "kind": d.kind,
        "name": d.name,
        "contact_name": d.contact_name,
        "unit_id": d.unit_id,
        "unit": d.unit.name,
        "created_at": d.created_at,
    }


class PledgeLineIn(InSchema):
    item: Code
    quantity: Number
    unit: Code = ""
    value: Annotated[str, bounded(20), SAFE] = ""


class PledgeIn(InSchema):
    donor_id: Id
    warehouse_id: Id
    channel_id: Id | None = None
    value: Annotated[str, bounded(20), SAFE] = ""
    note: Text = ""
    lines: list[PledgeLineIn] = Field(min_length=1, max_length=services.MAX_LINES)


class PledgeLineOut(Schema):
    id: int
    item: str
    item_name: str
    unit: str
    quantity: Decimal
    value: Decimal | None
    received: Decimal
    damaged: Decimal
    discrepancy: str


class PledgeOut(Schema):
    id: int
    donor_id: int
    donor: str
    unit_id: int
    warehouse_id: int
    warehouse: str
    channel: str | None
    status: str
    value: Decimal | None
    note: str
    created_at: dt.datetime
    thanked_at: dt.datetime | None
    lines: list[PledgeLineOut]


def pledge_out(p: Any) -> dict[str, Any]:
    return {
        "id": p.pk,
        "donor_id": p.donor_id,
        "donor": p.donor.name,
        "unit_id": p.unit_id,
        "warehouse_id": p.warehouse_id,
        "warehouse": p.warehouse.name,
        "channel": p.channel.name if p.channel else None,
        "status": p.status,
        "value": p.value,
        "note": p.note,
        "created_at": p.created_at,
        "thanked_at": p.thanked_at,
        "lines": [
            {
                "id": line.pk,
                "item": line.item.code,
                "item_name": line.item.local_name,
                "unit": line.item.base_unit.code,
                "quantity": line.quantity,
                "value": line.value,
                "received": line.received,
                "damaged": line.damaged,
                "discrepancy": line.discrepancy,
            }
            for line in p.lines.select_related("item__base_unit")
        ],
    }


class ReceiveLineIn(InSchema):
    line_id: Id
    received: Annotated[str, bounded(20), SAFE] = "0"
    damaged: Annotated[str, bounded(20), SAFE] = "0"
    lot_no: Annotated[str, bounded(40), SAFE] = ""
    expires_on: dt.date | None = None
    reason: Annotated[str, bounded(200), SAFE] = ""


class PledgeReceiveIn(InSchema):
    lines: list[ReceiveLineIn] = Field(min_length=1, max_length=services.MAX_LINES)


class MoneyIn(InSchema):
    donor_id: Id
    amount: Number
    received_on: dt.date
    channel_id: Id | None = None
    use: Text = ""


class MoneyUseIn(InSchema):
    use: Annotated[str, bounded(300, min_length=1), SAFE]


class MoneyOut(Schema):
    id: int
    donor_id: int
    donor: str
    unit_id: int
    channel: str | None
    amount: Decimal
    received_on: dt.date
    use: str
    created_at: dt.datetime


def money_out(m: Any) -> dict[str, Any]:
    return {
        "id": m.pk,
        "donor_id": m.donor_id,
        "donor": m.donor.name,
        "unit_id": m.unit_id,
        "channel": m.channel.name if m.channel else None,
        "amount": m.amount,
        "received_on": m.received_on,
        "use": m.use,
        "created_at": m.created_at,
    }


class DestinationOut(Schema):
    waybill_no: str
    status: str
    to: str
    street: str
    community: str
    building: str
    for_whom: str | None
    for_label: str
    quantity: Decimal
    received: Decimal | None
    received_by: str
    delivered_at: dt.datetime | None
    from_warehouse: str


class HoldingOut(Schema):
    warehouse: str
    lot_no: str
    expires_on: dt.date | None
    on_hand: Decimal


class LineTraceOut(Schema):
    line_id: int
    item: str
    item_name: str
    unit: str
    pledged: Decimal
    received: Decimal
    damaged: Decimal
    shipped: Decimal
    issued_otherwise: Decimal
    adjusted: Decimal
    in_stock: Decimal
    moved_out: Decimal
    remainder: Decimal
    destinations: list[DestinationOut]
    in_stock_at: list[HoldingOut]


class PledgeTraceOut(Schema):
    pledge_id: int
    status: str
    warehouse: str
    lines: list[LineTraceOut]


class DonorTraceOut(Schema):
    donor_id: int
    donor: str
    balanced: bool
    pledges: list[PledgeTraceOut]


def _line_trace(t: selectors.LineTrace) -> dict[str, Any]:
    item = t.line.item
    return {
        "line_id": t.line.pk,
        "item": item.code,
        "item_name": item.local_name,
        "unit": item.base_unit.code,
        "pledged": t.pledged,
        "received": t.received,
        "damaged": t.damaged,
        "shipped": t.shipped,
        "issued_otherwise": t.issued_otherwise,
        "adjusted": t.adjusted,
        "in_stock": t.in_stock,
        "moved_out": t.moved_out,
        "remainder": t.remainder,
        "destinations": [
            {
                "waybill_no": d.shipment.waybill_no,
                "status": d.shipment.status,
                "to": d.shipment.to_label,
                "street": d.street,
                "community": d.community,
                "building": d.building,
                "for_whom": d.need.for_whom if d.need else None,
                "for_label": d.need.for_label if d.need else "",
                "quantity": d.line.quantity,
                "received": d.line.received,
                "received_by": d.shipment.received_by,
                "delivered_at": d.shipment.delivered_at,
                "from_warehouse": d.warehouse.name,
            }
            for d in t.destinations
        ],
        "in_stock_at": [
            {
                "warehouse": h.warehouse.name,
                "lot_no": h.lot.lot_no,
                "expires_on": h.lot.expires_on,
                "on_hand": h.lot.on_hand,
            }
            for h in t.holdings
        ],
    }


def trace_out(trace: selectors.DonorTrace) -> dict[str, Any]:
    return {
        "donor_id": trace.donor.pk,
        "donor": trace.donor.name,
        "balanced": trace.balanced,
        "pledges": [
            {
                "pledge_id": p.pledge.pk,
                "status": p.pledge.status,
                "warehouse": p.pledge.warehouse.name,
                "lines": [_line_trace(t) for t in p.lines],
            }
            for p in trace.pledges
        ],
    }


def _refused(field: str, message: str) -> ServiceError:
    return ServiceError(message, fields={field: [message]})


def _unit(actor: Any, pk: int) -> Unit:
    unit = Unit.objects.filter(pk=pk).first()
    if unit is None:
        raise NotFound()
    services.require_donations(actor, unit.pk)
    return unit


def _channel(pk: int | None) -> Unit | None:
    if pk is None:
        return None
    unit = Unit.objects.filter(pk=pk).first()
    if unit is None:
        raise _refused("channel_id", _("Unknown channel."))
    return unit


def _warehouse(pk: int) -> Warehouse:
    """Any warehouse may be named (where goods are kept is no secret): the service refuses
    the ones donations may not be delivered to, pointing to the logistics group."""
    found = Warehouse.objects.filter(pk=pk).first()
    if found is None:
        raise _refused("warehouse_id", _("Unknown warehouse."))
    return found


def _items(codes: list[str]) -> dict[str, Item]:
    found = {i.code: i for i in Item.objects.filter(code__in=codes).select_related("base_unit")}
    missing = [c for c in codes if c not in found]
    if missing:
        raise _refused("lines", _("Unknown item: %(code)s.") % {"code": ", ".join(missing)})
    return found


@router.get("/donors", response={200: page_of(DonorOut), **ERRORS})
def donor_list(request: AuthedRequest, page: Query[PageParams]) -> Any:
    result = paginate(selectors.donor_list(request.auth), page)
    return {**result, "items": [donor_out(d) for d in result["items"]]}


@router.post("/donors", response={201: DonorOut, **ERRORS})
def donor_create(request: AuthedRequest, payload: DonorIn, key: IdempotencyKey) -> Any:
    actor = request.auth

    def make() -> dict[str, Any]:
        donor = services.donor_create(
            actor=actor,
            unit=_unit(actor, payload.unit_id),
            kind=payload.kind,
            name=payload.name,
            contact_name=payload.contact_name,
            contact_phone=payload.contact_phone,
        )
        return donor_out(donor)

    return create_once(request, key=key, payload=payload, make=make, out=DonorOut)


@router.get("/donors/{donor_id}", response={200: DonorOut, **ERRORS})
def donor_get(request: AuthedRequest, donor_id: Id) -> Any:
    return donor_out(selectors.donor_get(request.auth, donor_id))


@router.get("/donors/{donor_id}/trace", response={200: DonorTraceOut, **ERRORS})
def donor_trace(request: AuthedRequest, donor_id: Id) -> Any:
    donor = selectors.donor_get(request.auth, donor_id)
    return trace_out(selectors.donor_trace(request.auth, donor))


@router.get("/pledges", response={200: page_of(PledgeOut), **ERRORS})
def pledge_list(request: AuthedRequest, page: Query[PageParams]) -> Any:
    result = paginate(selectors.pledge_list(request.auth), page)
    return {**result, "items": [pledge_out(p) for p in result["items"]]}


@router.post("/pledges", response={201: PledgeOut, **ERRORS})
def pledge_create(request: AuthedRequest, payload: PledgeIn, key: IdempotencyKey) -> Any:
    actor = request.auth

    def make() -> dict[str, Any]:
        donor = selectors.donor_get(actor, payload.donor_id)
        services.require_donations(actor, donor.unit_id)
        items = _items([line.item for line in payload.lines])
        pledge = services.pledge_create(
            actor=actor,
            donor=donor,
            warehouse=_warehouse(payload.warehouse_id),
            lines=[
                (items[line.item], line.quantity, line.unit or None, line.value)
                for line in payload.lines
            ],
            channel=_channel(payload.channel_id),
            value=payload.value,
            note=payload.note,
        )
        return pledge_out(pledge)

    return create_once(request, key=key, payload=payload, make=make, out=PledgeOut)


@router.get("/pledges/{pledge_id}", response={200: PledgeOut, **ERRORS})
def pledge_get(request: AuthedRequest, pledge_id: Id) -> Any:
    return pledge_out(selectors.pledge_get(request.auth, pledge_id))


@router.post("/pledges/{pledge_id}/receive", response={200: PledgeOut, **ERRORS})
def pledge_receive(request: AuthedRequest, pledge_id: Id, payload: PledgeReceiveIn) -> Any:
    pledge = selectors.pledge_get(request.auth, pledge_id)
    received = services.pledge_receive(
        actor=request.auth,
        pledge=pledge,
        lines=[line.model_dump() for line in payload.lines],
    )
    return pledge_out(received)


@router.post("/money", response={201: MoneyOut, **ERRORS})
def money_record(request: AuthedRequest, payload: MoneyIn, key: IdempotencyKey) -> Any:
    actor = request.auth

    def make() -> dict[str, Any]:
        donor = selectors.donor_get(actor, payload.donor_id)
        money = services.money_record(
            actor=actor,
            donor=donor,
            amount=payload.amount,
            received_on=payload.received_on,
            channel=_channel(payload.channel_id),
            use=payload.use,
        )
        return money_out(money)

    return create_once(request, key=key, payload=payload, make=make, out=MoneyOut)


@router.post("/money/{money_id}/use", response={200: MoneyOut, **ERRORS})
def money_use_set(request: AuthedRequest, money_id: Id, payload: MoneyUseIn) -> Any:
    money = selectors.money_get(request.auth, money_id)
    return money_out(services.money_use_set(actor=request.auth, money=money, use=payload.use))
