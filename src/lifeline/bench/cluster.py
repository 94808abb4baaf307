"""``lifeline bench cluster``: a day's mixed load on the rehearsed topology and on one
server, side by side in one run.

The mix (``_cluster_mix``), through the JSON API with API tokens of users of the right
roles: intake (work-order creates) 20 %, sample registrations 30 %, lab results 10 %,
screening lists 10 %, dashboards 15 %, pass checks 15 %; every write the API lets carry an
Idempotency-Key carries one.

Two targets, in alternating rounds (single, cluster, single, cluster...), so that a noisy
shared machine weighs on both alike:

- ``cluster``: the topology ``lifeline cluster up`` started (``--base-dir``), through its
  load balancer. Without a running cluster the bench says how to start one and exits
  non-zero; with ``--up`` it starts one and stops it at the end.
- ``single``: one gunicorn the bench starts itself, with as many workers and threads as
  ONE of the cluster's app servers, on the cluster's primary directly (no pooler, no
  replica).

Both use the same database, seeded once by a child process on the primary; the seeded
rows and every row the load writes stay in the cluster's database. With ``--single-only``
only the single target runs, in a bench database of its own on DATABASE_URL's server (a
temporary SQLite file on SQLite), dropped afterwards unless ``--keep``.

Figures per target and operation: requests, ok, errors by status, requests per second,
p50/p95/p99 ms of the successful ones; the replica's lag sampled on the primary every
half second during each round, and the transactions each database committed in the
rounds of each target (what the replica served). The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from django.utils.translation import gettext as _

from lifeline.bench._cluster_mix import SEED_CODE, WEIGHTS, Mix, drive
from lifeline.bench._database import bench_database
from lifeline.bench.intake import _percentile, _python, _server

SAMPLE_EVERY = 0.5  # seconds between two readings of the replica's lag
# A backend flushes its statistics to pg_stat_database at most 10 s after it went idle
# (PostgreSQL 15's PGSTAT_IDLE_INTERVAL): wait that long before reading the counters, so
# that each round's transactions are counted in its own round.
SETTLE_SECONDS = 11.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--clients", type=int, default=12, help="client threads per target")
    parser.add_argument("--seconds", type=float, default=25.0, help="seconds of each round")
    parser.add_argument("--rounds", type=int, default=2, help="rounds per target")
    parser.add_argument("--warmup", type=float, default=5.0, help="unmeasured seconds first")
    parser.add_argument("--workers", type=int, default=None, help="single server's workers")
    parser.add_argument("--threads", type=int, default=None, help="its threads per worker")
    parser.add_argument("--people-per-grid", type=int, default=4)
    parser.add_argument("--tubes", type=int, default=1000, help="closed tubes seeded per run")
    parser.add_argument("--passes", type=int, default=200, help="signed passes to scan")
    parser.add_argument("--base-dir", type=Path, default=None, help="the cluster's folder")
    parser.add_argument("--up", action="store_true", help="start a cluster, stop it after")
    parser.add_argument(
        "--single-only",
        action="store_true",
        help="only the single server, in a bench database on DATABASE_URL's server",
    )
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--seed", type=int, default=20221105)


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(f"stopped by signal {signum}")


def _say(message: str) -> None:
    print(f"[bench cluster] {message}", flush=True)


def run(args: argparse.Namespace) -> dict[str, Any]:
    # A SIGTERM (from `timeout`, say) still stops the server and drops the database.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    from lifeline.cluster.launcher import GUNICORN_THREADS, GUNICORN_WORKERS

    args.workers = args.workers or GUNICORN_WORKERS
    args.threads = args.threads or GUNICORN_THREADS
    if args.single_only:
        return _single_only(args)
    with _cluster(args) as state:
        return _side_by_side(args, state)


def _single_only(args: argparse.Namespace) -> dict[str, Any]:
    with bench_database("bench_cluster", keep=args.keep, sqlite_ok=True) as url:
        env = {**os.environ, "DATABASE_URL": url, "LIFELINE_LOG_LEVEL": "WARNING"}
        _say("migrating the bench database")
        _python(env, "-m", "lifeline.cli", "migrate", "--no-input", "-v", "0")
        seed = _seed(env, args)
        database = Database(url if url.startswith("postgres") else None, None)
        with _server(env, args.workers, args.threads) as port:
            targets = {"single": f"http://127.0.0.1:{port}"}
            figures = _measure(targets, seed, database, args)
    return {
        "mode": "single_only",
        **figures,
        "single_server": _single_server(args),
        "database": url.split(":", 1)[0].replace("postgres", "postgresql"),
    }


@contextmanager
def _cluster(args: argparse.Namespace) -> Iterator[Any]:
    from lifeline.cluster import launcher
    from lifeline.cluster.topology import default_base_dir, load_state

    base_dir = (args.base_dir or default_base_dir()).resolve()
    state = load_state(base_dir)
    started = False
    if state is None or not _answers(state):
        if not args.up:
            message = _(
                "No cluster runs in %(dir)s: start one with 'lifeline cluster up' "
                "(or run 'lifeline bench cluster --up', or '--single-only')."
            )
            raise SystemExit(message % {"dir": base_dir})
        _say(f"starting a cluster in {base_dir}")
        state = launcher.cluster_up(base_dir=base_dir, app_servers=2, workers=2, write=_say)
        started = True
    try:
        yield state
    finally:
        if started:
            launcher.cluster_down(base_dir=base_dir, purge=False, write=_say)


def _answers(state: Any) -> bool:
    from lifeline.cluster.configs import HEALTH_CHECK_PATH
    from lifeline.cluster.processes import http_status

    return http_status(state.ports.balancer, HEALTH_CHECK_PATH) == 200


def _side_by_side(args: argparse.Namespace, state: Any) -> dict[str, Any]:
    from lifeline.cluster.launcher import app_env

    # What the cluster's own seeding sees: the primary directly, the shared var/ folder.
    env = {**app_env(state), "DATABASE_URL": state.primary_dsn}
    env.pop("LIFELINE_DB_POOLER", None)
    env.pop("DATABASE_REPLICA_URL", None)
    _say(f"cluster: load balancer {state.lb_url}, app servers {', '.join(state.app_urls)}")
    seed = _seed(env, args)
    database = Database(state.primary_dsn, state.replica_dsn)
    with _server(env, args.workers, args.threads) as port:
        targets = {"single": f"http://127.0.0.1:{port}", "cluster": state.lb_url}
        figures = _measure(targets, seed, database, args)
    from lifeline.cluster.topology import load_state

    # A failover during the run (a drill, say) makes the cluster's figures those of an
    # outage: said here, beside them.
    now = load_state(state.base)
    moved = now is None or now.primary_dsn != state.primary_dsn
    return {
        "mode": "side_by_side",
        "primary_changed_during_run": moved,
        **figures,
        "single_server": _single_server(args),
        "cluster": {
            "lb_url": state.lb_url,
            "app_servers": len(state.app_urls),
            "workers": len(state.workers),
            "database": "primary + streaming replica behind PgBouncer (transaction pooling)",
        },
        "cluster_to_single_ok_per_second": _ratio(figures["targets"]),
        "rows_kept": "the seed's and the load's rows stay in the cluster's database",
        "database": "postgresql",
    }


def _single_server(args: argparse.Namespace) -> str:
    from lifeline.cluster.launcher import GUNICORN_THREADS, GUNICORN_WORKERS

    where = (
        "on a bench database of its own"
        if args.single_only
        else "on the cluster's primary directly: no pooler, no replica"
    )
    return (
        f"gunicorn {args.workers} workers x {args.threads} threads {where} (each of the "
        f"cluster's app servers: {GUNICORN_WORKERS} workers x {GUNICORN_THREADS} threads)"
    )


def _ratio(targets: dict[str, Any]) -> float | None:
    single = targets["single"]["ok_per_second"]
    return round(targets["cluster"]["ok_per_second"] / single, 2) if single else None


def _seed(env: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    options = {"people_per_grid": args.people_per_grid, "tubes": args.tubes, "passes": args.passes}
    _say("seeding: the city, residents, users and tokens, closed tubes, signed passes")
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SEED_CODE, json.dumps(options)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"seeding failed: {done.stderr.strip()[-2000:]}")
    seed = json.loads(done.stdout.strip().splitlines()[-1])
    _say(
        f"seeded in {time.perf_counter() - started:.1f} s: {len(seed['grids'])} grids, "
        f"{len(seed['people'])} residents, {len(seed['closed_tubes'])} closed tubes, "
        f"{len(seed['passes'])} passes"
    )
    return seed


@dataclass
class Database:
    """The primary's and the replica's DSNs, for the lag and the transaction counters."""

    primary: str | None
    replica: str | None

    def counters(self) -> dict[str, int]:
        found = {}
        for name, dsn in (("primary", self.primary), ("replica", self.replica)):
            row = _query(dsn, "SELECT xact_commit, tup_returned + tup_fetched FROM "
                         "pg_stat_database WHERE datname = current_database()")  # fmt: skip
            if row is not None:
                found[f"{name}_transactions"], found[f"{name}_rows_read"] = int(row[0]), int(row[1])
        return found

    def lag(self) -> tuple[float, int] | None:
        row = _query(
            self.primary if self.replica else None,
            "SELECT coalesce(EXTRACT(EPOCH FROM replay_lag), 0), "
            "coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), 0) "
            "FROM pg_stat_replication LIMIT 1",
        )
        return (float(row[0]), int(row[1])) if row is not None else None


def _query(dsn: str | None, sql: str) -> tuple[Any, ...] | None:
    if not dsn:
        return None
    import psycopg

    try:
        with psycopg.connect(dsn, connect_timeout=3) as conn:
            return conn.execute(sql).fetchone()
    except psycopg.Error:
        return None


@dataclass
class Tally:
    """A target's answers over its rounds: (status, seconds) per operation."""

    seconds: float = 0.0
    answers: dict[str, list[tuple[int, float]]] = field(default_factory=lambda: defaultdict(list))
    outcomes: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    examples: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    lag: list[tuple[float, int]] = field(default_factory=list)
    counters: Counter[str] = field(default_factory=Counter)
    resets: int = 0  # rounds whose counters went down: a restart or a promotion


def _measure(
    targets: dict[str, str], seed: dict[str, Any], database: Database, args: argparse.Namespace
) -> dict[str, Any]:
    tallies = {name: Tally() for name in targets}
    # Each target reports on a backlog of its own: the first must not drain the other's.
    tubes = seed["closed_tubes"]
    mixes = {name: Mix(seed, tubes[n :: len(targets)]) for n, name in enumerate(targets)}
    for name, url in targets.items():
        mix = mixes[name]
        drive(url, mix, clients=args.clients, seconds=args.warmup, tag=f"w{name[0]}", seed=0)
        _say(f"{name}: warmed up for {args.warmup:g} s ({url})")
    for n in range(args.rounds):
        for name, url in targets.items():
            tally = tallies[name]
            before = database.counters()
            with _sampling(database) as lag:
                wall, answers = drive(
                    url, mixes[name], clients=args.clients, seconds=args.seconds,
                    tag=f"{name[0]}{n}", seed=args.seed + n,
                )  # fmt: skip
            if database.primary:
                time.sleep(SETTLE_SECONDS)
            after = database.counters()
            deltas = {k: after[k] - before[k] for k in after if k in before}
            if any(v < 0 for v in deltas.values()):
                tally.resets += 1
            else:
                tally.counters.update(deltas)
            tally.seconds += wall
            tally.lag += lag
            for op, items in answers.statuses.items():
                tally.answers[op] += items
                tally.outcomes[op].update(answers.outcomes[op])
                tally.examples[op] |= answers.examples[op]
            ok = sum(
                1
                for items in answers.statuses.values()
                for status, _seconds in items
                if 200 <= status < 300
            )
            total = sum(len(items) for items in answers.statuses.values())
            _say(f"round {n + 1} {name}: {total / wall:.1f} req/s, {ok}/{total} ok")
    return {
        "clients": args.clients,
        "seconds_per_round": args.seconds,
        "rounds": args.rounds,
        "mix_weights_percent": WEIGHTS,
        "targets": {name: _figures(tally) for name, tally in tallies.items()},
    }


@contextmanager
def _sampling(database: Database) -> Iterator[list[tuple[float, int]]]:
    readings: list[tuple[float, int]] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(SAMPLE_EVERY):
            found = database.lag()
            if found is not None:
                readings.append(found)

    thread = threading.Thread(target=sample, daemon=True)
    if database.replica:
        thread.start()
    try:
        yield readings
    finally:
        stop.set()
        if thread.is_alive():
            thread.join(timeout=10)


def _figures(tally: Tally) -> dict[str, Any]:
    operations = {
        op: {
            **_op_figures(tally.answers.get(op, []), tally.seconds),
            **({"outcomes": dict(tally.outcomes[op])} if tally.outcomes.get(op) else {}),
            **({"error_examples": sorted(tally.examples[op])} if tally.examples.get(op) else {}),
        }
        for op in WEIGHTS
    }
    requests = sum(f["requests"] for f in operations.values())
    ok = sum(f["ok"] for f in operations.values())
    errors: Counter[str] = Counter()
    for f in operations.values():
        errors.update(f["errors"])
    seconds = tally.seconds or 1.0
    out: dict[str, Any] = {
        "seconds": round(tally.seconds, 1),
        "requests": requests,
        "ok": ok,
        "errors": dict(sorted(errors.items())),
        "requests_per_second": round(requests / seconds, 1),
        "ok_per_second": round(ok / seconds, 1),
        "operations": operations,
        **dict(tally.counters),
    }
    if tally.resets:
        out["rounds_with_counters_reset"] = tally.resets
    if tally.lag:
        seconds_lag = sorted(seconds for seconds, _bytes in tally.lag)
        bytes_lag = sorted(float(b) for _, b in tally.lag)
        out["replica_lag"] = {
            "samples": len(tally.lag),
            "max_seconds": round(seconds_lag[-1], 3),
            "p95_seconds": round(_percentile(seconds_lag, 95), 3),
            "max_bytes": int(bytes_lag[-1]),
            "p95_bytes": int(_percentile(bytes_lag, 95)),
        }
    return out


def _op_figures(answers: list[tuple[int, float]], seconds: float) -> dict[str, Any]:
    ms = sorted(t * 1000 for s, t in answers if 200 <= s < 300)
    errors = Counter(str(status) for status, _seconds in answers if not 200 <= status < 300)
    return {
        "requests": len(answers),
        "ok": len(ms),
        "errors": dict(sorted(errors.items())),
        "requests_per_second": round(len(answers) / seconds, 1) if seconds else 0.0,
        "p50_ms": round(_percentile(ms, 50), 1),
        "p95_ms": round(_percentile(ms, 95), 1),
        "p99_ms": round(_percentile(ms, 99), 1),
    }
