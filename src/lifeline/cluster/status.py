"""``lifeline cluster status``: each part running or not, the balancer's view of the app
servers, and the replica's lag."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import psycopg
from django.utils.translation import gettext as _

from lifeline.cluster.launcher import Write, node_running
from lifeline.cluster.processes import alive
from lifeline.cluster.topology import ClusterState


def cluster_status(*, state: ClusterState, write: Write) -> dict[str, Any]:
    """Print one line per part; return the same facts (for the JSON line)."""
    figures: dict[str, Any] = {"base_dir": state.base_dir, "lb_url": state.lb_url}
    nodes = {}
    for node in state.nodes:
        running = node_running(state, node)
        nodes[node.name] = {"role": node.role, "port": node.port, "running": running}
        write(_("PostgreSQL %(name)s (%(role)s, port %(port)s): %(state)s")
              % {"name": node.name, "role": node.role, "port": node.port,
                 "state": _("running") if running else _("stopped")})  # fmt: skip
    figures["postgresql"] = nodes
    balancer = balancer_servers(state.base / "haproxy" / "admin.sock")
    processes: dict[str, dict[str, Any]] = {}
    for process in [state.pooler, state.balancer, *state.app_servers, *state.workers]:
        up = alive(process.pid)
        processes[process.name] = {"pid": process.pid, "port": process.port, "alive": up}
        seen = balancer.get(process.name)
        line = _("%(name)s (pid %(pid)s%(port)s): %(state)s") % {
            "name": process.name,
            "pid": process.pid,
            "port": _(", port %(port)s") % {"port": process.port} if process.port else "",
            "state": _("running") if up else _("not running"),
        }
        if seen:
            processes[process.name]["balancer"] = seen
            line += " " + _("(load balancer: %(status)s)") % {"status": seen}
        write(line)
    figures["processes"] = processes
    figures["replication"] = replica_lag(state)
    lag = figures["replication"]
    if lag.get("error"):
        write(_("Replication: %(error)s") % {"error": lag["error"]})
    elif state.replica is not None:
        message = _("Replica lag: %(bytes)s bytes behind, last replay %(seconds)s s ago")
        write(message % {"bytes": lag.get("lag_bytes"), "seconds": lag.get("replay_age_seconds")})
    return figures


def replica_lag(state: ClusterState) -> dict[str, Any]:
    """Bytes the replica has yet to replay (the primary's view) and the age of the last
    transaction it replayed (the replica's; grows on an idle primary too)."""
    replica = state.replica
    if replica is None:
        return {"error": _("no replica (after a promotion: see the promote drill's output)")}
    out: dict[str, Any] = {}
    try:
        with psycopg.connect(state.primary_dsn, connect_timeout=3) as conn:
            row = conn.execute(
                "SELECT state, pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) "
                "FROM pg_stat_replication LIMIT 1"
            ).fetchone()
        out["streaming"] = bool(row and row[0] == "streaming")
        out["lag_bytes"] = int(row[1]) if row and row[1] is not None else None
        with psycopg.connect(state.replica_dsn or "", connect_timeout=3) as conn:
            row = conn.execute(
                "SELECT pg_is_in_recovery(), "
                "EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())"
            ).fetchone()
        out["in_recovery"] = bool(row and row[0])
        out["replay_age_seconds"] = round(float(row[1]), 1) if row and row[1] is not None else None
    except psycopg.Error as error:
        out["error"] = str(error).strip().splitlines()[0]
    return out


def balancer_servers(sock: Path) -> dict[str, str]:
    """HAProxy's status of each app server (UP, DOWN...) from its admin socket."""
    try:
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(2)
            s.connect(str(sock))
            s.sendall(b"show stat\n")
            data = b""
            while chunk := s.recv(65536):
                data += chunk
    except OSError:
        return {}
    lines = data.decode(errors="replace").splitlines()
    if not lines:
        return {}
    header = lines[0].lstrip("# ").split(",")
    found = {}
    for line in lines[1:]:
        row = dict(zip(header, line.split(","), strict=False))
        if row.get("pxname") == "app_servers" and row.get("svname") != "BACKEND":
            found[row["svname"]] = row.get("status", "")
    return found
