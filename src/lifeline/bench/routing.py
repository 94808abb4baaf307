"""``lifeline bench routing``: the field-team planner against Solomon and a synthetic city day.

Solomon mode (default): every ``NAME.txt`` with a ``NAME.sol`` in ``--instances`` is solved with
``--seconds`` per instance under the DIMACS convention, and compared with the best-known cost and
with the by-hand heuristic. City mode (``--city``): a seeded day of ``--visits`` visits for
``--vehicles`` vehicles; reports plan time, served/unserved, km against the by-hand plan, and the
time to insert one urgent visit into the live plan. Needs neither Django nor a database.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter
from pathlib import Path

from lifeline.bench import _solomon as solomon
from lifeline.bench._synthetic import make_city, urgent_visit
from lifeline.teams.planner.baseline import plan_by_hand
from lifeline.teams.planner.distances import HaversineDistance
from lifeline.teams.planner.insert import insert_visit
from lifeline.teams.planner.solve import solve
from lifeline.teams.planner.validate import plan_violations

DEFAULT_INSTANCES = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "solomon"
SOLOMON_SECONDS = 10.0
CITY_SECONDS = 40.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--instances",
        type=Path,
        default=DEFAULT_INSTANCES,
        help="folder of Solomon NAME.txt + NAME.sol files (default: shared/data/solomon)",
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=None,
        help=f"solver time limit: per instance (default {SOLOMON_SECONDS:g}) "
        f"or for the whole city day (default {CITY_SECONDS:g})",
    )
    parser.add_argument("--limit", type=int, default=None, help="only the first K instances")
    parser.add_argument("--city", action="store_true", help="plan a synthetic city day instead")
    parser.add_argument("--visits", type=int, default=10_000, help="city size (visits)")
    parser.add_argument("--vehicles", type=int, default=200, help="city size (vehicles)")
    parser.add_argument("--seed", type=int, default=0, help="solver seed (and city seed offset)")


def run(args: argparse.Namespace) -> dict[str, object]:
    """Run the chosen benchmark, printing progress; returns the figures."""
    if args.city:
        return run_city(
            visits=args.visits,
            vehicles=args.vehicles,
            seconds=args.seconds or CITY_SECONDS,
            seed=args.seed,
        )
    return run_solomon(
        folder=args.instances,
        seconds=args.seconds or SOLOMON_SECONDS,
        limit=args.limit,
        seed=args.seed,
    )


def _say(line: str) -> None:
    print(line, flush=True)


def run_solomon(*, folder: Path, seconds: float, limit: int | None, seed: int) -> dict[str, object]:
    """Solve each instance; gaps are percentages above the best-known cost."""
    names = sorted(p.stem for p in folder.glob("*.txt") if p.with_suffix(".sol").exists())[:limit]
    if not names:
        raise SystemExit(f"no Solomon instances (NAME.txt + NAME.sol) in {folder}")
    _say(f"routing: {len(names)} Solomon instances from {folder}, {seconds:g} s each")
    rows: dict[str, dict[str, object]] = {}
    gaps: list[float] = []
    hand_gaps: list[float] = []
    gap_of: dict[str, float] = {}
    hand_unserved = 0
    problems = 0
    for name in names:
        instance = solomon.read_instance(path=folder / f"{name}.txt")
        best = solomon.read_solution(path=folder / f"{name}.sol")
        request = solomon.to_request(instance=instance, time_limit=seconds, seed=seed)
        distances = solomon.distances()
        plan = solve(request=request, distances=distances)
        hand = plan_by_hand(request=request, distances=distances)
        cost, hand_cost = solomon.cost(plan=plan), solomon.cost(plan=hand)
        gap = solomon.gap_percent(cost=cost, best_known=best.cost)
        hand_gap = solomon.gap_percent(cost=hand_cost, best_known=best.cost)
        violations = plan_violations(plan=plan, request=request, distances=distances)
        if violations or plan.unserved:
            problems += 1
        gaps.append(gap)
        hand_gaps.append(hand_gap)
        gap_of[name] = gap
        hand_unserved += len(hand.unserved)
        routes = sum(1 for r in plan.routes if r.stops)
        rows[name] = {
            "cost": cost,
            "best_known": best.cost,
            "gap_pct": round(gap, 3),
            "routes": routes,
            "unserved": len(plan.unserved),
            "violations": len(violations),
            "by_hand_cost": hand_cost,
            "by_hand_gap_pct": round(hand_gap, 3),
            "by_hand_unserved": len(hand.unserved),
            "seconds": round(plan.seconds, 2),
        }
        _say(
            f"{name:6} cost {cost:8.1f}  best {best.cost:8.1f}  gap {gap:6.2f}%  "
            f"routes {routes:2}/{len(best.routes):2}  unserved {len(plan.unserved)}  "
            f"| by hand {hand_cost:8.1f} gap {hand_gap:6.2f}% "
            f"unserved {len(hand.unserved):2}  [{plan.seconds:.1f} s]"
            + (f"  VIOLATIONS: {violations[:3]}" if violations else "")
        )
    worst = max(gap_of, key=gap_of.__getitem__)
    figures: dict[str, object] = {
        "benchmark": "routing-solomon",
        "instances": len(names),
        "seconds_per_instance": seconds,
        "mean_gap_pct": round(statistics.fmean(gaps), 3),
        "max_gap_pct": round(max(gaps), 3),
        "worst_instance": worst,
        "within_0_5_pct": sum(g <= 0.5 for g in gaps),
        "within_1_pct": sum(g <= 1.0 for g in gaps),
        "incomplete_or_infeasible": problems,
        "by_hand_mean_gap_pct": round(statistics.fmean(hand_gaps), 3),
        "by_hand_unserved_total": hand_unserved,
        "per_instance": rows,
    }
    _say(
        f"mean gap {figures['mean_gap_pct']}%  max {figures['max_gap_pct']}% ({worst})  "
        f"by hand mean gap {figures['by_hand_mean_gap_pct']}%"
    )
    return figures


def run_city(*, visits: int, vehicles: int, seconds: float, seed: int) -> dict[str, object]:
    """Plan a synthetic city day, compare with the by-hand plan, insert one urgent visit."""
    request = make_city(visits=visits, vehicles=vehicles, seed=7 + seed, time_limit=seconds)
    areas = len({a for v in request.vehicles for a in v.areas})
    roads = HaversineDistance()
    _say(
        f"routing city: {visits} visits, {vehicles} vehicles, {areas} areas, "
        f"policy {request.area_policy}, solver budget {seconds:g} s"
    )
    began = time.perf_counter()
    hand = plan_by_hand(request=request, distances=roads)
    hand_seconds = time.perf_counter() - began
    _say(f"by hand: {hand.served_count} served, {hand.total_km:.1f} km in {hand_seconds:.1f} s")
    began = time.perf_counter()
    plan = solve(request=request, distances=roads)
    plan_seconds = time.perf_counter() - began
    reasons = Counter(str(u.reason) for u in plan.unserved)
    _say(
        f"optimised: {plan.served_count} served, {len(plan.unserved)} unserved "
        f"{dict(reasons)}, {plan.total_km:.1f} km in {plan_seconds:.1f} s"
    )
    violations = plan_violations(plan=plan, request=request, distances=roads)
    _say(f"feasibility check: {len(violations)} violations")
    urgent = urgent_visit(request=request, seed=seed + 1)
    began = time.perf_counter()
    inserted = insert_visit(plan=plan, request=request, visit=urgent, distances=roads)
    insert_seconds = time.perf_counter() - began
    where = inserted.vehicle_id or f"not placed ({inserted.unserved})"
    _say(
        f"urgent visit inserted in {1000 * insert_seconds:.1f} ms -> {where}, "
        f"+{inserted.added_distance / 1000:.2f} km"
    )
    return {
        "benchmark": "routing-city",
        "visits": visits,
        "vehicles": vehicles,
        "areas": areas,
        "solver_budget_seconds": seconds,
        "plan_seconds": round(plan_seconds, 2),
        "served": plan.served_count,
        "unserved": len(plan.unserved),
        "unserved_by_reason": dict(reasons),
        "km": round(plan.total_km, 1),
        "violations": len(violations),
        "by_hand_served": hand.served_count,
        "by_hand_unserved": len(hand.unserved),
        "by_hand_km": round(hand.total_km, 1),
        "by_hand_seconds": round(hand_seconds, 2),
        "insert_seconds": round(insert_seconds, 4),
        "insert_vehicle": inserted.vehicle_id,
        "insert_added_km": round(inserted.added_distance / 1000, 3),
    }
