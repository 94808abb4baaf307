"""Traceability: where each line of a donor's pledges went, and where a need's supplies
came from.

The ledger is the source of truth. For a pledge line, its lots are the lots received
against it and every lot moved from those (``Lot.source_lot`` chains, which also keep the
pledge line). Over those lots the entries say it all::

    received = issued (shipments and other issues) + adjusted + in stock + moved out

and anything the sum does not explain is shown as a remainder, never dropped.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from django.db.models import Model, QuerySet

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import require, scoped
from lifeline.core.actors import Actor
from lifeline.core.errors import NotFound
from lifeline.registry.models import Area, AreaLevel, Unit
from lifeline.supplies.models import (
    Allocation,
    Donor,
    EntryKind,
    LedgerEntry,
    Lot,
    MoneyDonation,
    Need,
    Pledge,
    PledgeLine,
    RunStatus,
    Shipment,
    ShipmentLine,
    Warehouse,
)

SHIPMENT = "supplies.shipment"
M = TypeVar("M", bound=Model)
ZERO = Decimal(0)
READ = (Perm.SUPPLIES_VIEW, Perm.SUPPLIES_DONATIONS)


@dataclass
class Destination:
    """One shipment line of the donor's goods: where, for whom, when, received by whom."""

    shipment: Shipment
    line: ShipmentLine
    need: Need | None
    street: str
    community: str
    building: str
    warehouse: Warehouse  # where it left from


@dataclass
class OtherIssue:
    entry: LedgerEntry


@dataclass
class Holding:
    warehouse: Warehouse
    lot: Lot


@dataclass
class LineTrace:
    line: PledgeLine
    pledged: Decimal
    received: Decimal
    damaged: Decimal
    shipped: Decimal = ZERO
    issued_otherwise: Decimal = ZERO
    adjusted: Decimal = ZERO  # lost in adjustments and counts (negative: found)
    in_stock: Decimal = ZERO
    moved_out: Decimal = ZERO  # transferred to lots outside the trace (should be none)
    lots: list[Lot] = field(default_factory=list)
    destinations: list[Destination] = field(default_factory=list)
    other_issues: list[OtherIssue] = field(default_factory=list)
    holdings: list[Holding] = field(default_factory=list)

    @property
    def accounted(self) -> Decimal:
        return self.shipped + self.issued_otherwise + self.adjusted + self.in_stock + self.moved_out

    @property
    def remainder(self) -> Decimal:
        """What the ledger does not explain (zero when every unit is accounted for)."""
        return self.received - self.accounted

    @property
    def short(self) -> Decimal:
        return max(self.pledged - self.received - self.damaged, ZERO)


@dataclass
class PledgeTrace:
    pledge: Pledge
    lines: list[LineTrace]


@dataclass
class DonorTrace:
    donor: Donor
    pledges: list[PledgeTrace]

    @property
    def balanced(self) -> bool:
        return all(t.remainder == 0 for p in self.pledges for t in p.lines)


def _family(roots: list[Lot]) -> dict[int, Lot]:
    """The lots received against a line and every lot moved from them, by id."""
    found = {lot.pk: lot for lot in roots}
    frontier = list(found)
    while frontier:
        children = list(
            Lot.objects.filter(source_lot_id__in=frontier)
            .exclude(pk__in=list(found))
            .select_related("warehouse")
        )
        frontier = [lot.pk for lot in children]
        found.update({lot.pk: lot for lot in children})
    return found


def _area_names(paths: set[str]) -> dict[str, tuple[str, str]]:
    """(street, community) names for each area path."""
    prefixes: set[str] = set()
    for path in paths:
        parts = [p for p in path.split("/") if p]
        prefixes.update("/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts)))
    names: dict[str, str] = {}
    levels: dict[str, str] = {}
    for area in Area.objects.filter(path__in=prefixes).only("path", "name", "level"):
        names[area.path] = area.name
        levels[area.path] = area.level
    result: dict[str, tuple[str, str]] = {}
    for path in paths:
        parts = [p for p in path.split("/") if p]
        street = community = ""
        for i in range(len(parts)):
            prefix = "/" + "/".join(parts[: i + 1]) + "/"
            if levels.get(prefix) == AreaLevel.STREET:
                street = names[prefix]
            elif levels.get(prefix) == AreaLevel.COMMUNITY:
                community = names[prefix]
        result[path] = (street, community)
    return result


def _trace_line(line: PledgeLine) -> LineTrace:
    roots = list(
        Lot.objects.filter(pledge_line=line, source_lot__isnull=True).select_related("warehouse")
    )
    family = _family(roots)
    # Lots carrying the line that a move made without a source (should be none) count too.
    for lot in Lot.objects.filter(pledge_line=line).exclude(pk__in=list(family)):
        family[lot.pk] = lot
    trace = LineTrace(line, line.quantity, line.received, line.damaged)
    trace.lots = sorted(family.values(), key=lambda lot: (lot.received_at, lot.pk))
    entries = list(LedgerEntry.objects.filter(lot_id__in=list(family)).order_by("at", "pk"))
    for entry in entries:
        if entry.kind == EntryKind.ISSUE:
            if entry.ref_type == SHIPMENT and entry.ref_id.isdigit():
                trace.shipped -= entry.quantity
            else:
                trace.issued_otherwise -= entry.quantity
                trace.other_issues.append(OtherIssue(entry))
        elif entry.kind in (EntryKind.ADJUSTMENT, EntryKind.COUNT):
            trace.adjusted -= entry.quantity
        elif entry.kind in (EntryKind.TRANSFER_OUT, EntryKind.TRANSFER_IN):
            # Moves between the line's own lots cancel; what is left went elsewhere.
            trace.moved_out -= entry.quantity
        elif entry.kind == EntryKind.RECEIPT and entry.lot_id not in {r.pk for r in roots}:
            trace.moved_out -= entry.quantity
    trace.in_stock = sum((lot.on_hand for lot in family.values()), ZERO)
    trace.holdings = [Holding(lot.warehouse, lot) for lot in trace.lots if lot.on_hand > 0]
    lines = list(
        ShipmentLine.objects.filter(lot_id__in=list(family))
        .select_related("shipment__to_area", "shipment__from_warehouse", "need__building", "lot")
        .order_by("shipment__created_at", "pk")
    )
    places = _area_names({sl.shipment.to_area.path for sl in lines})
    for sl in lines:
        street, community = places.get(sl.shipment.to_area.path, ("", ""))
        need = sl.need
        trace.destinations.append(
            Destination(
                shipment=sl.shipment,
                line=sl,
                need=need,
                street=street,
                community=community,
                building=need.building.address if need and need.building else "",
                warehouse=sl.shipment.from_warehouse,
            )
        )
    return trace


def _one(qs: QuerySet[M], actor: Actor, perm: str | tuple[str, ...], pk: int) -> M:
    """The row ``pk`` if ``perm`` holds at its unit (or area): NotFound when no membership
    of the actor covers its place, PermissionDenied when one does but grants otherwise."""
    found = qs.filter(pk=pk).first()
    if found is None:
        raise NotFound()
    unit_field = getattr(type(found), "SCOPE_UNIT_FIELD", None)
    require(
        actor,
        perm,
        path=str(getattr(found, "area_path", "") or ""),
        unit_id=getattr(found, f"{unit_field}_id", None) if unit_field else None,
    )
    return found


def donor_get(actor: Actor, pk: int) -> Donor:
    """A donor the actor may read (``SUPPLIES_VIEW`` or ``SUPPLIES_DONATIONS`` at the unit
    that keeps the file)."""
    return _one(Donor.objects.select_related("unit"), actor, READ, pk)


def donor_trace(actor: Actor, donor: Donor) -> DonorTrace:
    """Every pledge of ``donor`` line by line: pledged, received, damaged, where every
    received unit went (shipments with their destination and receiver, other issues,
    adjustments) and what is still in stock, with any unexplained remainder."""
    require(actor, READ, unit_id=donor.unit_id)
    pledges = list(
        donor.pledges.select_related("warehouse", "channel")
        .prefetch_related("lines__item__base_unit")
        .order_by("created_at", "pk")
    )
    return DonorTrace(
        donor=donor,
        pledges=[PledgeTrace(p, [_trace_line(line) for line in p.lines.all()]) for p in pledges],
    )


# A need's sources -----------------------------------------------------------------------


@dataclass
class Source:
    """Where some of what reached a need came from."""

    quantity: Decimal
    state: str  # "shipped" or "allocated"
    lot: Lot
    warehouse: Warehouse
    donor: Donor | None
    pledge: Pledge | None
    pledge_line: PledgeLine | None
    shipment: Shipment | None = None
    received: Decimal | None = None
    at: dt.datetime | None = None


@dataclass
class NeedTrace:
    need: Need
    sources: list[Source]

    @property
    def shipped(self) -> Decimal:
        return sum((s.quantity for s in self.sources if s.state == "shipped"), ZERO)

    @property
    def allocated(self) -> Decimal:
        return sum((s.quantity for s in self.sources if s.state == "allocated"), ZERO)


def _origin(lot: Lot) -> Lot:
    """The first lot of a chain of moves (where the goods were first received)."""
    seen = {lot.pk}
    while lot.source_lot_id and lot.source_lot_id not in seen:
        seen.add(lot.source_lot_id)
        lot = Lot.objects.select_related("warehouse").get(pk=lot.source_lot_id)
    return lot


def need_get(actor: Actor, pk: int) -> Need:
    return _one(
        Need.objects.select_related("item__base_unit", "unit", "area"),
        actor,
        Perm.SUPPLIES_VIEW,
        pk,
    )


def _source(lot: Lot, quantity: Decimal, state: str) -> Source:
    pledge_line = lot.pledge_line or _origin(lot).pledge_line
    pledge = pledge_line.pledge if pledge_line else None
    return Source(
        quantity=quantity,
        state=state,
        lot=lot,
        warehouse=_origin(lot).warehouse,
        donor=pledge.donor if pledge else None,
        pledge=pledge,
        pledge_line=pledge_line,
    )


def need_trace(actor: Actor, need: Need) -> NeedTrace:
    """What was shipped and allocated to ``need`` with its sources: the donor, pledge line,
    lot and warehouse it was first received at (purchases show no donor)."""
    require(actor, Perm.SUPPLIES_VIEW, path=need.area_path)
    sources: list[Source] = []
    shipped_lots: set[tuple[int, int]] = set()
    for sl in (
        ShipmentLine.objects.filter(need=need)
        .exclude(shipment__status="cancelled")
        .select_related("lot__warehouse", "lot__pledge_line__pledge__donor", "shipment")
        .order_by("shipment__created_at", "pk")
    ):
        source = _source(sl.lot, sl.quantity, "shipped")
        source.shipment = sl.shipment
        source.received = sl.received
        source.at = sl.shipment.delivered_at or sl.shipment.created_at
        sources.append(source)
        shipped_lots.add((sl.lot_id, sl.shipment_id))
    for allocation in (
        Allocation.objects.filter(need=need, shipment__isnull=True, quantity__gt=0)
        .exclude(run__status=RunStatus.DISCARDED)
        .select_related("lot__warehouse", "lot__pledge_line__pledge__donor", "run")
    ):
        source = _source(allocation.lot, allocation.quantity, "allocated")
        source.at = allocation.run.created_at
        sources.append(source)
    return NeedTrace(need, sources)


def totals_by_item(trace: DonorTrace) -> dict[int, dict[str, Decimal]]:
    """Sums over every pledge line of the trace, by item id (for the summary table)."""
    sums: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for p in trace.pledges:
        for t in p.lines:
            row = sums[t.line.item_id]
            for name in ("pledged", "received", "damaged", "shipped", "in_stock", "remainder"):
                row[name] += getattr(t, name)
    return sums


__all__ = [
    "Destination",
    "DonorTrace",
    "LineTrace",
    "NeedTrace",
    "Source",
    "channels",
    "donor_get",
    "donor_list",
    "donor_trace",
    "money_get",
    "money_list",
    "need_get",
    "need_trace",
    "pledge_get",
    "pledge_list",
    "receiving_warehouses",
    "totals_by_item",
]


# The donation desk's lists ---------------------------------------------------------------


def donor_list(actor: Actor) -> QuerySet[Donor]:
    return scoped(Donor.objects.select_related("unit"), actor).order_by("name", "pk")


def pledge_list(actor: Actor, *, donor: Donor | None = None) -> QuerySet[Pledge]:
    rows = scoped(Pledge.objects.select_related("donor", "warehouse", "channel"), actor)
    return rows.filter(donor=donor) if donor is not None else rows


def pledge_get(actor: Actor, pk: int) -> Pledge:
    return _one(
        Pledge.objects.select_related("donor", "warehouse", "channel", "unit"), actor, READ, pk
    )


def money_list(actor: Actor, *, donor: Donor | None = None) -> QuerySet[MoneyDonation]:
    rows = scoped(MoneyDonation.objects.select_related("donor", "channel"), actor)
    return rows.filter(donor=donor) if donor is not None else rows


def money_get(actor: Actor, pk: int) -> MoneyDonation:
    return _one(MoneyDonation.objects.select_related("donor"), actor, READ, pk)


def receiving_warehouses(actor: Actor) -> QuerySet[Warehouse]:
    """Active warehouses the actor may see, donation warehouses first (the desk's choice)."""
    return scoped(Warehouse.objects.filter(active=True), actor).order_by("kind", "code")


def channels() -> QuerySet[Unit]:
    """Units a donation may come through (the Red Cross and the like)."""
    return Unit.objects.filter(kind=Unit.Kind.RED_CROSS).order_by("code")
