"""Supplies API: stock. Warehouses the caller sees with their stock per item, a lot's
ledger, a warehouse's movements; receive, issue, transfer and adjust (each with an
Idempotency-Key); counts (start with a key, record, submit, review). Quantities are given
with a unit of measure code (``jin``, ``n95_box20`` ...; the item's own unit when left out)
and answered in the item's base unit."""

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
from lifeline.core.errors import NotFound
from lifeline.supplies.models import Item, LedgerEntry, Lot, StockCount
from lifeline.supplies.selectors import stock as selectors
from lifeline.supplies.services import counts, ledger
from lifeline.supplies.services.quantities import to_base

router = Router(tags=["supplies"])
API = "/stock"

Text = Annotated[str, bounded(200), SAFE]
Code = Annotated[str, bounded(32), SAFE]
Amount = Annotated[str, bounded(24, min_length=1), SAFE]


# Answers -------------------------------------------------------------------------------


class StockWarehouseOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    kind_label: str
    unit_id: int
    unit_name: str
    area_path: str
    active: bool
    items: int = 0
    lots: int = 0
    lots_expiring: int = 0


class StockLineOut(Schema):
    item_id: int
    item_code: str
    item_name: str
    unit: str
    on_hand: Decimal
    lots: int
    nearest_expiry: dt.date | None
    expiring: Decimal
    expired: Decimal


class WarehouseStockOut(Schema):
    warehouse: StockWarehouseOut
    soon_days: int
    lines: list[StockLineOut]


class LotOut(Schema):
    id: int
    warehouse_id: int
    item_id: int
    item_code: str
    lot_no: str
    expires_on: dt.date | None
    on_hand: Decimal
    source_lot_id: int | None
    pledge_line_id: int | None
    area_path: str


class EntryOut(Schema):
    id: int
    lot_id: int
    warehouse_id: int
    item_id: int
    kind: str
    quantity: Decimal
    balance_after: Decimal
    reason: str
    at: dt.datetime
    area_path: str


class IssueOut(Schema):
    entries: list[EntryOut]


class StockTransferOut(Schema):
    lots: list[LotOut]


class CountLineOut(Schema):
    lot_id: int
    item_id: int
    lot_no: str
    expires_on: dt.date | None
    expected: Decimal
    counted: Decimal | None
    reason: str


class StockCountOut(Schema):
    id: int
    warehouse_id: int
    status: str
    started_at: dt.datetime
    reviewed_at: dt.datetime | None
    note: str
    area_path: str
    lines: list[CountLineOut]


# Requests ------------------------------------------------------------------------------


class StockReceiveIn(InSchema):
    item: Code
    quantity: Amount
    unit: Code = ""
    lot_no: Annotated[str, bounded(40), SAFE] = ""
    expires_on: dt.date | None = None
    reason: Text = ""


class IssueIn(InSchema):
    item: Code
    quantity: Amount
    unit: Code = ""
    reason: Annotated[str, bounded(200, min_length=1), SAFE]


class StockTransferIn(InSchema):
    target_id: Id
    item: Code
    quantity: Amount
    unit: Code = ""
    reason: Text = ""


class AdjustIn(InSchema):
    delta: Amount
    unit: Code = ""
    reason: Annotated[str, bounded(200, min_length=1), SAFE]


class CountStartIn(InSchema):
    item_codes: list[Code] = Field(default_factory=list, max_length=500)


class CountRecordIn(InSchema):
    lot_id: Id
    counted: Amount
    reason: Text = ""


class CountReviewIn(InSchema):
    approve: bool
    note: Annotated[str, bounded(300), SAFE] = ""


# Helpers -------------------------------------------------------------------------------


def _warehouse_out(warehouse: Any, summary: selectors.Summary | None = None) -> dict[str, Any]:
    summary = summary or selectors.Summary()
    return {
        "id": warehouse.pk,
        "code": warehouse.code,
        "name": warehouse.name,
        "kind": warehouse.kind,
        "kind_label": str(warehouse.get_kind_display()),
        "unit_id": warehouse.unit_id,
        "unit_name": warehouse.unit.name,
        "area_path": warehouse.area_path,
        "active": warehouse.active,
        "items": summary.items,
        "lots": summary.lots,
        "lots_expiring": summary.expiring,
    }


def _lot_out(lot: Lot) -> dict[str, Any]:
    return {
        "id": lot.pk,
        "warehouse_id": lot.warehouse_id,
        "item_id": lot.item_id,
        "item_code": lot.item.code,
        "lot_no": lot.lot_no,
        "expires_on": lot.expires_on,
        "on_hand": lot.on_hand,
        "source_lot_id": lot.source_lot_id,
        "pledge_line_id": lot.pledge_line_id,
        "area_path": lot.area_path,
    }


def _entry_out(entry: LedgerEntry) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "lot_id": entry.lot_id,
        "warehouse_id": entry.warehouse_id,
        "item_id": entry.item_id,
        "kind": entry.kind,
        "quantity": entry.quantity,
        "balance_after": entry.balance_after,
        "reason": entry.reason,
        "at": entry.at,
        "area_path": entry.area_path,
    }


def _count_out(count: StockCount) -> dict[str, Any]:
    return {
        "id": count.pk,
        "warehouse_id": count.warehouse_id,
        "status": count.status,
        "started_at": count.started_at,
        "reviewed_at": count.reviewed_at,
        "note": count.note,
        "area_path": count.area_path,
        "lines": [
            {
                "lot_id": line.lot_id,
                "item_id": line.lot.item_id,
                "lot_no": line.lot.lot_no,
                "expires_on": line.lot.expires_on,
                "expected": line.expected,
                "counted": line.counted,
                "reason": line.reason,
            }
            for line in selectors.count_lines(count)
        ],
    }


def _item(code: str) -> Item:
    item = Item.objects.select_related("base_unit").filter(code=code, active=True).first()
    if item is None:
        raise NotFound(_("No such item in the catalogue."))
    return item


# Reads ---------------------------------------------------------------------------------


@router.get(f"{API}/warehouses", response={200: page_of(StockWarehouseOut), **ERRORS})
def warehouses_list(request: AuthedRequest, page: Query[PageParams]) -> Any:
    """The warehouses the caller sees, with items and lots in stock and lots expiring
    within 30 days."""
    answer = paginate(selectors.warehouse_list(actor=request.auth), page)
    summaries = selectors.warehouse_summaries([w.pk for w in answer["items"]])
    answer["items"] = [_warehouse_out(w, summaries.get(w.pk)) for w in answer["items"]]
    return answer


@router.get(f"{API}/warehouses/{{int:warehouse_id}}", response={200: WarehouseStockOut, **ERRORS})
def warehouses_stock(request: AuthedRequest, warehouse_id: Id) -> Any:
    """Stock per item (in its base unit), the nearest expiry and what expires soon."""
    warehouse = selectors.warehouse_get(actor=request.auth, pk=warehouse_id)
    summary = selectors.warehouse_summaries([warehouse.pk]).get(warehouse.pk)
    lines = [
        {
            "item_id": line.item.pk,
            "item_code": line.item.code,
            "item_name": line.item.local_name,
            "unit": line.item.base_unit.code,
            "on_hand": line.on_hand,
            "lots": line.lots,
            "nearest_expiry": line.nearest_expiry,
            "expiring": line.expiring,
            "expired": line.expired,
        }
        for line in selectors.stock_levels(warehouse=warehouse)
    ]
    return {
        "warehouse": _warehouse_out(warehouse, summary),
        "soon_days": selectors.SOON_DAYS,
        "lines": lines,
    }


@router.get(
    f"{API}/warehouses/{{int:warehouse_id}}/movements", response={200: page_of(EntryOut), **ERRORS}
)
def warehouses_movements(request: AuthedRequest, warehouse_id: Id, page: Query[PageParams]) -> Any:
    warehouse = selectors.warehouse_get(actor=request.auth, pk=warehouse_id)
    answer = paginate(selectors.warehouse_movements(actor=request.auth, warehouse=warehouse), page)
    answer["items"] = [_entry_out(e) for e in answer["items"]]
    return answer


@router.get(f"{API}/lots/{{int:lot_id}}/ledger", response={200: page_of(EntryOut), **ERRORS})
def lots_ledger(request: AuthedRequest, lot_id: Id, page: Query[PageParams]) -> Any:
    lot = selectors.lot_get(actor=request.auth, pk=lot_id)
    answer = paginate(selectors.lot_ledger(actor=request.auth, lot=lot), page)
    answer["items"] = [_entry_out(e) for e in answer["items"]]
    return answer


# Movements -----------------------------------------------------------------------------


@router.post(f"{API}/warehouses/{{int:warehouse_id}}/receive", response={201: LotOut, **ERRORS})
def warehouses_receive(
    request: AuthedRequest, warehouse_id: Id, payload: StockReceiveIn, key: IdempotencyKey
) -> Any:
    """Receive goods that are not a donation (a purchase, a return) as a new lot; items
    that track expiry need ``expires_on``."""
    actor = request.auth

    def make() -> dict[str, Any]:
        warehouse = selectors.warehouse_get(actor=actor, pk=warehouse_id)
        ledger.require_stock(actor, warehouse)
        item = _item(payload.item)
        lot = ledger.stock_receive(
            actor=actor,
            warehouse=warehouse,
            item=item,
            quantity=to_base(item, payload.quantity, payload.unit),
            lot_no=payload.lot_no,
            expires_on=payload.expires_on,
            reason=payload.reason,
        )
        return _lot_out(lot)

    return create_once(request, key=key, payload=payload, make=make, out=LotOut)


@router.post(f"{API}/warehouses/{{int:warehouse_id}}/issue", response={201: IssueOut, **ERRORS})
def warehouses_issue(
    request: AuthedRequest, warehouse_id: Id, payload: IssueIn, key: IdempotencyKey
) -> Any:
    """Hand out stock, first expired first out, all or nothing: 409 ``short`` names the
    item and the amount missing."""
    actor = request.auth

    def make() -> dict[str, Any]:
        warehouse = selectors.warehouse_get(actor=actor, pk=warehouse_id)
        ledger.require_stock(actor, warehouse)
        item = _item(payload.item)
        taken = ledger.stock_issue(
            actor=actor,
            warehouse=warehouse,
            item=item,
            quantity=to_base(item, payload.quantity, payload.unit),
            reason=payload.reason,
        )
        return {"entries": [_entry_out(entry) for _lot, entry in taken]}

    return create_once(request, key=key, payload=payload, make=make, out=IssueOut)


@router.post(
    f"{API}/warehouses/{{int:warehouse_id}}/transfer", response={201: StockTransferOut, **ERRORS}
)
def warehouses_transfer(
    request: AuthedRequest, warehouse_id: Id, payload: StockTransferIn, key: IdempotencyKey
) -> Any:
    """Move stock to another warehouse the caller sees; the new lots keep their lot
    number, expiry and origin."""
    actor = request.auth

    def make() -> dict[str, Any]:
        source = selectors.warehouse_get(actor=actor, pk=warehouse_id)
        ledger.require_stock(actor, source)
        target = selectors.warehouse_get(actor=actor, pk=payload.target_id)
        item = _item(payload.item)
        lots = ledger.stock_transfer(
            actor=actor,
            source=source,
            target=target,
            item=item,
            quantity=to_base(item, payload.quantity, payload.unit),
            reason=payload.reason,
        )
        return {"lots": [_lot_out(lot) for lot in lots]}

    return create_once(request, key=key, payload=payload, make=make, out=StockTransferOut)


@router.post(f"{API}/lots/{{int:lot_id}}/adjust", response={201: EntryOut, **ERRORS})
def lots_adjust(request: AuthedRequest, lot_id: Id, payload: AdjustIn, key: IdempotencyKey) -> Any:
    """Correct a lot by a signed amount (damage, loss, a found box), with a reason."""
    actor = request.auth

    def make() -> dict[str, Any]:
        lot = selectors.lot_get(actor=actor, pk=lot_id)
        ledger.require_stock(actor, lot.warehouse)
        delta = to_base(lot.item, payload.delta, payload.unit, field="delta", allow_negative=True)
        return _entry_out(
            ledger.stock_adjust(actor=actor, lot=lot, delta=delta, reason=payload.reason)
        )

    return create_once(request, key=key, payload=payload, make=make, out=EntryOut)


# Counts --------------------------------------------------------------------------------


@router.post(
    f"{API}/warehouses/{{int:warehouse_id}}/counts", response={201: StockCountOut, **ERRORS}
)
def counts_start(
    request: AuthedRequest, warehouse_id: Id, payload: CountStartIn, key: IdempotencyKey
) -> Any:
    """Open a count (盘点) of the warehouse's lots with stock (of ``item_codes`` only, when
    given); one count at a time per warehouse."""
    actor = request.auth

    def make() -> dict[str, Any]:
        warehouse = selectors.warehouse_get(actor=actor, pk=warehouse_id)
        ledger.require_stock(actor, warehouse)
        item_ids = [_item(code).pk for code in payload.item_codes]
        return _count_out(counts.count_start(actor=actor, warehouse=warehouse, item_ids=item_ids))

    return create_once(request, key=key, payload=payload, make=make, out=StockCountOut)


@router.get(f"{API}/counts/{{int:count_id}}", response={200: StockCountOut, **ERRORS})
def counts_detail(request: AuthedRequest, count_id: Id) -> Any:
    return _count_out(selectors.count_get(actor=request.auth, pk=count_id))


@router.post(f"{API}/counts/{{int:count_id}}/record", response={200: StockCountOut, **ERRORS})
def counts_record(request: AuthedRequest, count_id: Id, payload: CountRecordIn) -> Any:
    """What was found of one lot (in the item's base unit); the counter only."""
    count = selectors.count_get(actor=request.auth, pk=count_id)
    counts.count_record(actor=request.auth, count=count, **payload.model_dump())
    return _count_out(count)


@router.post(f"{API}/counts/{{int:count_id}}/submit", response={200: StockCountOut, **ERRORS})
def counts_submit(request: AuthedRequest, count_id: Id) -> Any:
    count = selectors.count_get(actor=request.auth, pk=count_id)
    return _count_out(counts.count_submit(actor=request.auth, count=count))


@router.post(f"{API}/counts/{{int:count_id}}/review", response={200: StockCountOut, **ERRORS})
def counts_review(request: AuthedRequest, count_id: Id, payload: CountReviewIn) -> Any:
    """Approve (each difference becomes a COUNT entry) or reject; another officer than
    the counter."""
    count = selectors.count_get(actor=request.auth, pk=count_id)
    return _count_out(
        counts.count_review(
            actor=request.auth, count=count, approve=payload.approve, note=payload.note
        )
    )
