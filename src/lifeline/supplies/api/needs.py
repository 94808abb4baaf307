"""Supplies API: needs (raise, list, read, cancel), recurring needs with their days of
cover, and allocation runs (propose, read by need with "short by", edit a line, approve,
discard). Creates take an ``Idempotency-Key``. Contact phones are masked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.db.models import Q
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import scoped
from lifeline.api.auth import AuthedRequest
from lifeline.api.creates import IdempotencyKey, create_once
from lifeline.api.pagination import PageParams, page_of, paginate
from lifeline.api.schemas import ERRORS, SAFE, Id, InSchema, bounded
from lifeline.core.errors import NotFound, ServiceError
from lifeline.core.personal import mask_phone
from lifeline.registry.models import Building, Household, Unit
from lifeline.registry.tree import area_get
from lifeline.supplies.models import Allocation, AllocationRun, Item, Need, RecurringNeed
from lifeline.supplies.selectors import needs as selectors
from lifeline.supplies.services import allocation as allocations
from lifeline.supplies.services import needs as services

router = Router(tags=["supplies"])

Text50 = Annotated[str, bounded(50), SAFE]
Text150 = Annotated[str, bounded(150), SAFE]
Code = Annotated[str, bounded(32), SAFE]
Amount = Annotated[str, bounded(20), SAFE]


class NeedIn(InSchema):
    area_id: Id
    item: Code
    quantity: Amount
    unit_code: Code = ""
    needed_by: dt.date
    priority: int = Field(3, ge=1, le=3)
    for_whom: Code
    for_label: Text150 = ""
    contact_name: Text50
    contact_phone: Annotated[str, bounded(30), SAFE]
    household_id: Id | None = None
    building_id: Id | None = None
    vulnerable: bool = False
    work_order_id: Id | None = None
    note: Annotated[str, bounded(300), SAFE] = ""


class NeedOut(Schema):
    id: int
    area_id: int
    area_path: str
    item: str
    item_name: str
    unit: str
    quantity: Decimal
    allocated: Decimal
    delivered: Decimal
    lacking: Decimal
    needed_by: dt.date
    priority: int
    vulnerable: bool
    for_whom: str
    for_label: str
    contact_name: str
    contact_phone: str
    status: str
    work_order_id: int | None
    recurring_id: int | None


class NeedFilter(Schema):
    status: Annotated[str, bounded(12)] = ""
    open_only: bool = False
    item: Annotated[str, bounded(32)] = ""
    area_id: Id | None = None
    priority: int | None = Field(None, ge=1, le=3)


class NeedCancelIn(InSchema):
    reason: Annotated[str, bounded(200), SAFE] = ""


class RecurringIn(InSchema):
    area_id: Id
    label: Text150
    item: Code
    per_day: Amount
    unit_code: Code = ""
    people: int | None = Field(None, ge=1, le=1_000_000)
    warehouse_id: Id | None = None
    alert_below_days: Decimal = Field(Decimal(2), gt=0, le=365)
    priority: int = Field(2, ge=1, le=3)
    for_whom: Code = "canteen"
    contact_name: Text50
    contact_phone: Annotated[str, bounded(30), SAFE]


class RecurringOut(Schema):
    id: int
    area_path: str
    label: str
    people: int | None
    item: str
    unit: str
    per_day: Decimal
    warehouse_id: int | None
    stock: Decimal | None
    days_of_cover: Decimal | None
    alert_below_days: Decimal
    low: bool
    alerted_at: dt.datetime | None
    contact_name: str
    contact_phone: str


class ProposeIn(InSchema):
    unit_id: Id
    area_id: Id | None = None
    items: list[Code] | None = Field(None, max_length=500)


class RunOut(Schema):
    id: int
    unit_id: int
    area_path: str
    status: str
    solver: dict[str, Any]
    created_at: dt.datetime


class LineOut(Schema):
    id: int
    lot_id: int
    warehouse: str
    quantity: Decimal
    proposed: Decimal
    waybill_no: str | None


class NeedProposalOut(Schema):
    need: NeedOut
    lines: list[LineOut]
    proposed: Decimal
    short_by: Decimal


class RunDetailOut(RunOut):
    needs: list[NeedProposalOut]


class EditIn(InSchema):
    quantity: Amount


def need_out(need: Need) -> dict[str, Any]:
    return {
        "id": need.pk,
        "area_id": need.area_id,
        "area_path": need.area_path,
        "item": need.item.code,
        "item_name": need.item.local_name,
        "unit": need.item.base_unit.code,
        "quantity": need.quantity,
        "allocated": need.allocated,
        "delivered": need.delivered,
        "lacking": max(need.quantity - need.allocated, Decimal(0)),
        "needed_by": need.needed_by,
        "priority": need.priority,
        "vulnerable": need.vulnerable,
        "for_whom": need.for_whom,
        "for_label": need.for_label,
        "contact_name": need.contact_name,
        "contact_phone": mask_phone(need.contact_phone),
        "status": need.status,
        "work_order_id": need.work_order_id,
        "recurring_id": need.recurring_id,
    }


def run_out(run: AllocationRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "unit_id": run.unit_id,
        "area_path": run.area_path,
        "status": run.status,
        "solver": run.solver,
        "created_at": run.created_at,
    }


def _item(code: str) -> Item:
    found = Item.objects.select_related("base_unit").filter(code=code, active=True).first()
    if found is None:
        message = _("Choose an item from the catalogue.")
        raise ServiceError(message, fields={"item": [message]})
    return found


def _in_scope(model: Any, pk: int | None, actor: Any) -> Any:
    if pk is None:
        return None
    found = scoped(model.objects.all(), actor, Perm.SUPPLIES_NEED).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


# Needs -------------------------------------------------------------------------------


@router.get("/needs", response={200: page_of(NeedOut), **ERRORS})
def needs_list(request: AuthedRequest, filters: Query[NeedFilter], page: Query[PageParams]) -> Any:
    actor = request.auth
    path = area_get(actor=actor, pk=filters.area_id).path if filters.area_id else ""
    qs = selectors.need_list(
        actor=actor,
        status=filters.status,
        open_only=filters.open_only,
        area_path=path,
        priority=filters.priority,
    )
    if filters.item:
        qs = qs.filter(item__code=filters.item)
    answer = paginate(qs, page)
    answer["items"] = [need_out(n) for n in answer["items"]]
    return answer


@router.post("/needs", response={201: NeedOut, **ERRORS})
def needs_create(request: AuthedRequest, payload: NeedIn, key: IdempotencyKey) -> Any:
    """Raise a need at an area (``SUPPLIES_NEED`` there); the quantity in any unit fitting
    the item (``unit_code``: jin, box of 20 ...), kept in its base unit."""
    actor = request.auth

    def make() -> dict[str, Any]:
        area = area_get(actor=actor, pk=payload.area_id)
        need = services.need_create(
            actor=actor,
            area=area,
            item=_item(payload.item),
            quantity=payload.quantity,
            unit_code=payload.unit_code,
            needed_by=payload.needed_by,
            priority=payload.priority,
            for_whom=payload.for_whom,
            for_label=payload.for_label,
            contact_name=payload.contact_name,
            contact_phone=payload.contact_phone,
            household=_in_scope(Household, payload.household_id, actor),
            building=_in_scope(Building, payload.building_id, actor),
            vulnerable=payload.vulnerable,
            work_order_id=payload.work_order_id,
            note=payload.note,
        )
        return need_out(need)

    return create_once(request, key=key, payload=payload, make=make, out=NeedOut)


@router.get("/needs/recurring", response={200: list[RecurringOut], **ERRORS})
def recurring_list(request: AuthedRequest) -> Any:
    """Each recurring need with its stock, days of cover and whether it is below its
    alert threshold."""
    return [_recurring_out(c.recurring, c) for c in selectors.recurring_cover(actor=request.auth)]


def _recurring_out(r: RecurringNeed, cover: Any = None) -> dict[str, Any]:
    return {
        "id": r.pk,
        "area_path": r.area_path,
        "label": r.label,
        "people": r.people,
        "item": r.item.code,
        "unit": r.item.base_unit.code,
        "per_day": r.per_day,
        "warehouse_id": r.warehouse_id,
        "stock": cover.stock if cover else None,
        "days_of_cover": cover.days if cover else None,
        "alert_below_days": r.alert_below_days,
        "low": bool(cover and cover.low),
        "alerted_at": r.alerted_at,
        "contact_name": r.contact_name,
        "contact_phone": mask_phone(r.contact_phone),
    }


@router.post("/needs/recurring", response={201: RecurringOut, **ERRORS})
def recurring_create(request: AuthedRequest, payload: RecurringIn, key: IdempotencyKey) -> Any:
    actor = request.auth

    def make() -> dict[str, Any]:
        area = area_get(actor=actor, pk=payload.area_id)
        warehouse = None
        if payload.warehouse_id is not None:
            warehouse = (
                selectors.recurring_warehouses(actor=actor).filter(pk=payload.warehouse_id).first()
            )
            if warehouse is None:
                raise NotFound()
        recurring = services.recurring_create(
            actor=actor,
            area=area,
            label=payload.label,
            item=_item(payload.item),
            per_day=payload.per_day,
            unit_code=payload.unit_code,
            people=payload.people,
            warehouse=warehouse,
            alert_below_days=payload.alert_below_days,
            priority=payload.priority,
            for_whom=payload.for_whom,
            contact_name=payload.contact_name,
            contact_phone=payload.contact_phone,
        )
        return _recurring_out(recurring)

    return create_once(request, key=key, payload=payload, make=make, out=RecurringOut)


@router.get("/needs/{int:need_id}", response={200: NeedOut, **ERRORS})
def needs_detail(request: AuthedRequest, need_id: Id) -> Any:
    return need_out(selectors.need_get(actor=request.auth, pk=need_id))


@router.post("/needs/{int:need_id}/cancel", response={200: NeedOut, **ERRORS})
def needs_cancel(request: AuthedRequest, need_id: Id, payload: NeedCancelIn) -> Any:
    need = selectors.need_get(actor=request.auth, pk=need_id)
    return need_out(services.need_cancel(actor=request.auth, need=need, reason=payload.reason))


# Allocations -------------------------------------------------------------------------


@router.post("/allocations", response={201: RunOut, **ERRORS})
def allocations_propose(request: AuthedRequest, payload: ProposeIn, key: IdempotencyKey) -> Any:
    """Solve the allocation of the stock the caller may send to the open needs they see
    (in ``area_id``, of ``items``): a proposal; nothing moves until it is approved."""
    actor = request.auth

    def make() -> dict[str, Any]:
        unit = Unit.objects.filter(pk=payload.unit_id).first()
        if unit is None:
            raise NotFound()
        area = area_get(actor=actor, pk=payload.area_id) if payload.area_id else None
        item_ids = None
        if payload.items is not None:
            item_ids = list(
                Item.objects.filter(code__in=payload.items).values_list("pk", flat=True)
            )
        run = allocations.allocation_propose(actor=actor, unit=unit, area=area, item_ids=item_ids)
        return run_out(run)

    return create_once(request, key=key, payload=payload, make=make, out=RunOut)


def _run(request: AuthedRequest, run_id: int) -> AllocationRun:
    return selectors.run_get(actor=request.auth, pk=run_id)


@router.get("/allocations/{int:run_id}", response={200: RunDetailOut, **ERRORS})
def allocations_detail(request: AuthedRequest, run_id: Id) -> Any:
    run = _run(request, run_id)
    proposals = selectors.run_proposal(actor=request.auth, run=run)
    return {
        **run_out(run),
        "needs": [
            {
                "need": need_out(p.need),
                "lines": [
                    {
                        "id": a.pk,
                        "lot_id": a.lot_id,
                        "warehouse": a.lot.warehouse.name,
                        "quantity": a.quantity,
                        "proposed": a.proposed,
                        "waybill_no": a.shipment.waybill_no if a.shipment else None,
                    }
                    for a in p.lines
                ],
                "proposed": p.proposed,
                "short_by": p.short_by,
            }
            for p in proposals
        ],
    }


@router.post("/allocations/{int:run_id}/lines/{int:line_id}", response={200: LineOut, **ERRORS})
def allocations_edit(request: AuthedRequest, run_id: Id, line_id: Id, payload: EditIn) -> Any:
    run = _run(request, run_id)
    line = (
        Allocation.objects.filter(Q(run=run) & Q(pk=line_id))
        .select_related("lot__warehouse", "run__unit")
        .first()
    )
    if line is None:
        raise NotFound()
    allocations.allocation_edit(actor=request.auth, allocation=line, quantity=payload.quantity)
    return {
        "id": line.pk,
        "lot_id": line.lot_id,
        "warehouse": line.lot.warehouse.name,
        "quantity": line.quantity,
        "proposed": line.proposed,
        "waybill_no": None,
    }


@router.post("/allocations/{int:run_id}/approve", response={200: RunOut, **ERRORS})
def allocations_approve(request: AuthedRequest, run_id: Id) -> Any:
    """Approve the proposal as edited: shipments made, stock taken, both sides texted."""
    run = _run(request, run_id)
    allocations.allocation_approve(actor=request.auth, run=run)
    return run_out(selectors.run_get(actor=request.auth, pk=run_id))


@router.post("/allocations/{int:run_id}/discard", response={200: RunOut, **ERRORS})
def allocations_discard(request: AuthedRequest, run_id: Id) -> Any:
    run = _run(request, run_id)
    return run_out(allocations.allocation_discard(actor=request.auth, run=run))
