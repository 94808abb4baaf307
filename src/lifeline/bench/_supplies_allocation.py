"""The allocation part of ``lifeline bench supplies``: a synthetic city's open needs and
lots, solved in memory by the very model the logistics group's proposal runs
(``supplies.services.allocation_model.solve``); no database."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from lifeline.supplies.services.allocation_model import SCALE, LotRow, NeedRow, solve

CENTRE = (27.83, 113.15)
STREETS = 12


def _place(rnd: random.Random) -> tuple[float, float, str]:
    street = rnd.randrange(STREETS)
    lat = CENTRE[0] + (street // 4 - 1) * 0.05 + rnd.uniform(-0.02, 0.02)
    lng = CENTRE[1] + (street % 4 - 1.5) * 0.05 + rnd.uniform(-0.02, 0.02)
    return lat, lng, f"/430200/430211/s{street:02d}/"


def make_problem(
    n_needs: int, n_lots: int, n_items: int, seed: int = 15
) -> tuple[list[NeedRow], list[LotRow]]:
    """Needs of 1..200 units (in thousandths) with every priority and waiting time; lots
    spread so that stock covers about 80% of demand: some needs are short."""
    rnd = random.Random(seed)
    needs = []
    demand = [0] * n_items
    for key in range(n_needs):
        item = rnd.randrange(n_items)
        lat, lng, path = _place(rnd)
        amount = rnd.randint(1, 200) * SCALE
        demand[item] += amount
        needs.append(
            NeedRow(key, item, amount, rnd.randrange(6), rnd.randrange(91), lat, lng, path)
        )
    lots = []
    per_item = max(1, n_lots // n_items)
    for key in range(n_lots):
        item = key % n_items
        lat, lng, path = _place(rnd)
        share = int(demand[item] * 0.8 / per_item)
        street_point = rnd.random() < 0.2
        lots.append(
            LotRow(
                key,
                item,
                max(SCALE, share + rnd.randint(-share // 5, share // 5) if share else SCALE),
                rnd.randrange(367),
                lat,
                lng,
                path if street_point else "",
            )
        )
    return needs, lots


def run_allocation(
    n_needs: int = 20_000,
    n_lots: int = 2_000,
    n_items: int = 200,
    write: Callable[[str], Any] = print,
) -> dict[str, Any]:
    started = time.perf_counter()
    needs, lots = make_problem(n_needs, n_lots, n_items)
    write(f"  problem made in {time.perf_counter() - started:.2f} s")
    solution = solve(needs, lots)
    given: dict[int, int] = {}
    for flow in solution.flows:
        given[flow.need] = given.get(flow.need, 0) + flow.quantity
    full = sum(1 for n in needs if given.get(n.key, 0) >= n.remaining)
    partly = sum(1 for n in needs if 0 < given.get(n.key, 0) < n.remaining)
    figures = {
        "needs": n_needs,
        "lots": n_lots,
        "items": n_items,
        "status": solution.status,
        "optimal": solution.optimal,
        "objective": -solution.cost / SCALE,
        "nodes": solution.nodes,
        "arcs": solution.arcs,
        "build_seconds": round(solution.build_seconds, 3),
        "solve_seconds": round(solution.solve_seconds, 3),
        "seconds": round(solution.build_seconds + solution.solve_seconds, 3),
        "units_demanded": sum(n.remaining for n in needs) / SCALE,
        "units_in_stock": sum(lot.on_hand for lot in lots) / SCALE,
        "units_allocated": solution.allocated / SCALE,
        "needs_full": full,
        "needs_partly": partly,
        "needs_unserved": n_needs - full - partly,
    }
    write(
        f"  {figures['status']} in {figures['seconds']} s "
        f"(build {figures['build_seconds']} s, solve {figures['solve_seconds']} s); "
        f"{figures['needs_full']} needs met, {figures['needs_partly']} partly"
    )
    return figures
