"""``lifeline bench volunteers``: the two figures issue 16 asks for, in one run.

1. Sign-up burst: ``--people`` volunteers signing up at once from ``--threads`` threads for
   a shift of ``--places``, ``--repeats`` times, through ``booking_signup``, on
   PostgreSQL: on the DATABASE_URL server it creates ``<name>_bench_volunteers``, migrates
   it and runs the burst inside it (``--inner``), then drops it (unless ``--keep``):
   sign-ups per second, p50/p99 latency, overbooked shifts (must be 0) and errors.
2. Roster: ``--volunteers`` volunteers, ``--posts`` posts, three shifts a day for
   ``--days`` days, solved by the roster model (OR-Tools CP-SAT) in memory: build and solve
   seconds, the solver's status and gap, coverage and the spread of hours. Goal: ≤ 30 s
   (5 s).

Progress goes to stdout as it runs; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
from typing import Any

from lifeline.bench._database import run_inside
from lifeline.bench._volunteers_roster import run_roster
from lifeline.bench._volunteers_signup import run_signup


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--places", type=int, default=10)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--volunteers", type=int, default=500)
    parser.add_argument("--posts", type=int, default=40)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument(
        "--part", choices=("all", "signup", "roster"), default="all", help="run one part"
    )
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> dict[str, Any]:
    if args.inner:  # inside the bench database: the burst alone
        return run_signup(
            people=args.people, places=args.places, threads=args.threads, repeats=args.repeats
        )
    figures: dict[str, Any] = {}
    if args.part in ("all", "signup"):
        print(
            f"sign-up: {args.people} people, {args.places} places, {args.threads} threads, "
            f"{args.repeats} repeats",
            flush=True,
        )
        forwarded = [
            f"--people={args.people}",
            f"--places={args.places}",
            f"--threads={args.threads}",
            f"--repeats={args.repeats}",
        ]
        figures["signup"] = run_inside(
            "volunteers", "bench_volunteers", keep=args.keep, forwarded=forwarded
        )
    if args.part in ("all", "roster"):
        print(
            f"roster: {args.volunteers} volunteers, {args.posts} posts, {args.days} days",
            flush=True,
        )
        figures["roster"] = run_roster(
            volunteers=args.volunteers,
            posts=args.posts,
            days=args.days,
            time_limit=args.time_limit,
            write=print,
        )
    return figures
