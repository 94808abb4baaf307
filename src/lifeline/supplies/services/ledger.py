"""The stock ledger: the only code that changes what a lot holds.

Every change is one ``LedgerEntry`` and the matching change of ``Lot.on_hand``, in the
caller's transaction, under the lot's row lock (``select_for_update``; lots are always
locked in first-expired-first-out order, so two issues never wait on each other in a
circle). A change that would take a lot below zero is refused before anything is written,
and the database refuses it too (check constraints on the lot and on the entry).

Callers inside supplies use :func:`post` (after their own permission check); pages, the
API and other apps use the ``stock_*`` services, which check ``SUPPLIES_STOCK`` at the
warehouse.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import F, QuerySet, Sum
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import require
from lifeline.core import clock
from lifeline.core.actors import Actor, user_of
from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict, ServiceError
from lifeline.supplies.models import EntryKind, Item, LedgerEntry, Lot, PledgeLine, Warehouse
from lifeline.supplies.services.quantities import invalid, parse_quantity, show


class Short(Conflict):
    """Not enough stock: says of which item, how much is there and how much is missing."""

    def __init__(self, item: Item, wanted: Decimal, available: Decimal) -> None:
        self.item = item
        self.wanted = wanted
        self.available = available
        self.missing = wanted - available
        super().__init__(
            _(
                "Not enough %(item)s: %(wanted)s %(unit)s asked, %(available)s in stock, "
                "short by %(missing)s."
            )
            % {
                "item": item.local_name,
                "wanted": show(wanted),
                "available": show(available),
                "missing": show(wanted - available),
                "unit": item.base_unit.local_name,
            },
            code="short",
        )


@dataclass(frozen=True)
class Ref:
    """What caused a movement (for the trace): a model label and a primary key."""

    type: str = ""
    id: str | int = ""


def require_stock(actor: Actor, warehouse: Warehouse) -> None:
    require(
        actor,
        Perm.SUPPLIES_STOCK,
        path=warehouse.area_path,
        unit_id=warehouse.unit_id,
        message=_("You may not move stock in this warehouse."),
    )


def post(
    lot: Lot,
    delta: Decimal,
    kind: str,
    *,
    actor: Actor | None,
    reason: str = "",
    ref: Ref = Ref(),
) -> LedgerEntry:
    """Add ``delta`` (signed) to a lot and write its entry. Locks the lot; refuses (Short)
    when the lot would go below zero. The caller holds the transaction and has checked
    permission."""
    if not delta:
        raise invalid("quantity", _("The quantity must be more than zero."))
    locked = (
        Lot.objects.select_for_update(of=("self",)).select_related("item__base_unit").get(pk=lot.pk)
    )
    balance = locked.on_hand + delta
    if balance < 0:
        raise Short(locked.item, -delta, locked.on_hand)
    locked.on_hand = balance
    locked.save(update_fields=["on_hand"])
    lot.on_hand = balance
    return LedgerEntry.objects.create(
        lot=locked,
        warehouse_id=locked.warehouse_id,
        unit_id=locked.unit_id,
        item_id=locked.item_id,
        area_path=locked.area_path,
        kind=kind,
        quantity=delta,
        balance_after=balance,
        reason=reason[:200],
        ref_type=ref.type,
        ref_id=str(ref.id),
        actor=user_of(actor),
        at=clock.now(),
    )


def new_lot(
    *,
    actor: Actor | None,
    warehouse: Warehouse,
    item: Item,
    quantity: Decimal,
    kind: str = EntryKind.RECEIPT,
    lot_no: str = "",
    expires_on: dt.date | None = None,
    pledge_line: PledgeLine | None = None,
    source_lot: Lot | None = None,
    reason: str = "",
    ref: Ref = Ref(),
) -> Lot:
    """A new lot in ``warehouse`` holding ``quantity`` (one entry of ``kind``). The caller
    holds the transaction and has checked permission."""
    if item.tracks_expiry and expires_on is None:
        raise invalid("expires_on", _("Give the expiry date of this item."))
    lot = Lot.objects.create(
        warehouse=warehouse,
        unit_id=warehouse.unit_id,
        area_path=warehouse.area_path,
        item=item,
        lot_no=lot_no.strip()[:40],
        expires_on=expires_on,
        pledge_line=pledge_line,
        source_lot=source_lot,
        received_at=clock.now(),
    )
    post(lot, quantity, kind, actor=actor, reason=reason, ref=ref)
    return lot


def fefo_lots(warehouse: Warehouse | int, item: Item | int) -> QuerySet[Lot]:
    """The lots of an item in a warehouse with stock, first expired first."""
    return Lot.objects.filter(warehouse=warehouse, item=item, on_hand__gt=0).order_by(
        F("expires_on").asc(nulls_last=True), "received_at", "pk"
    )


def take(
    *,
    actor: Actor | None,
    warehouse: Warehouse,
    item: Item,
    quantity: Decimal,
    kind: str = EntryKind.ISSUE,
    reason: str = "",
    ref: Ref = Ref(),
) -> list[tuple[Lot, LedgerEntry]]:
    """Take ``quantity`` of ``item`` from ``warehouse``, first expired first out, all or
    nothing: the lots are locked in FEFO order, their sum checked, then each drawn down.
    The caller holds the transaction and has checked permission."""
    lots = list(
        fefo_lots(warehouse, item).select_for_update(of=("self",)).select_related("item__base_unit")
    )
    available = sum((lot.on_hand for lot in lots), Decimal(0))
    if available < quantity:
        raise Short(item, quantity, available)
    taken: list[tuple[Lot, LedgerEntry]] = []
    left = quantity
    for lot in lots:
        if left <= 0:
            break
        part = min(left, lot.on_hand)
        taken.append((lot, post(lot, -part, kind, actor=actor, reason=reason, ref=ref)))
        left -= part
    return taken


def on_hand(warehouse: Warehouse | int, item: Item | int) -> Decimal:
    total = Lot.objects.filter(warehouse=warehouse, item=item).aggregate(s=Sum("on_hand"))["s"]
    return total or Decimal(0)


# Services for pages, the API and other apps ------------------------------------------


def stock_receive(
    *,
    actor: Actor,
    warehouse: Warehouse,
    item: Item,
    quantity: Decimal | str,
    lot_no: str = "",
    expires_on: dt.date | None = None,
    reason: str = "",
) -> Lot:
    """Receive goods that are not a donation (a purchase, a return) as a new lot."""
    require_stock(actor, warehouse)
    amount = parse_quantity(quantity)
    with transaction.atomic():
        lot = new_lot(
            actor=actor,
            warehouse=warehouse,
            item=item,
            quantity=amount,
            lot_no=lot_no,
            expires_on=expires_on,
            reason=reason,
        )
        audit_log(actor=actor, action="supplies.stock_received", obj=lot, area_path=lot.area_path)
    return lot


def stock_issue(
    *,
    actor: Actor,
    warehouse: Warehouse,
    item: Item,
    quantity: Decimal | str,
    reason: str,
    ref: Ref = Ref(),
) -> list[tuple[Lot, LedgerEntry]]:
    """Hand out stock (first expired first out), all or nothing; Short names the item."""
    require_stock(actor, warehouse)
    amount = parse_quantity(quantity)
    if not reason.strip():
        raise invalid("reason", _("Say what the stock is issued for."))
    with transaction.atomic():
        taken = take(
            actor=actor, warehouse=warehouse, item=item, quantity=amount, reason=reason, ref=ref
        )
        audit_log(
            actor=actor,
            action="supplies.stock_issued",
            obj=warehouse,
            area_path=warehouse.area_path,
        )
    return taken


def stock_transfer(
    *,
    actor: Actor,
    source: Warehouse,
    target: Warehouse,
    item: Item,
    quantity: Decimal | str,
    reason: str = "",
    ref: Ref = Ref(),
) -> list[Lot]:
    """Move stock between warehouses: out of the source's lots (FEFO), into new lots of
    the target that keep each lot's number, expiry and origin."""
    require_stock(actor, source)
    if source.pk == target.pk:
        raise invalid("target", _("Choose another warehouse to move the stock to."))
    if not target.active:
        raise invalid("target", _("That warehouse is closed."))
    # A transfer moves stock between warehouses the officer keeps; stock for another unit
    # goes as a shipment, which its receiver confirms.
    require(
        actor,
        Perm.SUPPLIES_STOCK,
        path=target.area_path,
        unit_id=target.unit_id,
        message=_("You do not keep that warehouse: send the stock as a shipment instead."),
    )
    amount = parse_quantity(quantity)
    moved: list[Lot] = []
    with transaction.atomic():
        for lot, _entry in take(
            actor=actor,
            warehouse=source,
            item=item,
            quantity=amount,
            kind=EntryKind.TRANSFER_OUT,
            reason=reason,
            ref=ref,
        ):
            moved.append(
                new_lot(
                    actor=actor,
                    warehouse=target,
                    item=item,
                    quantity=-_entry.quantity,
                    kind=EntryKind.TRANSFER_IN,
                    lot_no=lot.lot_no,
                    expires_on=lot.expires_on,
                    pledge_line=lot.pledge_line,
                    source_lot=lot,
                    reason=reason,
                    ref=ref,
                )
            )
        audit_log(
            actor=actor,
            action="supplies.stock_transferred",
            obj=source,
            area_path=source.area_path,
        )
    return moved


def stock_adjust(*, actor: Actor, lot: Lot, delta: Decimal | str, reason: str) -> LedgerEntry:
    """Correct a lot (damage, loss, a found box) by a signed amount, with a reason."""
    require_stock(actor, lot.warehouse)
    amount = parse_quantity(delta, field="delta", allow_negative=True)
    if not reason.strip():
        raise invalid("reason", _("Give the reason for the adjustment."))
    with transaction.atomic():
        entry = post(lot, amount, EntryKind.ADJUSTMENT, actor=actor, reason=reason.strip())
        audit_log(actor=actor, action="supplies.stock_adjusted", obj=lot, area_path=lot.area_path)
    return entry


def ledger_problems() -> list[str]:
    """Lots whose ``on_hand`` differs from the sum of their entries (should be none)."""
    sums = dict(
        LedgerEntry.objects.values("lot_id").annotate(s=Sum("quantity")).values_list("lot_id", "s")
    )
    problems = []
    for lot_id, held in Lot.objects.values_list("pk", "on_hand"):
        if sums.get(lot_id, Decimal(0)) != held:
            problems.append(f"lot {lot_id}: on hand {held}, ledger {sums.get(lot_id, 0)}")
    return problems


__all__ = [
    "Ref",
    "ServiceError",
    "Short",
    "fefo_lots",
    "ledger_problems",
    "new_lot",
    "on_hand",
    "post",
    "require_stock",
    "stock_adjust",
    "stock_issue",
    "stock_receive",
    "stock_transfer",
    "take",
]
