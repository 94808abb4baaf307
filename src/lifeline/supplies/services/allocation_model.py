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

This module is the model (:func:`solve`); the proposal, edits and approval are in
``allocation.py``. The model is pure: plain tuples of needs and lots in, flows out, so the
benchmark measures the very code the service runs. Quantities are integers in thousandths
of the item's base unit (three decimal places). Each level of the objective is a term of
the arc costs whose weight exceeds the whole range of the levels below it, so moving one
unit never trades a higher level for a lower one. OPTIMAL from the min-cost flow solver is
its proof of optimality.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from ortools.graph.python import min_cost_flow

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
