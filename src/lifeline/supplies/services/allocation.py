"""Matching available stock to open needs: a min-cost flow (OR-Tools), proposed, edited by
an officer, approved into shipments.

The objective, as the proposal page states it:

1. serve as much as the stock allows, never more than a need still lacks;
2. priority and vulnerability first (critical before high before normal; within each, the
   needs of vulnerable people first);
3. fair shares when short: the first half of every need's remainder is served before the
   second half of any need of the same rank, so scarce stock is spread before any one need
   gets all of it;
4. then waiting time (the nearer or more overdue the "needed by" date, and the longer the
   need has waited, the sooner);
5. then distance from the warehouse to the place of delivery (haversine);
6. and of two lots otherwise equal, the one that expires first.

The model (:func:`solve`) is pure: plain tuples of needs and lots in, flows out, so the
benchmark measures the very code the service runs. Quantities are integers in thousandths
of the item's base unit (three decimal places). Each level of the objective is a term of
the arc costs whose weight exceeds the whole range of the levels below it, so moving one
unit never trades a higher level for a lower one. OPTIMAL from the min-cost flow solver is
its proof of optimality.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

import numpy as np
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils.translation import gettext as _
from ortools.graph.python import min_cost_flow

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can, require, scope_for, scoped
from lifeline.core import clock
from lifeline.core.actors import Actor, user_of
from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from lifeline.core.outbox import enqueue_sms
from lifeline.registry.models import Area, Unit
from lifeline.supplies.models import (
    Allocation,
    AllocationRun,
    Lot,
    Need,
    NeedStatus,
    RunStatus,
    Shipment,
    Warehouse,
    WarehouseKind,
)
from lifeline.supplies.services.quantities import invalid, parse_quantity, show

# Cost weights per thousandth of a unit moved (see the module's docstring).
KM_COST = 100
MAX_KM = 200  # farther than this (or a place unknown) costs as much as this
MAX_DISTANCE_COST = KM_COST * MAX_KM
MAX_EXPIRY_DAYS = 366  # an item without an expiry date counts as this
MAX_WAIT = 90
WAIT_STEP = 500
FAIR_BONUS = MAX_WAIT * WAIT_STEP + MAX_DISTANCE_COST + MAX_EXPIRY_DAYS + 1
RANK_STEP = FAIR_BONUS + MAX_WAIT * WAIT_STEP + MAX_DISTANCE_COST + MAX_EXPIRY_DAYS + 1
RANKS = 6  # (3 priorities) × (vulnerable or not)
# Any open need is worth more than the farthest, latest-expiring lot costs: stock is never
# left idle while a need it could serve is open.
BASE_REWARD = MAX_DISTANCE_COST + MAX_EXPIRY_DAYS + 1
FAIR_SHARE = 0.5  # the share of each need's remainder that is served first
SCALE = 1000  # quantities in thousandths


class NeedRow(NamedTuple):
    """One open need for the model. ``rank``: 0..5, higher first (priority and
    vulnerability); ``wait``: 0..90, higher first; ``path``: where it is (street stock
    points serve their own street only)."""

    key: int
    item: int
    remaining: int
    rank: int
    wait: int
    lat: float | None
    lng: float | None
    path: str = ""


class LotRow(NamedTuple):
    """One lot with stock. ``serves``: an area path prefix the lot may serve ("" for
    anywhere); ``expiry_days``: days until it expires (0..366)."""

    key: int
    item: int
    on_hand: int
    expiry_days: int
    lat: float | None
    lng: float | None
    serves: str = ""


class Flow(NamedTuple):
    need: int
    lot: int
    quantity: int


@dataclass
class Solution:
    status: str
    optimal: bool
    cost: int
    flows: list[Flow] = field(default_factory=list)
    nodes: int = 0
    arcs: int = 0
    build_seconds: float = 0.0
    solve_seconds: float = 0.0

    @property
    def allocated(self) -> int:
        return sum(f.quantity for f in self.flows)

    def figures(self) -> dict[str, object]:
        """What the run keeps (``AllocationRun.solver``) and the benchmark prints."""
        return {
            "solver": "OR-Tools SimpleMinCostFlow",
            "status": self.status,
            "optimal": self.optimal,
            "gap": 0 if self.optimal else None,
            # Per whole unit (the cost counts thousandths), maximised.
            "objective": -self.cost / SCALE,
            "nodes": self.nodes,
            "arcs": self.arcs,
            "build_seconds": round(self.build_seconds, 4),
            "solve_seconds": round(self.solve_seconds, 4),
        }


def rank_of(priority: int, vulnerable: bool) -> int:
    """Priority 1 (critical) .. 3 (normal) and vulnerability as a rank, higher first."""
    level = min(max(3 - int(priority), 0), 2)
    return level * 2 + (1 if vulnerable else 0)


def haversine_km(
    lat1: np.ndarray, lng1: np.ndarray, lat2: np.ndarray, lng2: np.ndarray
) -> np.ndarray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlat = p2 - p1
    dlng = np.radians(lng2) - np.radians(lng1)
    a = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlng / 2) ** 2
    return 6371.0 * 2 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _coords(rows: Sequence[NeedRow] | Sequence[LotRow]) -> tuple[np.ndarray, np.ndarray]:
    lat = np.array([math.nan if r.lat is None else r.lat for r in rows], dtype=float)
    lng = np.array([math.nan if r.lng is None else r.lng for r in rows], dtype=float)
    return lat, lng


def _reward(need: NeedRow, *, fair: bool) -> int:
    rank = min(max(need.rank, 0), RANKS - 1)
    wait = min(max(need.wait, 0), MAX_WAIT)
    return BASE_REWARD + rank * RANK_STEP + wait * WAIT_STEP + (FAIR_BONUS if fair else 0)


def _fair_part(remaining: int) -> int:
    return max(1, math.ceil(remaining * FAIR_SHARE)) if remaining > 1 else remaining


class _Arcs:
    """Arc arrays gathered in chunks, added to the solver at once."""

    def __init__(self) -> None:
        self.tails: list[np.ndarray] = []
        self.heads: list[np.ndarray] = []
        self.caps: list[np.ndarray] = []
        self.costs: list[np.ndarray] = []

    def add(self, tails: object, heads: object, caps: object, costs: object) -> None:
        self.tails.append(np.asarray(tails, dtype=np.int32))
        self.heads.append(np.asarray(heads, dtype=np.int32))
        self.caps.append(np.asarray(caps, dtype=np.int64))
        self.costs.append(np.asarray(costs, dtype=np.int64))

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        return (
            np.concatenate(self.tails),
            np.concatenate(self.heads),
            np.concatenate(self.caps),
            np.concatenate(self.costs),
        )


def solve(needs: Iterable[NeedRow], lots: Iterable[LotRow]) -> Solution:
    """The optimal flow of ``lots`` to ``needs`` (same item only; a street's lots to that
    street's needs only). Items share nothing, so each item is its own min-cost flow and
    the sum of their optima is the optimum; the status is OPTIMAL only when every item's
    is."""
    started = time.perf_counter()
    by_item_needs: dict[int, list[NeedRow]] = defaultdict(list)
    for need in needs:
        if need.remaining > 0:
            by_item_needs[need.item].append(need)
    by_item_lots: dict[int, list[LotRow]] = defaultdict(list)
    for lot in lots:
        if lot.on_hand > 0 and lot.item in by_item_needs:
            by_item_lots[lot.item].append(lot)
    total = Solution("OPTIMAL", True, 0)
    for item, item_lots in by_item_lots.items():
        part = _solve_item(by_item_needs[item], item_lots)
        total.flows.extend(part.flows)
        total.cost += part.cost
        total.nodes += part.nodes
        total.arcs += part.arcs
        total.solve_seconds += part.solve_seconds
        if not part.optimal:
            total.status, total.optimal = part.status, False
    total.build_seconds = time.perf_counter() - started - total.solve_seconds
    return total


def _solve_item(need_rows: list[NeedRow], lot_rows: list[LotRow]) -> Solution:
    """One item's flow. Node 0 is the source (all its stock), node 1 the sink; each lot
    and each need is a node. Arcs: source → lot (its stock, cost 0); lot → need (the
    need's remainder, cost distance + expiry); need → sink twice (the fair part of its
    remainder and the rest, each at minus its reward); source → sink (stock left
    unallocated, cost 0)."""
    first_lot, first_need = 2, 2 + len(lot_rows)
    lot_index = {id(lot): first_lot + i for i, lot in enumerate(lot_rows)}
    need_index = {id(n): first_need + i for i, n in enumerate(need_rows)}
    total = sum(lot.on_hand for lot in lot_rows)
    arcs = _Arcs()
    arcs.add(
        [0] * len(lot_rows),
        list(lot_index.values()),
        [lot.on_hand for lot in lot_rows],
        [0] * len(lot_rows),
    )
    need_nodes = np.array(list(need_index.values()), dtype=np.int32)
    fair = np.array([_fair_part(n.remaining) for n in need_rows], dtype=np.int64)
    remaining = np.array([n.remaining for n in need_rows], dtype=np.int64)
    arcs.add(
        need_nodes, np.ones_like(need_nodes), fair, [-_reward(n, fair=True) for n in need_rows]
    )
    rest = remaining - fair
    has_rest = rest > 0
    arcs.add(
        need_nodes[has_rest],
        np.ones(int(has_rest.sum()), dtype=np.int32),
        rest[has_rest],
        np.array([-_reward(n, fair=False) for n in need_rows], dtype=np.int64)[has_rest],
    )
    arcs.add([0], [1], [total], [0])
    _item_arcs(lot_rows, need_rows, lot_index, need_index, arcs)
    tails, heads, caps, costs = arcs.arrays()

    solver = min_cost_flow.SimpleMinCostFlow()
    arc_ids = solver.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    supplies = np.zeros(first_need + len(need_rows), dtype=np.int64)
    supplies[0], supplies[1] = total, -total
    solver.set_nodes_supplies(np.arange(len(supplies), dtype=np.int32), supplies)
    built = time.perf_counter()
    status = solver.solve()
    solved = time.perf_counter()
    optimal = status == solver.OPTIMAL
    solution = Solution(
        status=status.name if hasattr(status, "name") else str(status),
        optimal=optimal,
        cost=int(solver.optimal_cost()) if optimal else 0,
        nodes=len(supplies),
        arcs=len(arc_ids),
        solve_seconds=solved - built,
    )
    if optimal:
        solution.flows = _pair_flows(
            solver, tails, heads, lot_rows, need_rows, first_lot, first_need
        )
    return solution


def _item_arcs(
    lots: list[LotRow],
    needs: list[NeedRow],
    lot_index: dict[int, int],
    need_index: dict[int, int],
    arcs: _Arcs,
) -> None:
    """The lot → need arcs of one item, vectorised over every pair."""
    lot_lat, lot_lng = _coords(lots)
    need_lat, need_lng = _coords(needs)
    km = haversine_km(lot_lat[:, None], lot_lng[:, None], need_lat[None, :], need_lng[None, :])
    distance = np.where(np.isnan(km), MAX_DISTANCE_COST, np.minimum(km, MAX_KM) * KM_COST)
    expiry = np.array([min(max(lot.expiry_days, 0), MAX_EXPIRY_DAYS) for lot in lots])
    cost = np.rint(distance).astype(np.int64) + expiry[:, None]
    allowed = np.ones(km.shape, dtype=bool)
    masks: dict[str, list[bool]] = {}
    for row, lot in enumerate(lots):
        if lot.serves:
            if lot.serves not in masks:
                masks[lot.serves] = [n.path.startswith(lot.serves) for n in needs]
            allowed[row] = masks[lot.serves]
    lot_nodes = np.array([lot_index[id(lot)] for lot in lots], dtype=np.int32)
    need_nodes = np.array([need_index[id(n)] for n in needs], dtype=np.int32)
    remaining = np.array([n.remaining for n in needs], dtype=np.int64)
    rows, cols = np.nonzero(allowed)
    arcs.add(lot_nodes[rows], need_nodes[cols], remaining[cols], cost[rows, cols])


def _pair_flows(
    solver: min_cost_flow.SimpleMinCostFlow,
    tails: np.ndarray,
    heads: np.ndarray,
    lot_rows: list[LotRow],
    need_rows: list[NeedRow],
    first_lot: int,
    first_need: int,
) -> list[Flow]:
    pair = (tails >= first_lot) & (tails < first_need)
    arc_ids = np.nonzero(pair)[0]
    flows = solver.flows(arc_ids)
    used = flows > 0
    return [
        Flow(need_rows[h - first_need].key, lot_rows[t - first_lot].key, int(q))
        for t, h, q in zip(tails[arc_ids][used], heads[arc_ids][used], flows[used], strict=True)
    ]


# The services: propose, edit, approve, discard ----------------------------------------

ALLOCATE_FROM = (WarehouseKind.LOGISTICS, WarehouseKind.RED_CROSS, WarehouseKind.STREET)
OPEN = (NeedStatus.OPEN, NeedStatus.PARTLY)
MAX_NEEDS = 50_000


def to_units(quantity: Decimal) -> int:
    return int((quantity * SCALE).to_integral_value())


def from_units(units: int) -> Decimal:
    return (Decimal(units) / SCALE).quantize(Decimal("0.001"))


def wait_score(need: Need, *, today: dt.date, now: dt.datetime) -> int:
    """0..90: how close (or overdue) the "needed by" date is, plus days already waited."""
    due = min(max((today - need.needed_by).days + 30, 0), 60)
    waited = min(max((now - need.created_at).days, 0), 30)
    return due + waited


def need_row(need: Need, *, today: dt.date, now: dt.datetime) -> NeedRow:
    return NeedRow(
        key=need.pk,
        item=need.item_id,
        remaining=to_units(need.quantity - need.allocated),
        rank=rank_of(need.priority, need.vulnerable),
        wait=wait_score(need, today=today, now=now),
        lat=need.lat,
        lng=need.lng,
        path=need.area_path,
    )


def lot_row(lot: Lot, *, today: dt.date) -> LotRow:
    warehouse = lot.warehouse
    expiry = MAX_EXPIRY_DAYS if lot.expires_on is None else (lot.expires_on - today).days
    return LotRow(
        key=lot.pk,
        item=lot.item_id,
        on_hand=to_units(lot.on_hand),
        expiry_days=min(max(expiry, 0), MAX_EXPIRY_DAYS),
        lat=warehouse.lat,
        lng=warehouse.lng,
        # A street's stock point serves its own street.
        serves=warehouse.area_path if warehouse.kind == WarehouseKind.STREET else "",
    )


def require_allocate(actor: Actor, unit: Unit) -> None:
    require(
        actor,
        Perm.SUPPLIES_ALLOCATE,
        unit_id=unit.pk,
        message=_("Only the logistics group may match stock to needs."),
    )


def open_needs_for(
    actor: Actor, *, area: Area | None = None, item_ids: Iterable[int] | None = None
) -> QuerySet[Need]:
    qs = scoped(Need.objects.filter(status__in=OPEN), actor, Perm.SUPPLIES_VIEW)
    if area is not None:
        qs = qs.filter(area_path__startswith=area.path)
    if item_ids is not None:
        qs = qs.filter(item_id__in=list(item_ids))
    return qs


def lots_for(actor: Actor, *, item_ids: Iterable[int], today: dt.date) -> list[Lot]:
    """Unexpired lots with stock in warehouses the actor may allocate from."""
    lots = (
        Lot.objects.filter(
            on_hand__gt=0,
            item_id__in=list(item_ids),
            warehouse__kind__in=ALLOCATE_FROM,
            warehouse__active=True,
        )
        .exclude(expires_on__lt=today)
        .select_related("warehouse")
    )
    allowed: dict[int, bool] = {}
    kept = []
    for lot in lots:
        if lot.warehouse_id not in allowed:
            allowed[lot.warehouse_id] = can(
                actor, Perm.SUPPLIES_ALLOCATE, path=lot.area_path, unit_id=lot.unit_id
            )
        if allowed[lot.warehouse_id]:
            kept.append(lot)
    return kept


def allocation_propose(
    *,
    actor: Actor,
    unit: Unit,
    area: Area | None = None,
    item_ids: Iterable[int] | None = None,
) -> AllocationRun:
    """Solve the matching of the open needs the actor sees (in ``area``, of ``item_ids``)
    to the stock they may allocate from, and keep it as a proposal. Changes no stock and
    no need until approved."""
    require_allocate(actor, unit)
    if area is not None and not scope_for(actor).covers_path(area.path):
        raise NotFound()
    now, today = clock.now(), clock.today()
    needs = list(open_needs_for(actor, area=area, item_ids=item_ids)[: MAX_NEEDS + 1])
    if len(needs) > MAX_NEEDS:
        raise ServiceError(
            _("Too many open needs for one proposal; choose an area or some items."),
            code="too_many",
        )
    needs = [n for n in needs if n.quantity > n.allocated]
    lots = lots_for(actor, item_ids={n.item_id for n in needs}, today=today)
    solution = solve(
        [need_row(n, today=today, now=now) for n in needs],
        [lot_row(lot, today=today) for lot in lots],
    )
    if not solution.optimal:
        raise ServiceError(
            _("The solver found no allocation (%(status)s).") % {"status": solution.status},
            code="solver",
        )
    figures = _run_figures(solution, needs, lots)
    by_need = {n.pk: n for n in needs}
    path = area.path if area is not None else _unit_path(unit)
    with transaction.atomic():
        run = AllocationRun.objects.create(
            unit=unit,
            area_path=path,
            solver=figures,
            created_by=user_of(actor),
            created_at=now,
        )
        Allocation.objects.bulk_create(
            Allocation(
                run=run,
                need_id=flow.need,
                lot_id=flow.lot,
                area_path=by_need[flow.need].area_path,
                quantity=from_units(flow.quantity),
                proposed=from_units(flow.quantity),
            )
            for flow in solution.flows
        )
        audit_log(actor=actor, action="supplies.allocation_proposed", obj=run, area_path=path)
    return run


def _unit_path(unit: Unit) -> str:
    paths = sorted(unit.areas.values_list("path", flat=True), key=len)
    return paths[0] if paths else ""


def _run_figures(solution: Solution, needs: list[Need], lots: list[Lot]) -> dict[str, Any]:
    given: dict[int, int] = defaultdict(int)
    for flow in solution.flows:
        given[flow.need] += flow.quantity
    full = partly = 0
    for need in needs:
        wanted = to_units(need.quantity - need.allocated)
        if given.get(need.pk, 0) >= wanted:
            full += 1
        elif given.get(need.pk, 0) > 0:
            partly += 1
    return {
        **solution.figures(),
        "needs": len(needs),
        "lots": len(lots),
        "items": len({n.item_id for n in needs}),
        "allocated": str(from_units(solution.allocated)),
        "needs_full": full,
        "needs_partly": partly,
        "needs_unserved": len(needs) - full - partly,
    }


def _locked_proposal(run: AllocationRun) -> AllocationRun:
    locked = AllocationRun.objects.select_for_update().get(pk=run.pk)
    if locked.status != RunStatus.PROPOSED:
        raise Conflict(_("This proposal was already approved or discarded."), code="decided")
    return locked


def allocation_edit(*, actor: Actor, allocation: Allocation, quantity: Any) -> Allocation:
    """Change one line of a proposal: never more than the lot holds or the need still
    lacks, counting the proposal's other lines of the same lot and need; 0 drops it."""
    run = allocation.run
    require_allocate(actor, run.unit)
    amount = parse_quantity(quantity, allow_zero=True)
    with transaction.atomic():
        _locked_proposal(run)
        line = Allocation.objects.select_related("need", "lot__item__base_unit").get(
            pk=allocation.pk
        )
        others = Allocation.objects.filter(run=run).exclude(pk=line.pk)
        for_need = others.filter(need=line.need_id).aggregate(s=Sum("quantity"))["s"] or 0
        from_lot = others.filter(lot=line.lot_id).aggregate(s=Sum("quantity"))["s"] or 0
        need_left = line.need.quantity - line.need.allocated - for_need
        lot_left = line.lot.on_hand - from_lot
        unit = line.lot.item.base_unit.local_name
        if amount > need_left:
            raise invalid(
                "quantity",
                _("More than the need still lacks (%(left)s %(unit)s).")
                % {"left": show(max(need_left, Decimal(0))), "unit": unit},
            )
        if amount > lot_left:
            raise invalid(
                "quantity",
                _("More than the lot holds (%(left)s %(unit)s).")
                % {"left": show(max(lot_left, Decimal(0))), "unit": unit},
            )
        line.quantity = amount
        line.save(update_fields=["quantity"])
        audit_log(
            actor=actor, action="supplies.allocation_edited", obj=line, area_path=line.area_path
        )
    allocation.quantity = amount
    return line


def allocation_discard(*, actor: Actor, run: AllocationRun) -> AllocationRun:
    require_allocate(actor, run.unit)
    with transaction.atomic():
        locked = _locked_proposal(run)
        locked.status = RunStatus.DISCARDED
        locked.decided_by = user_of(actor)
        locked.decided_at = clock.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        audit_log(
            actor=actor,
            action="supplies.allocation_discarded",
            obj=locked,
            area_path=locked.area_path,
        )
    return locked


def allocation_approve(*, actor: Actor, run: AllocationRun) -> list[Shipment]:
    """Turn a proposal into shipments, all or nothing: the needs are locked and checked
    again (none may get more than it still lacks), the lines are grouped by sending
    warehouse and destination (the need's area and contact) into one shipment each, whose
    creation takes the stock out of the lots (refused when a lot holds too little now).
    Both sides are texted: the receiving contact and the warehouse's contact, each with
    the other's name and phone."""
    require_allocate(actor, run.unit)
    from lifeline.supplies.services.shipments import shipment_create

    with transaction.atomic():
        locked = _locked_proposal(run)
        lines = list(
            Allocation.objects.filter(run=locked, quantity__gt=0)
            .select_related("lot__warehouse", "lot__item__base_unit")
            .order_by("pk")
        )
        if not lines:
            raise ServiceError(_("Nothing is allocated in this proposal."), code="empty")
        needs = {
            n.pk: n
            for n in Need.objects.select_for_update(of=("self",))
            .filter(pk__in={a.need_id for a in lines})
            .select_related("area", "item__base_unit")
            .order_by("pk")
        }
        _check_needs(needs, lines)
        groups: dict[tuple[Any, ...], list[Allocation]] = defaultdict(list)
        for line in lines:
            if not can(
                actor,
                Perm.SUPPLIES_ALLOCATE,
                path=line.lot.area_path,
                unit_id=line.lot.unit_id,
            ):
                raise PermissionDenied(_("You may not send stock from this warehouse."))
            need = needs[line.need_id]
            key = (line.lot.warehouse_id, need.area_id, need.contact_name, need.contact_phone)
            groups[key].append(line)
        shipments = [_ship(actor, group, needs, shipment_create) for group in groups.values()]
        for need in needs.values():
            need.allocated += sum((a.quantity for a in lines if a.need_id == need.pk), Decimal(0))
            need.status = (
                NeedStatus.ALLOCATED if need.allocated >= need.quantity else NeedStatus.PARTLY
            )
            need.save(update_fields=["allocated", "status"])
        locked.status = RunStatus.APPROVED
        locked.decided_by = user_of(actor)
        locked.decided_at = clock.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        audit_log(
            actor=actor,
            action="supplies.allocation_approved",
            obj=locked,
            area_path=locked.area_path,
        )
    run.status = locked.status
    return shipments


def _check_needs(needs: dict[int, Need], lines: list[Allocation]) -> None:
    wanted: dict[int, Decimal] = defaultdict(Decimal)
    for line in lines:
        wanted[line.need_id] += line.quantity
    for pk, amount in wanted.items():
        need = needs[pk]
        left = need.quantity - need.allocated
        if need.status not in OPEN or amount > left:
            raise Conflict(
                _(
                    "The need of %(label)s for %(item)s changed since the proposal "
                    "(%(left)s %(unit)s still lacking); make a new proposal."
                )
                % {
                    "label": need.for_label,
                    "item": need.item.local_name,
                    "left": show(max(left, Decimal(0)) if need.status in OPEN else Decimal(0)),
                    "unit": need.item.base_unit.local_name,
                },
                code="need_changed",
            )


def _ship(
    actor: Actor,
    group: list[Allocation],
    needs: dict[int, Need],
    shipment_create: Any,
) -> Shipment:
    first = needs[group[0].need_id]
    warehouse = group[0].lot.warehouse
    labels = list(dict.fromkeys(needs[a.need_id].for_label for a in group))
    shipment: Shipment = shipment_create(
        actor=actor,
        from_warehouse=warehouse,
        to_area=first.area,
        to_label="、".join(labels)[:150] or first.area.name,
        contact_name=first.contact_name,
        contact_phone=first.contact_phone,
        lines=[(needs[a.need_id], a.lot, a.quantity) for a in group],
        lat=first.lat,
        lng=first.lng,
    )
    Allocation.objects.filter(pk__in=[a.pk for a in group]).update(shipment=shipment)
    _tell_both_sides(shipment, group, warehouse, first)
    return shipment


def _tell_both_sides(
    shipment: Shipment, group: list[Allocation], warehouse: Warehouse, need: Need
) -> None:
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for line in group:
        totals[line.lot.item_id] += line.quantity
    items = {line.lot.item_id: line.lot.item for line in group}
    goods = "、".join(
        f"{items[i].local_name} {show(q)} {items[i].base_unit.local_name}"
        for i, q in totals.items()
    )
    sender = warehouse.contact_name or warehouse.name
    to_receiver = _(
        "Supplies allocated to %(place)s: %(goods)s, waybill %(waybill)s, from %(warehouse)s. "
        "Sender contact: %(name)s %(phone)s."
    ) % {
        "place": shipment.to_label,
        "goods": goods,
        "waybill": shipment.waybill_no,
        "warehouse": warehouse.name,
        "name": sender,
        "phone": warehouse.contact_phone or "",
    }
    ref = {"object_type": "supplies.shipment", "object_id": str(shipment.pk)}
    enqueue_sms(recipient=need.contact_phone, body=to_receiver, **ref)
    if warehouse.contact_phone:
        to_sender = _(
            "Please send %(goods)s to %(place)s, waybill %(waybill)s. "
            "Receiving contact: %(name)s %(phone)s."
        ) % {
            "goods": goods,
            "place": shipment.to_label,
            "waybill": shipment.waybill_no,
            "name": need.contact_name,
            "phone": need.contact_phone,
        }
        enqueue_sms(recipient=warehouse.contact_phone, body=to_sender, **ref)
