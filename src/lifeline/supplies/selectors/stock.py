"""Stock reads, scoped by ``lifeline.accounts.scoping`` (``SUPPLIES_VIEW`` at the
warehouse's place or unit): the warehouses an actor sees, stock per item (summed in the
database, with the nearest expiry and what expires soon), a lot's ledger, a warehouse's
recent movements, and counts. Lists are querysets the caller pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Min, Q, QuerySet, Sum

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import scoped
from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.errors import NotFound
from lifeline.supplies.models import (
    CountStatus,
    Item,
    LedgerEntry,
    Lot,
    StockCount,
    StockCountLine,
    Warehouse,
)

SOON_DAYS = 30


def warehouse_list(
    *, actor: Actor, include_inactive: bool = False, kept: bool = False
) -> QuerySet[Warehouse]:
    """The warehouses the actor sees (with ``kept``: those whose stock they move)."""
    qs = Warehouse.objects.select_related("unit", "area")
    if not include_inactive:
        qs = qs.filter(active=True)
    return scoped(qs, actor, Perm.SUPPLIES_STOCK if kept else None).order_by("code")


def warehouse_get(*, actor: Actor, pk: int) -> Warehouse:
    warehouse = warehouse_list(actor=actor, include_inactive=True).filter(pk=pk).first()
    if warehouse is None:
        raise NotFound()
    return warehouse


@dataclass(frozen=True)
class Summary:
    """A warehouse's stock at a glance."""

    items: int = 0
    lots: int = 0
    expiring: int = 0  # lots with stock expiring within ``days``


def warehouse_summaries(warehouse_ids: list[int], *, days: int = SOON_DAYS) -> dict[int, Summary]:
    """Per warehouse (already scoped by the caller): items and lots in stock, and lots
    expiring soon, one grouped query."""
    soon = clock.today() + dt.timedelta(days=days)
    rows = (
        Lot.objects.filter(warehouse_id__in=warehouse_ids, on_hand__gt=0)
        .values("warehouse_id")
        .annotate(
            item_count=Count("item_id", distinct=True),
            lot_count=Count("pk"),
            expiring_count=Count("pk", filter=Q(expires_on__lte=soon)),
        )
        .order_by()
    )
    return {
        row["warehouse_id"]: Summary(row["item_count"], row["lot_count"], row["expiring_count"])
        for row in rows
    }


@dataclass(frozen=True)
class StockLine:
    """One item's stock in one warehouse, in the item's base unit."""

    item: Item
    on_hand: Decimal
    lots: int
    nearest_expiry: dt.date | None
    expiring: Decimal  # of ``on_hand``, in lots expiring within the window
    expired: Decimal  # of ``on_hand``, in lots already past their date


def stock_levels(*, warehouse: Warehouse, days: int = SOON_DAYS) -> list[StockLine]:
    """Stock per item of a warehouse the caller got through :func:`warehouse_get`: the
    sum of its lots, the nearest expiry and how much expires within ``days``."""
    today = clock.today()
    soon = today + dt.timedelta(days=days)
    rows = list(
        Lot.objects.filter(warehouse=warehouse, on_hand__gt=0)
        .values("item_id")
        .annotate(
            total=Sum("on_hand"),
            lot_count=Count("pk"),
            nearest=Min("expires_on"),
            expiring=Sum("on_hand", filter=Q(expires_on__lte=soon)),
            expired=Sum("on_hand", filter=Q(expires_on__lt=today)),
        )
        .order_by()
    )
    items = Item.objects.select_related("base_unit", "category").in_bulk(
        [row["item_id"] for row in rows]
    )
    lines = [
        StockLine(
            item=items[row["item_id"]],
            on_hand=row["total"],
            lots=row["lot_count"],
            nearest_expiry=row["nearest"],
            expiring=row["expiring"] or Decimal(0),
            expired=row["expired"] or Decimal(0),
        )
        for row in rows
    ]
    lines.sort(key=lambda line: (line.item.category.code, line.item.code))
    return lines


def lots_of(*, warehouse: Warehouse, in_stock: bool = True) -> QuerySet[Lot]:
    """The lots of a warehouse, first expired first (the empty ones after, when asked)."""
    qs = Lot.objects.filter(warehouse=warehouse).select_related("item__base_unit")
    if in_stock:
        qs = qs.filter(on_hand__gt=0)
    return qs.order_by("item__code", F("expires_on").asc(nulls_last=True), "received_at", "pk")


def lot_get(*, actor: Actor, pk: int) -> Lot:
    lot = (
        scoped(Lot.objects.select_related("item__base_unit", "warehouse", "source_lot"), actor)
        .filter(pk=pk)
        .first()
    )
    if lot is None:
        raise NotFound()
    return lot


def lot_ledger(*, actor: Actor, lot: Lot) -> QuerySet[LedgerEntry]:
    """The entries of a lot, newest first."""
    return (
        scoped(LedgerEntry.objects.filter(lot=lot), actor)
        .select_related("actor")
        .order_by("-at", "-pk")
    )


def warehouse_movements(*, actor: Actor, warehouse: Warehouse) -> QuerySet[LedgerEntry]:
    """A warehouse's entries, newest first."""
    return (
        scoped(LedgerEntry.objects.filter(warehouse=warehouse), actor)
        .select_related("item__base_unit", "lot", "actor")
        .order_by("-at", "-pk")
    )


def items_in_stock(*, warehouse: Warehouse) -> QuerySet[Item]:
    ids = Lot.objects.filter(warehouse=warehouse, on_hand__gt=0).values("item_id")
    return Item.objects.filter(pk__in=ids).select_related("base_unit")


def count_list(*, actor: Actor, warehouse: Warehouse) -> QuerySet[StockCount]:
    return (
        scoped(StockCount.objects.filter(warehouse=warehouse), actor)
        .select_related("counted_by", "reviewed_by")
        .annotate(
            line_count=Count("lines"),
            differences=Count(
                "lines",
                filter=Q(lines__counted__isnull=False) & ~Q(lines__counted=F("lines__expected")),
            ),
        )
        .order_by("-started_at", "-pk")
    )


def count_get(*, actor: Actor, pk: int) -> StockCount:
    count = (
        scoped(StockCount.objects.select_related("warehouse", "counted_by", "reviewed_by"), actor)
        .filter(pk=pk)
        .first()
    )
    if count is None:
        raise NotFound()
    return count


def count_lines(count: StockCount) -> QuerySet[StockCountLine]:
    return count.lines.select_related("lot__item__base_unit").order_by(
        "lot__item__code", "lot__expires_on", "pk"
    )


def count_in_progress(warehouse: Warehouse) -> StockCount | None:
    return (
        StockCount.objects.filter(
            warehouse=warehouse, status__in=(CountStatus.OPEN, CountStatus.SUBMITTED)
        )
        .order_by("-started_at")
        .first()
    )
