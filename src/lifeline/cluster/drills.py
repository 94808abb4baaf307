"""``lifeline cluster drill NAME``: failures staged under load on the running cluster.

Each drill prints its steps and findings as lines and returns its figures; ``ok`` is
false when an acknowledged write is missing from the database or an app answered 500.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from django.utils.translation import gettext as _

from lifeline.cluster import launcher
from lifeline.cluster.load import Answer, Load, acknowledged_without_id, missing_orders, summarise
from lifeline.cluster.processes import (
    alive,
    http_status,
    kill_group,
    reap,
    run,
    stop_group,
    wait_until,
)
from lifeline.cluster.status import balancer_servers
from lifeline.cluster.topology import ClusterState, save_state

Write = Callable[[str], None]


def run_drill(
    name: str, *, state: ClusterState, seconds: float | None, clients: int, write: Write
) -> dict[str, Any]:
    if not 1 <= clients <= 64:
        raise launcher.ClusterError(_("Between 1 and 64 client threads."))
    if seconds is not None and not 5 <= seconds <= 300:
        raise launcher.ClusterError(_("Between 5 and 300 seconds of load."))
    drill, default_seconds = DRILLS[name]
    return drill(state=state, seconds=seconds or default_seconds, clients=clients, write=write)


def _ready(state: ClusterState) -> None:
    down = [p.name for p in state.app_servers if not alive(p.pid)]
    if down or http_status(state.ports.balancer, "/login/") != 200:
        raise launcher.ClusterError(
            _("The cluster is not fully running (%(down)s): run 'lifeline cluster up'.")
            % {"down": ", ".join(down) or "haproxy"}
        )


def _load(state: ClusterState, clients: int, write: Write) -> Load:
    write(_("Load: %(clients)s clients filing work orders through %(url)s")
          % {"clients": clients, "url": state.lb_url})  # fmt: skip
    return Load(
        port=state.ports.balancer, token=state.api_token, grids=state.grids, clients=clients
    ).start()


def _verdict(state: ClusterState, answers: list[Answer], write: Write) -> dict[str, Any]:
    figures = summarise(answers)
    missing = missing_orders(state.primary_dsn, answers)
    figures["acknowledged_missing"] = len(missing)
    figures["acknowledged_without_id"] = acknowledged_without_id(answers)
    figures["ok"] = bool(figures["acknowledged"]) and not missing and not figures["status_500"]
    write(_("%(requests)s requests, %(ack)s acknowledged (201); statuses %(statuses)s")
          % {"requests": figures["requests"], "ack": figures["acknowledged"],
             "statuses": figures["statuses"]})  # fmt: skip
    write(_("Acknowledged writes missing from the primary: %(n)s") % {"n": len(missing)})
    write(_("Answers 500: %(n)s") % {"n": figures["status_500"]})
    return figures


def _log_offsets(state: ClusterState) -> dict[Path, int]:
    logs = [state.base / "logs" / f"{p.name}.log" for p in state.app_servers]
    return {log: log.stat().st_size if log.exists() else 0 for log in logs}


def _tracebacks(offsets: dict[Path, int], write: Write) -> list[str]:
    """The app servers' tracebacks written since ``offsets`` (for a 500 seen): the first
    in full, and the exception each ended with (returned, distinct)."""
    found = []
    for log, offset in offsets.items():
        if not log.exists():
            continue
        with log.open("rb") as fh:
            fh.seek(offset)
            text = fh.read().decode(errors="replace")
        for chunk in text.split("Traceback (most recent call last):")[1:]:
            found.append("Traceback (most recent call last):" + chunk)
    if found:
        write(found[0][:6000].rstrip())
    endings = [_last_exception(trace) for trace in found]
    return sorted(set(endings))


def _last_exception(trace: str) -> str:
    """The exception line: the first after the header that is not an indented frame."""
    for line in trace.splitlines()[1:]:
        if line.strip() and not line.startswith((" ", "\t")):
            return line[:300]
    return ""


def app_kill(*, state: ClusterState, seconds: float, clients: int, write: Write) -> dict[str, Any]:
    """kill -9 one app server (master and workers) under load, then start it again."""
    _ready(state)
    victim = state.app_servers[0]
    offsets = _log_offsets(state)
    load = _load(state, clients, write)
    time.sleep(seconds / 3)
    killed_at = time.monotonic()
    kill_group(victim.pid, signal.SIGKILL)
    write(_("kill -9 of %(name)s (process group %(pid)s: gunicorn master and workers)")
          % {"name": victim.name, "pid": victim.pid})  # fmt: skip
    time.sleep(seconds * 2 / 3)
    load.stop()
    reap()
    figures = _verdict(state, load.answers, write)
    after = [a for a in load.answers if a.started >= killed_at]
    figures["after_kill"] = summarise(after)["statuses"]
    write(_("Answers after the kill: %(statuses)s") % {"statuses": figures["after_kill"]})
    if figures["status_500"]:
        figures["tracebacks"] = _tracebacks(offsets, write)
    launcher.start_app_server(state, victim)
    save_state(state)
    wait_until(lambda: http_status(victim.port, "/login/") == 200, timeout=90, what=victim.name)
    wait_until(
        lambda: balancer_servers(state.base / "haproxy" / "admin.sock").get(victim.name) == "UP",
        timeout=30,
        what="haproxy",
    )
    write(_("Restarted %(name)s (pid %(pid)s); the load balancer has it back in rotation")
          % {"name": victim.name, "pid": victim.pid})  # fmt: skip
    return {"seconds": seconds, "clients": clients, "killed": victim.name, **figures}


def db_stop(*, state: ClusterState, seconds: float, clients: int, write: Write) -> dict[str, Any]:
    """Stop the primary immediately (a crash) under load, start it again, check writes."""
    _ready(state)
    primary = state.primary
    offsets = _log_offsets(state)
    load = _load(state, clients, write)
    time.sleep(seconds * 0.25)
    stopped_at = time.monotonic()
    launcher.node_stop(state, primary, "immediate")
    write(_("pg_ctl stop -m immediate on the primary (port %(port)s)") % {"port": primary.port})
    time.sleep(seconds * 0.35)
    launcher.node_start(state, primary)
    started_at = time.monotonic()
    write(_("Primary started again after %(s).1f s down (crash recovery included)")
          % {"s": started_at - stopped_at})  # fmt: skip
    time.sleep(seconds * 0.4)
    load.stop()
    figures = _verdict(state, load.answers, write)
    during = [a for a in load.answers if stopped_at <= a.started < started_at]
    figures["while_down"] = summarise(during)
    first_ok = min((a.ended for a in load.answers if a.status == 201 and a.started >= started_at),
                   default=None)  # fmt: skip
    figures["down_seconds"] = round(started_at - stopped_at, 1)
    figures["stop_to_first_write_seconds"] = (
        round(first_ok - stopped_at, 1) if first_ok is not None else None
    )
    write(_("While the primary was down: %(statuses)s; in the API's error shape: %(shape)s")
          % {"statuses": figures["while_down"]["statuses"],
             "shape": figures["while_down"]["errors_in_api_shape"]})  # fmt: skip
    if figures["status_500"]:
        figures["tracebacks"] = _tracebacks(offsets, write)
    figures["workers_exited"] = _restart_exited_workers(state, write)
    return {"seconds": seconds, "clients": clients, **figures}


def _restart_exited_workers(state: ClusterState, write: Write) -> list[str]:
    """Workers that exited during the drill, started again as a supervisor would."""
    exited = [p for p in state.workers if not alive(p.pid)]
    reap()
    for process in exited:
        write(_("%(name)s exited during the drill (see logs/%(name)s.log); started again")
              % {"name": process.name})  # fmt: skip
        launcher.start_worker(state, process)
    if exited:
        save_state(state)
    return [p.name for p in exited]


def promote(*, state: ClusterState, seconds: float, clients: int, write: Write) -> dict[str, Any]:
    """Stop the primary, promote the replica, repoint the pooler; time the switch."""
    _ready(state)
    old, new = state.primary, state.replica
    if new is None:
        raise launcher.ClusterError(_("No replica to promote: run 'lifeline cluster up' first."))
    offsets = _log_offsets(state)
    load = _load(state, clients, write)
    time.sleep(seconds * 0.25)
    t0 = time.monotonic()
    steps: dict[str, float] = {}
    launcher.node_stop(state, old, "fast")
    steps["primary_stopped"] = time.monotonic() - t0
    write(_("1. pg_ctl stop -m fast on the primary (port %(port)s)") % {"port": old.port})
    run(launcher.pg_ctl(state, new, "promote", "-w", "-t", "60"), timeout=90)
    steps["replica_promoted"] = time.monotonic() - t0
    write(_("2. pg_ctl promote on the replica (port %(port)s): it takes writes")
          % {"port": new.port})  # fmt: skip
    old.role, new.role = "retired", "primary"
    launcher.write_pooler_config(state)
    kill_group(state.pooler.pid, signal.SIGHUP)
    steps["pooler_reloaded"] = time.monotonic() - t0
    save_state(state)
    write(_("3. PgBouncer's databases repointed at port %(port)s, reloaded (SIGHUP)")
          % {"port": new.port})  # fmt: skip
    time.sleep(seconds * 0.75)
    load.stop()
    first = min((a.ended for a in load.answers if a.status == 201 and a.started >= t0 + 0.001
                 and a.ended > t0 + steps["primary_stopped"]), default=None)  # fmt: skip
    steps["first_write_through_balancer"] = first - t0 if first is not None else -1.0
    for step, at in steps.items():
        write(_("  %(step)s: %(s).2f s after the stop began") % {"step": step, "s": at})
    figures = _verdict(state, load.answers, write)
    figures["ok"] = figures["ok"] and first is not None
    if figures["status_500"]:
        figures["tracebacks"] = _tracebacks(offsets, write)
    write(_("The cluster now runs on the promoted node (port %(port)s) without a replica. "
            "'lifeline cluster up' builds a new replica from it in the former primary's "
            "place (a fresh pg_basebackup); 'lifeline cluster down --purge' then 'up' starts "
            "over.") % {"port": new.port})  # fmt: skip
    figures["workers_exited"] = _restart_exited_workers(state, write)
    timings = {k: round(v, 2) for k, v in steps.items()}
    return {"seconds": seconds, "clients": clients, "timings_s": timings, **figures}


def worker_kill(
    *, state: ClusterState, seconds: float, clients: int, write: Write
) -> dict[str, Any]:
    """The worker-loss drill (``lifeline.cluster.worker_drill``), with its own workers:
    the cluster's are stopped meanwhile, so that only the drill's take its work."""
    if importlib.util.find_spec("lifeline.cluster.worker_drill") is None:
        raise launcher.ClusterError(_("The worker drill is not available in this version."))
    from lifeline.cluster.worker_drill import worker_kill_drill

    for process in state.workers:
        stop_group(process.pid)
    write(_("The cluster's workers are stopped while the drill runs its own"))
    _release_orphan_claims(state, write)
    # The texts the other drills' work orders queued are sent first; those the sweeps keep
    # queueing (escalations of the drills' orders) the drill's gateway takes and counts
    # apart: the rehearsal city's texts are synthetic.
    run([sys.executable, "-m", "lifeline.cli", "worker", "--once"], env=launcher.app_env(state))
    try:
        result = worker_kill_drill(
            database_url=state.primary_dsn,
            workdir=state.base / "drills" / "worker-kill",
            write=write,
            workers=3,
            allow_other_texts=True,
        )
    finally:
        for process in state.workers:
            launcher.start_worker(state, process)
        save_state(state)
        write(_("The cluster's workers are started again"))
    failed = any(result.get(k) for k in ("lost", "tasks_stuck_running", "tasks_failed"))
    return {"ok": bool(result.get("ok", not failed)), **result}


def _release_orphan_claims(state: ClusterState, write: Write) -> None:
    """With every worker of the cluster stopped, a text still claimed was claimed by a
    worker that died (a database outage ends a worker): hand it back now instead of
    waiting out its lease (ten minutes)."""
    sql = (
        "UPDATE core_outboxmessage SET claimed_by = '', claimed_until = NULL, "
        "next_attempt_at = now() WHERE status = 'pending' AND claimed_until IS NOT NULL"
    )
    with psycopg.connect(state.primary_dsn, connect_timeout=5, autocommit=True) as conn:
        released = conn.execute(sql).rowcount
    if released:
        write(_("%(n)s texts claimed by workers that died were handed back") % {"n": released})


def backup(*, state: ClusterState, seconds: float, clients: int, write: Write) -> dict[str, Any]:
    """The backup and restore drill (``lifeline.cluster.backup``) against the primary."""
    if importlib.util.find_spec("lifeline.cluster.backup") is None:
        raise launcher.ClusterError(_("The backup drill is not available in this version."))
    from lifeline.cluster.backup import backup_drill

    workdir = state.base / "drills" / time.strftime("backup-%Y%m%d-%H%M%S")
    workdir.parent.mkdir(mode=0o755, exist_ok=True)
    # The verify of the copy needs the cluster's keys and audit checkpoints.
    previous = os.environ.get("LIFELINE_VAR_DIR")
    os.environ["LIFELINE_VAR_DIR"] = str(state.base / "var")
    try:
        result = backup_drill(
            source_dsn=state.primary_dsn,
            pg_bindir=Path(state.pg_bindir),
            workdir=workdir,
            port=state.ports.backup,
            write=write,
        )
    finally:
        if previous is None:
            os.environ.pop("LIFELINE_VAR_DIR", None)
        else:
            os.environ["LIFELINE_VAR_DIR"] = previous
    return {"ok": bool(result.get("ok", True)), **result}


Drill = Callable[..., dict[str, Any]]
DRILLS: dict[str, tuple[Drill, float]] = {
    "app-kill": (app_kill, 15.0),
    "db-stop": (db_stop, 20.0),
    "promote": (promote, 16.0),
    "worker-kill": (worker_kill, 0.0),
    "backup": (backup, 0.0),
}
