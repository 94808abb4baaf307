"""``lifeline bench outage --people N``: the impact of an outage on a city of N people.

On a database of its own (PostgreSQL ``<name>_outage``, or SQLite in a temporary folder
without ``DATABASE_URL``), dropped afterwards unless ``--keep``: it migrates, generates the
demo city of N people (``lifeline demo --no-serve``, which also registers the 73 key
users), hangs every building on a feeder of the power company (``--buildings-per-feeder``
consecutive buildings each) and the key users on feeders too, then times what an
interruption's page and its publishing compute: ``keyusers.selectors.impact_of`` (supply
points → key users + households with a supply-dependent need, with their phones) for
``--outages`` random single feeders and as many random stations of ten feeders. Figures:
people, buildings, feeders, the impact's p50/p99/max in ms for a feeder and for a station,
the households and key users found per outage, and ``within_1s`` (every impact computed in
at most 1 s).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
from typing import Any

from lifeline.bench import registry as registry_bench
from lifeline.bench._database import bench_database

PROBE = "lifeline.bench._outage_probe"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--people", type=int, default=4_000_000)
    parser.add_argument("--buildings-per-feeder", type=int, default=120)
    parser.add_argument("--outages", type=int, default=100, help="outages timed of each size")
    parser.add_argument("--seed", type=int, default=20221105)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")


def run(args: argparse.Namespace) -> dict[str, Any]:
    signal.signal(signal.SIGTERM, registry_bench._exit_on_sigterm)
    with bench_database("outage", keep=args.keep, sqlite_ok=True) as url:
        env = {**os.environ, "DATABASE_URL": url, "LIFELINE_LOG_LEVEL": "WARNING"}
        print(f"bench database: {registry_bench._redact(url)}", flush=True)
        registry_bench._lifeline(env, "migrate", "--no-input", "-v", "0")
        city = registry_bench._generate(env, args)
        code = (
            f"from {PROBE} import main\n"
            f"main(per_feeder={args.buildings_per_feeder}, outages={args.outages}, "
            f"seed={args.seed})"
        )
        output = registry_bench._lifeline(env, "shell", "-c", code, capture=True)
        figures = json.loads(output.strip().splitlines()[-1])
    return {
        "people": city["people"],
        "households": city["households"],
        "vulnerabilities": city["vulnerabilities"],
        "generation_seconds": city["seconds"],
        **figures,
    }
