"""``lifeline cluster up`` and ``down``: start what is missing, stop what was started."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import psycopg
from django.utils.translation import gettext as _

from lifeline.bench.intake import SEED_CODE
from lifeline.cluster import configs
from lifeline.cluster.processes import (
    alive,
    as_postgres,
    find_program,
    give_to_postgres,
    http_status,
    is_root,
    kill_group,
    port_open,
    run,
    spawn,
    stop_group,
    wait_until,
)
from lifeline.cluster.topology import (
    DATABASE,
    ClusterState,
    PgNode,
    Process,
    load_state,
    new_state,
    save_state,
)

Write = Callable[[str], None]
PACKAGES = {"haproxy": "haproxy", "pgbouncer": "pgbouncer"}
# Per app server, on a machine of two cores: threads overlap the waits on PostgreSQL.
GUNICORN_WORKERS, GUNICORN_THREADS = 2, 4


class ClusterError(Exception):
    """A step of the cluster failed; the message says which and why."""


def ensure_packages(write: Write) -> None:
    missing = [pkg for prog, pkg in PACKAGES.items() if not find_program(prog)]
    if not missing:
        return
    if not is_root():
        raise ClusterError(
            _("Missing: %(names)s. Install them as root: apt-get install -y %(names)s")
            % {"names": " ".join(missing)}
        )
    write(_("Installing from Debian: %(names)s") % {"names": " ".join(missing)})
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run(["apt-get", "update", "-qq"], env=env, timeout=600)
    run(["apt-get", "install", "-y", "-qq", *missing], env=env, timeout=900)


def pg_bindir() -> Path:
    pg_config = find_program("pg_config")
    if not pg_config:
        raise ClusterError(_("pg_config was not found: install postgresql (Debian)."))
    return Path(run([pg_config, "--bindir"]).strip())


def pg_ctl(state: ClusterState, node: PgNode, *args: str) -> list[str]:
    return as_postgres(
        [str(Path(state.pg_bindir) / "pg_ctl"), "-D", str(node.data_dir(state.base)), *args]
    )


def node_running(state: ClusterState, node: PgNode) -> bool:
    if not node.data_dir(state.base).exists():
        return False
    done = subprocess.run(pg_ctl(state, node, "status"), capture_output=True, check=False)  # noqa: S603
    return done.returncode == 0


def node_start(state: ClusterState, node: PgNode) -> None:
    log = str(node.log_file(state.base))
    run(pg_ctl(state, node, "start", "-w", "-t", "120", "-l", log), timeout=150)


def node_stop(state: ClusterState, node: PgNode, mode: str = "fast") -> None:
    run(pg_ctl(state, node, "stop", "-m", mode, "-w", "-t", "120"), timeout=150)


def everything_alive(state: ClusterState) -> bool:
    return (
        state.replica is not None
        and all(node_running(state, n) for n in state.nodes if n.role != "retired")
        and all(alive(p.pid) for p in [state.pooler, state.balancer])
        and all(alive(p.pid) for p in state.app_servers + state.workers)
    )


def cluster_up(*, base_dir: Path, app_servers: int, workers: int, write: Write) -> ClusterState:
    """Start every part of the cluster that is not running; a running cluster is left as
    it is. Returns its state (also written to the state file)."""
    if app_servers < 1 or workers < 1:
        raise ClusterError(_("At least one app server and one worker."))
    state = load_state(base_dir)
    if state is not None and everything_alive(state):
        write(_("The cluster in %(dir)s is already running.") % {"dir": base_dir})
        return state
    ensure_packages(write)
    if state is None:
        state = new_state(
            base_dir=base_dir, pg_bindir=pg_bindir(), app_servers=app_servers, workers=workers
        )
    _prepare_folders(state)
    save_state(state)
    _ensure_primary(state, write)
    _ensure_replica(state, write)
    _ensure_pooler(state, write)
    _migrate_and_seed(state, write)
    save_state(state)
    for process in state.app_servers:
        _ensure_app_server(state, process, write)
    save_state(state)
    for process in state.app_servers:
        wait_until(
            lambda p=process: http_status(p.port, configs.HEALTH_CHECK_PATH) == 200,  # type: ignore[misc]
            timeout=90,
            what=process.name,
            pid=process.pid,
        )
    _ensure_balancer(state, write)
    for process in state.workers:
        _ensure_worker(state, process, write)
    save_state(state)
    write(_("Load balancer: %(url)s") % {"url": state.lb_url})
    return state


def _prepare_folders(state: ClusterState) -> None:
    base = state.base
    base.mkdir(parents=True, exist_ok=True)
    base.chmod(0o755)
    give_to_postgres(base / "postgres", 0o755)
    give_to_postgres(base / "postgres" / "run", 0o755)
    give_to_postgres(base / "postgres" / "wal-archive", 0o700)
    give_to_postgres(base / "pgbouncer", 0o755)
    for name in ("haproxy", "logs"):
        (base / name).mkdir(exist_ok=True)
    (base / "var").mkdir(mode=0o700, exist_ok=True)


def _ensure_primary(state: ClusterState, write: Write) -> None:
    node = state.primary
    data = node.data_dir(state.base)
    if not data.exists():
        write(_("initdb: %(dir)s") % {"dir": data})
        initdb = str(Path(state.pg_bindir) / "initdb")
        run(as_postgres([initdb, "-D", str(data), "-U", "postgres", "-A", "trust",
                         "-E", "UTF8", "--locale=C.UTF-8"]))  # fmt: skip
        with (data / "postgresql.conf").open("a", encoding="utf-8") as fh:
            fh.write(configs.postgresql_conf(node=node, base=state.base))
        (data / "pg_hba.conf").write_text(configs.pg_hba_conf(), encoding="utf-8")
    if not node_running(state, node):
        node_start(state, node)
        write(_("PostgreSQL %(role)s on port %(port)s") % {"role": node.role, "port": node.port})
    with psycopg.connect(_admin_dsn(node.port), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE}"')


def _admin_dsn(port: int) -> str:
    return f"postgres://postgres@127.0.0.1:{port}/postgres"


def _ensure_replica(state: ClusterState, write: Write) -> None:
    node = state.replica
    if node is None:
        # After a promotion: the former primary's place takes a fresh copy of the new one.
        node = next((n for n in state.nodes if n.role == "retired"), None)
        if node is None:
            return
        if node_running(state, node):
            node_stop(state, node)
        shutil.rmtree(node.data_dir(state.base))
        node.role = "replica"
        save_state(state)
    data = node.data_dir(state.base)
    if not data.exists():
        write(_("pg_basebackup from the primary into %(dir)s") % {"dir": data})
        basebackup = str(Path(state.pg_bindir) / "pg_basebackup")
        run(as_postgres([basebackup, "-h", "127.0.0.1", "-p", str(state.primary.port),
                         "-U", "postgres", "-D", str(data), "-R", "-X", "stream",
                         "-c", "fast"]), timeout=600)  # fmt: skip
        with (data / "postgresql.conf").open("a", encoding="utf-8") as fh:
            fh.write(configs.replica_conf(node=node))
    if not node_running(state, node):
        node_start(state, node)
        write(_("PostgreSQL %(role)s on port %(port)s") % {"role": node.role, "port": node.port})


def write_pooler_config(state: ClusterState) -> Path:
    folder = state.base / "pgbouncer"
    replica = state.replica or state.primary
    ini = folder / "pgbouncer.ini"
    ini.write_text(
        configs.pgbouncer_ini(
            state=state, primary_port=state.primary.port, replica_port=replica.port
        ),
        encoding="utf-8",
    )
    (folder / "userlist.txt").write_text(configs.pgbouncer_userlist(), encoding="utf-8")
    return ini


def _ensure_pooler(state: ClusterState, write: Write) -> None:
    ini = write_pooler_config(state)
    if alive(state.pooler.pid):
        kill_group(state.pooler.pid, signal.SIGHUP)  # reload: the nodes may have changed
        return
    if port_open(state.ports.pooler):
        raise ClusterError(_("Port %(port)s is taken.") % {"port": state.ports.pooler})
    program = find_program("pgbouncer") or "pgbouncer"
    # Started by root, PgBouncer reads its config and then becomes the postgres user.
    argv = [program, "-u", "postgres", str(ini)] if is_root() else [program, str(ini)]
    state.pooler = Process("pgbouncer", spawn(argv, log=state.base / "pgbouncer" / "pgbouncer.log"))
    state.pooler.port = state.ports.pooler
    wait_until(lambda: port_open(state.ports.pooler), timeout=30, what="pgbouncer")
    write(_("PgBouncer (transaction pooling) on port %(port)s") % {"port": state.ports.pooler})


def app_env(state: ClusterState) -> dict[str, str]:
    """The environment of the app servers and workers: through the pooler, with the
    replica for reads, and one var/ folder shared by all (the same generated keys)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "LIFELINE_"))}
    env.update(
        DATABASE_URL=state.pooler_dsn,
        LIFELINE_DB_POOLER="transaction",
        LIFELINE_VAR_DIR=str(state.base / "var"),
        LIFELINE_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    if state.replica is not None:
        env["DATABASE_REPLICA_URL"] = state.pooler_replica_dsn
    return env


def _migrate_and_seed(state: ClusterState, write: Write) -> None:
    # Once, on a new cluster (later migrations are an upgrade's business: docs/operations.md).
    # Directly on the primary, before any app server starts: migrate also generates the
    # keys in the shared var/ folder, which several processes must not race to create.
    if state.api_token:
        return
    env = {**app_env(state), "DATABASE_URL": state.primary_dsn}
    env.pop("LIFELINE_DB_POOLER", None)
    env.pop("DATABASE_REPLICA_URL", None)
    write(_("Migrating the database on the primary"))
    run([sys.executable, "-m", "lifeline.cli", "migrate", "--no-input", "-v", "0"], env=env)
    seeded = json.loads(run([sys.executable, "-c", SEED_CODE], env=env).strip().splitlines()[-1])
    state.api_token, state.grids = seeded["token"], seeded["grids"]
    write(_("Seeded a city of %(grids)s grids and a machine user with an API token")
          % {"grids": len(state.grids)})  # fmt: skip


def app_server_argv(state: ClusterState, process: Process) -> list[str]:
    return [
        sys.executable, "-m", "gunicorn", "lifeline.wsgi",
        "-w", str(GUNICORN_WORKERS), "--threads", str(GUNICORN_THREADS),
        "-b", f"127.0.0.1:{process.port}", "--reuse-port",
        "--timeout", "30", "--graceful-timeout", "10", "--keep-alive", "30",
        "--logger-class", "lifeline.core.log_redaction.GunicornLogger",
    ]  # fmt: skip


def start_app_server(state: ClusterState, process: Process) -> None:
    process.pid = spawn(
        app_server_argv(state, process),
        log=state.base / "logs" / f"{process.name}.log",
        env=app_env(state),
    )


def _ensure_app_server(state: ClusterState, process: Process, write: Write) -> None:
    if alive(process.pid):
        return
    if port_open(process.port):
        raise ClusterError(_("Port %(port)s is taken.") % {"port": process.port})
    start_app_server(state, process)
    write(_("App server %(name)s: gunicorn on port %(port)s (pid %(pid)s)")
          % {"name": process.name, "port": process.port, "pid": process.pid})  # fmt: skip


def _ensure_balancer(state: ClusterState, write: Write) -> None:
    cfg = state.base / "haproxy" / "haproxy.cfg"
    cfg.write_text(configs.haproxy_cfg(state=state), encoding="utf-8")
    if alive(state.balancer.pid):
        return
    program = find_program("haproxy") or "haproxy"
    run([program, "-c", "-q", "-f", str(cfg)])
    state.balancer = Process("haproxy", port=state.ports.balancer)
    state.balancer.pid = spawn(
        [program, "-db", "-f", str(cfg)], log=state.base / "logs" / "haproxy.log"
    )
    wait_until(lambda: port_open(state.ports.balancer), timeout=30, what="haproxy")
    write(_("HAProxy on port %(port)s") % {"port": state.ports.balancer})


def start_worker(state: ClusterState, process: Process) -> None:
    process.pid = spawn(
        [sys.executable, "-m", "lifeline.cli", "worker"],
        log=state.base / "logs" / f"{process.name}.log",
        env=app_env(state),
    )


def _ensure_worker(state: ClusterState, process: Process, write: Write) -> None:
    if alive(process.pid):
        return
    start_worker(state, process)
    write(_("Worker %(name)s (pid %(pid)s)") % {"name": process.name, "pid": process.pid})


def cluster_down(*, base_dir: Path, purge: bool, write: Write) -> bool:
    """Stop what ``up`` started (from the state file); False when there was none."""
    state = load_state(base_dir)
    if state is None:
        write(_("No cluster in %(dir)s: nothing to stop.") % {"dir": base_dir})
        if purge and base_dir.exists():
            shutil.rmtree(base_dir)
        return False
    for process in [*state.app_servers, *state.workers, state.balancer, state.pooler]:
        if alive(process.pid):
            stop_group(process.pid)
            write(_("Stopped %(name)s (pid %(pid)s)") % {"name": process.name, "pid": process.pid})
        process.pid = 0
    for node in state.nodes:
        if node_running(state, node):
            node_stop(state, node)
            write(_("Stopped PostgreSQL %(role)s (port %(port)s)")
                  % {"role": node.role, "port": node.port})  # fmt: skip
    if purge:
        shutil.rmtree(state.base)
        write(_("Removed %(dir)s") % {"dir": state.base})
    else:
        save_state(state)
    return True
