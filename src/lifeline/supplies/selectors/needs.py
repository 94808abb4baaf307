"""Reads of needs, recurring needs (with their days of cover) and allocation runs (with
each need's proposal and what it is still short by), scoped by the actor's memberships."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can, can_anywhere, scope_for, scoped
from lifeline.core.actors import Actor
from lifeline.core.errors import NotFound
from lifeline.registry.models import Area, Unit
from lifeline.supplies.models import (
    Allocation,
    AllocationRun,
    Need,
    NeedStatus,
    RecurringNeed,
    Warehouse,
)
from lifeline.supplies.services.needs import OPEN, days_of_cover, stock_of


def need_list(
    *,
    actor: Actor,
    status: str = "",
    open_only: bool = False,
    item_id: int | None = None,
    area_path: str = "",
    priority: int | None = None,
) -> QuerySet[Need]:
    qs = scoped(Need.objects.all(), actor).select_related("item__base_unit", "area", "unit")
    if open_only:
        qs = qs.filter(status__in=OPEN)
    elif status:
        qs = qs.filter(status=status)
    if item_id:
        qs = qs.filter(item_id=item_id)
    if area_path:
        qs = qs.filter(area_path__startswith=area_path)
    if priority:
        qs = qs.filter(priority=priority)
    return qs.order_by("priority", "needed_by", "created_at", "pk")


def need_get(*, actor: Actor, pk: int) -> Need:
    need = need_list(actor=actor).filter(pk=pk).first()
    if need is None:
        raise NotFound()
    return need


def need_areas(*, actor: Actor) -> QuerySet[Area]:
    """Areas where the actor may raise needs (street, community and grid levels)."""
    grant = scope_for(actor).grant(Perm.SUPPLIES_NEED)
    if not grant.area_paths:
        return Area.objects.none()
    qs = Area.objects.none()
    for prefix in grant.area_paths:
        qs = qs | Area.objects.filter(path__startswith=prefix)
    return qs.filter(level__in=("street", "community", "grid")).order_by("path")


@dataclass
class Cover:
    recurring: RecurringNeed
    stock: Decimal | None
    days: Decimal | None

    @property
    def low(self) -> bool:
        return self.days is not None and self.days < self.recurring.alert_below_days


def recurring_list(*, actor: Actor) -> QuerySet[RecurringNeed]:
    return scoped(RecurringNeed.objects.filter(active=True), actor).select_related(
        "item__base_unit", "warehouse", "area"
    )


def recurring_cover(*, actor: Actor) -> list[Cover]:
    """Each recurring need the actor sees with its stock and days of cover (None when it
    has no stock point)."""
    rows = list(recurring_list(actor=actor))
    stock = stock_of({(r.warehouse_id, r.item_id) for r in rows if r.warehouse_id})
    covers = []
    for r in rows:
        if r.warehouse_id is None:
            covers.append(Cover(r, None, None))
            continue
        held = stock.get((r.warehouse_id, r.item_id), Decimal(0))
        covers.append(Cover(r, held, days_of_cover(held, r.per_day)))
    return covers


def recurring_warehouses(*, actor: Actor) -> QuerySet[Warehouse]:
    return scoped(Warehouse.objects.filter(active=True), actor).order_by("name")


def allocating_units(*, actor: Actor) -> list[Unit]:
    """Units in whose name the actor may run allocations (their ``SUPPLIES_ALLOCATE``
    units)."""
    ids = scope_for(actor).grant(Perm.SUPPLIES_ALLOCATE).unit_ids
    return list(Unit.objects.filter(pk__in=sorted(ids)).order_by("code"))


def may_allocate(actor: Actor) -> bool:
    return can_anywhere(actor, Perm.SUPPLIES_ALLOCATE)


def run_list(*, actor: Actor) -> QuerySet[AllocationRun]:
    return scoped(AllocationRun.objects.all(), actor).select_related("unit", "created_by")


def run_get(*, actor: Actor, pk: int) -> AllocationRun:
    run = run_list(actor=actor).filter(pk=pk).first()
    if run is None:
        raise NotFound()
    return run


def may_decide(actor: Actor, run: AllocationRun) -> bool:
    return run.status == "proposed" and can(actor, Perm.SUPPLIES_ALLOCATE, unit_id=run.unit_id)


@dataclass
class NeedProposal:
    """One need in a run: its lines, what it still lacked, what is proposed and what it
    is still short by after the proposal."""

    need: Need
    lines: list[Allocation] = field(default_factory=list)
    pending: bool = True  # the run is still a proposal

    @property
    def lacking(self) -> Decimal:
        return self.need.quantity - self.need.allocated

    @property
    def proposed(self) -> Decimal:
        return sum((a.quantity for a in self.lines), Decimal(0))

    @property
    def short_by(self) -> Decimal:
        if not self.pending:  # approved: the allocation is in ``allocated`` already
            return max(self.lacking, Decimal(0)) if self.need.status in OPEN else Decimal(0)
        return max(self.lacking - self.proposed, Decimal(0))


def run_proposal(*, actor: Actor, run: AllocationRun) -> list[NeedProposal]:
    """The run's lines grouped by need (the needs the actor sees), most urgent first;
    needs that were open when the run was made but got nothing appear too, short by all
    they lack, when the run is still a proposal."""
    lines = scoped(Allocation.objects.filter(run=run), actor).select_related(
        "lot__warehouse", "lot__item__base_unit", "shipment"
    )
    by_need: dict[int, list[Allocation]] = defaultdict(list)
    for line in lines:
        by_need[line.need_id].append(line)
    needs = need_list(actor=actor).filter(pk__in=list(by_need))
    if run.status == "proposed":
        unserved = need_list(actor=actor, open_only=True).filter(
            area_path__startswith=run.area_path, created_at__lte=run.created_at
        )
        needs = needs | unserved.exclude(pk__in=list(by_need))
    pending = run.status == "proposed"
    return [
        NeedProposal(n, by_need.get(n.pk, []), pending)
        for n in needs.order_by("priority", "needed_by", "created_at", "pk")
    ]


def short_by_item(proposals: list[NeedProposal]) -> list[dict[str, Any]]:
    """What the proposal leaves short, summed by item (the page's summary)."""
    totals: dict[int, dict[str, Any]] = {}
    for p in proposals:
        if p.short_by <= 0 or p.need.status not in (NeedStatus.OPEN, NeedStatus.PARTLY):
            continue
        row = totals.setdefault(
            p.need.item_id, {"item": p.need.item, "short_by": Decimal(0), "needs": 0}
        )
        row["short_by"] += p.short_by
        row["needs"] += 1
    return list(totals.values())
