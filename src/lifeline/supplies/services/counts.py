"""Stock counts (盘点): one officer counts a warehouse's lots, another reviews the count, and
only an approved count changes stock, by COUNT entries for the differences.

A count is a snapshot: each lot with stock when it starts is a line whose ``expected`` is
what the lot held then. Stock may keep moving while the shelves are counted, so approval
applies ``counted - expected`` to the lot as it is now, not ``counted`` as a new total; a
difference that would take the lot below zero (more was issued since than the count says
was there) is refused with the lot named, and nothing is written. One count at a time per
warehouse (an open or submitted one blocks another), so no difference is applied twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from lifeline.core import clock
from lifeline.core.actors import Actor, user_of
from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from lifeline.supplies.models import (
    CountStatus,
    EntryKind,
    Lot,
    StockCount,
    StockCountLine,
    Warehouse,
)
from lifeline.supplies.services.ledger import Ref, Short, post, require_stock
from lifeline.supplies.services.quantities import invalid, parse_quantity, show

IN_PROGRESS = (CountStatus.OPEN, CountStatus.SUBMITTED)
# The lots' own order (first expired first), spelled out for the type checker.
FEFO = (F("expires_on").asc(nulls_last=True), "received_at", "pk")


def lot_label(lot: Lot) -> str:
    """A lot as people name it: its number and expiry (never its id)."""
    number = lot.lot_no or _("no lot number")
    if lot.expires_on:
        return _("%(lot)s, expires %(date)s") % {"lot": number, "date": lot.expires_on.isoformat()}
    return str(number)


def _ref(count: StockCount) -> Ref:
    return Ref("supplies.stockcount", count.pk)


def _locked(count: StockCount) -> StockCount:
    return StockCount.objects.select_for_update().select_related("warehouse").get(pk=count.pk)


def count_start(*, actor: Actor, warehouse: Warehouse, item_ids: Iterable[int] = ()) -> StockCount:
    """Open a count of ``warehouse``: a line per lot with stock (of ``item_ids`` only, when
    given), expecting what the lot holds now. Refused while another count of the
    warehouse is open or waiting for review."""
    require_stock(actor, warehouse)
    wanted = sorted(set(item_ids))
    with transaction.atomic():
        # The warehouse row is the lock that keeps two counts from starting at once.
        Warehouse.objects.select_for_update().filter(pk=warehouse.pk).first()
        if StockCount.objects.filter(warehouse=warehouse, status__in=IN_PROGRESS).exists():
            raise Conflict(
                _("A count of this warehouse is already under way: finish or review it first."),
                code="count_in_progress",
            )
        lots = Lot.objects.filter(warehouse=warehouse, on_hand__gt=0)
        if wanted:
            lots = lots.filter(item_id__in=wanted)
        lots = lots.order_by("item_id", *FEFO)
        rows = list(lots.values_list("pk", "on_hand"))
        if not rows:
            raise invalid("warehouse", _("There is no stock to count in this warehouse."))
        count = StockCount.objects.create(
            warehouse=warehouse,
            unit_id=warehouse.unit_id,
            area_path=warehouse.area_path,
            started_at=clock.now(),
            counted_by=user_of(actor),
        )
        StockCountLine.objects.bulk_create(
            StockCountLine(count=count, lot_id=lot_id, expected=held) for lot_id, held in rows
        )
        audit_log(
            actor=actor, action="supplies.count_started", obj=count, area_path=count.area_path
        )
    return count


def _require_counter(actor: Actor, count: StockCount) -> None:
    require_stock(actor, count.warehouse)
    if count.counted_by_id != getattr(user_of(actor), "pk", None):
        raise PermissionDenied(_("Only the officer who started this count records it."))


def _require_status(count: StockCount, status: str) -> None:
    if count.status != status:
        raise Conflict(
            _("This count is %(status)s: it cannot be changed that way now.")
            % {"status": count.get_status_display()},
            code="count_status",
        )


def count_record(
    *,
    actor: Actor,
    count: StockCount,
    lot_id: int,
    counted: Decimal | str,
    reason: str = "",
) -> StockCountLine:
    """Record what was found of one lot (in the item's base unit) and, when it differs
    from what was expected, why. Only the counter, while the count is open."""
    amount = parse_quantity(counted, field="counted", allow_zero=True)
    with transaction.atomic():
        count = _locked(count)
        _require_counter(actor, count)
        _require_status(count, CountStatus.OPEN)
        line = StockCountLine.objects.filter(count=count, lot_id=lot_id).first()
        if line is None:
            raise NotFound(_("That lot is not part of this count."))
        line.counted = amount
        line.reason = reason.strip()[:200]
        line.save(update_fields=["counted", "reason"])
    return line


def count_submit(*, actor: Actor, count: StockCount) -> StockCount:
    """Hand the count to a reviewer: every line counted, every difference explained."""
    with transaction.atomic():
        count = _locked(count)
        _require_counter(actor, count)
        _require_status(count, CountStatus.OPEN)
        lines = list(count.lines.select_related("lot__item"))
        uncounted = [line for line in lines if line.counted is None]
        if uncounted:
            raise ServiceError(
                _("%(n)s lots are not counted yet.") % {"n": len(uncounted)},
                code="count_incomplete",
                fields={"counted": [lot_label(line.lot) for line in uncounted]},
            )
        unexplained = [line for line in lines if line.counted != line.expected and not line.reason]
        if unexplained:
            raise ServiceError(
                _("Give the reason for each difference."),
                code="reason_required",
                fields={"reason": [lot_label(line.lot) for line in unexplained]},
            )
        count.status = CountStatus.SUBMITTED
        count.save(update_fields=["status"])
        audit_log(
            actor=actor, action="supplies.count_submitted", obj=count, area_path=count.area_path
        )
    return count


def count_review(*, actor: Actor, count: StockCount, approve: bool, note: str = "") -> StockCount:
    """Approve (apply each difference as a COUNT entry) or reject a submitted count. The
    reviewer must be another officer than the counter; a rejection needs a note."""
    note = note.strip()
    with transaction.atomic():
        count = _locked(count)
        require_stock(actor, count.warehouse)
        if count.counted_by_id == getattr(user_of(actor), "pk", None):
            raise PermissionDenied(_("Another officer must review your count."))
        _require_status(count, CountStatus.SUBMITTED)
        if not approve and not note:
            raise invalid("note", _("Say why the count is rejected."))
        if approve:
            _apply(actor, count)
        count.status = CountStatus.APPROVED if approve else CountStatus.REJECTED
        count.reviewed_by = user_of(actor)
        count.reviewed_at = clock.now()
        count.note = note[:300]
        count.save(update_fields=["status", "reviewed_by", "reviewed_at", "note"])
        audit_log(
            actor=actor,
            action="supplies.count_approved" if approve else "supplies.count_rejected",
            obj=count,
            area_path=count.area_path,
        )
    return count


def _apply(actor: Actor, count: StockCount) -> None:
    """The differences, posted in the order issues lock lots (by item, first expired
    first), so a review and an issue never wait on each other in a circle."""
    lines = [
        line
        for line in count.lines.select_related("lot__item__base_unit")
        if line.counted is not None and line.counted != line.expected
    ]
    lines.sort(key=lambda line: (line.lot.item_id, *_fefo_key(line.lot)))
    for line in lines:
        assert line.counted is not None
        delta = line.counted - line.expected
        try:
            post(line.lot, delta, EntryKind.COUNT, actor=actor, reason=line.reason, ref=_ref(count))
        except Short as short:
            raise Conflict(
                _(
                    "%(item)s, %(lot)s: the count found %(missing)s %(unit)s less than "
                    "expected, but only %(left)s %(unit)s are left since stock moved after "
                    "the count started. Count this lot again."
                )
                % {
                    "item": line.lot.item.local_name,
                    "lot": lot_label(line.lot),
                    "missing": show(-delta),
                    "left": show(short.available),
                    "unit": line.lot.item.base_unit.local_name,
                },
                code="count_stale",
            ) from short


def _fefo_key(lot: Lot) -> tuple[bool, object, object, int]:
    return (lot.expires_on is None, lot.expires_on or 0, lot.received_at, lot.pk)


__all__ = ["count_record", "count_review", "count_start", "count_submit", "lot_label"]
