"""``lifeline bench supplies``: the two figures issue 15 asks for, in one run.

1. Allocation: 20,000 open needs against 2,000 lots of 200 items (sizes are options),
   solved by the same min-cost-flow model the logistics group's proposal uses
   (``supplies.services.allocation_model``), in memory: build time, solve time, the solver's
   status (OPTIMAL is min-cost flow's proof) and what was allocated. Goal: ≤ 5 s (1 s).
2. Package burst: ``--orders`` residents ordering one package capped at ``--cap`` from
   ``--threads`` threads through ``package_order``, on PostgreSQL: on the DATABASE_URL
   server it creates ``<name>_bench_supplies``, migrates it and runs the burst inside it
   (``--inner``), then drops it (unless ``--keep``): orders per second, p50/p99 latency
   and exactly the cap accepted.

Progress goes to stdout as it runs; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
from typing import Any

from lifeline.bench._database import run_inside
from lifeline.bench._supplies_allocation import run_allocation
from lifeline.bench._supplies_burst import run_burst


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--needs", type=int, default=20_000)
    parser.add_argument("--lots", type=int, default=2_000)
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--orders", type=int, default=1_000)
    parser.add_argument("--cap", type=int, default=200)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument(
        "--part", choices=("all", "allocation", "burst"), default="all", help="run one part"
    )
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> dict[str, Any]:
    if args.inner:  # inside the bench database: the burst alone
        return run_burst(orders=args.orders, cap=args.cap, threads=args.threads, write=print)
    figures: dict[str, Any] = {}
    if args.part in ("all", "allocation"):
        print(f"allocation: {args.needs} needs, {args.lots} lots, {args.items} items", flush=True)
        figures["allocation"] = run_allocation(
            n_needs=args.needs, n_lots=args.lots, n_items=args.items, write=print
        )
    if args.part in ("all", "burst"):
        print(f"burst: {args.orders} orders, cap {args.cap}, {args.threads} threads", flush=True)
        forwarded = [f"--orders={args.orders}", f"--cap={args.cap}", f"--threads={args.threads}"]
        figures["burst"] = run_inside(
            "supplies", "bench_supplies", keep=args.keep, forwarded=forwarded
        )
    return figures
