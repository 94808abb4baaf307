"""``lifeline bench teams_day``: the seed scenario of route planning, timed end to end.

The demo city's gas company (17 groups, 7 shared vehicles) and 400 households low on gas,
most reachable only inside a time window, planned as the dispatcher's "plan the day" does:
visits read from the live queue, the by-hand baseline and the PyVRP plan computed and
stored. It runs in a database of its own: ``<name>_bench_teams_day`` on the PostgreSQL
server of DATABASE_URL, or a temporary SQLite file without one; dropped afterwards unless
``--keep``. Figures: seconds to plan, visits served inside their windows, unserved with
reasons, kilometres against the baseline.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from typing import Any

from django.conf import settings

from lifeline.bench._database import bench_database


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--people", type=int, default=20_000, help="demo city size")
    parser.add_argument("--visits", type=int, default=400)
    parser.add_argument("--seconds", type=float, default=20.0, help="solver time limit")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> dict[str, Any]:
    if args.inner:
        return _inner(args)
    with bench_database("bench_teams_day", keep=args.keep, sqlite_ok=True) as url:
        env = {**os.environ, "DATABASE_URL": url, "LIFELINE_LOG_LEVEL": "WARNING"}
        cli = [sys.executable, "-m", "lifeline.cli"]
        print("migrating the bench database", flush=True)
        subprocess.run([*cli, "migrate", "--no-input", "-v", "0"], env=env, check=True)  # noqa: S603
        argv = [
            *cli,
            "bench",
            "teams_day",
            "--inner",
            f"--people={args.people}",
            f"--visits={args.visits}",
            f"--seconds={args.seconds}",
        ]
        last = ""
        with subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, text=True) as child:  # noqa: S603
            assert child.stdout is not None
            for line in child.stdout:  # progress as it comes; the JSON line is the last
                if last:
                    print(last, flush=True)
                last = line.rstrip("\n")
        if child.returncode:
            raise RuntimeError(f"the planning run failed (exit {child.returncode})")
    figures: dict[str, Any] = json.loads(last)
    figures.pop("bench", None)
    return figures


def _inner(args: argparse.Namespace) -> dict[str, Any]:
    from lifeline.core import clock
    from lifeline.demo.gas_day import plan_gas_day, seed_gas_day
    from lifeline.demo.generator import generate_city
    from lifeline.teams.models import PlanStop

    print(f"generating the demo city ({args.people:,} people)", flush=True)
    generate_city(people=args.people, seed=20221105)
    day = clock.today() + dt.timedelta(days=1)
    print(f"filing {args.visits} gas orders with their windows", flush=True)
    scenario = seed_gas_day(day=day, visits=args.visits)
    print(f"planning the day (solver limit {args.seconds:g} s)", flush=True)
    started = time.perf_counter()
    plan = plan_gas_day(scenario=scenario, time_limit=args.seconds)
    took = time.perf_counter() - started
    stops = list(PlanStop.objects.filter(plan=plan))
    unserved = list(plan.unserved.all())
    in_window = sum(1 for s in stops if s.earliest <= s.start <= s.latest)
    if len(stops) + len(unserved) != args.visits or in_window != len(stops):
        raise RuntimeError("the plan lost a visit or served one outside its window")
    if any(not u.reason for u in unserved):
        raise RuntimeError("an unserved visit has no reason")
    figures = {
        "people": args.people,
        "groups": len(scenario.teams),
        "vehicles": len(scenario.vehicles),
        "visits": args.visits,
        "plan_seconds": round(took, 2),
        "solver_limit_seconds": args.seconds,
        "served_in_window": in_window,
        "unserved_with_reason": len(unserved),
        "optimised_km": round(plan.optimised_km, 1),
        "baseline_km": round(plan.baseline_km, 1),
        "baseline_missed": plan.baseline_missed,
        "km_saved": round(plan.baseline_km - plan.optimised_km, 1),
        "database": str(settings.DATABASES["default"]["ENGINE"]).rsplit(".", 1)[-1],
    }
    print(
        f"planned in {took:.1f} s: {in_window}/{args.visits} served in their windows, "
        f"{plan.optimised_km:.0f} km (by hand {plan.baseline_km:.0f} km, "
        f"{plan.baseline_missed} missed)",
        flush=True,
    )
    return figures
