"""The drills' steps and verdicts against a stand-in load balancer (an HTTP server in
this process) with the cluster's processes and databases replaced by recorders."""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from lifeline.cluster import drills, launcher
from lifeline.cluster.load import Answer
from lifeline.cluster.topology import ClusterState, Ports, load_state, new_state

SHAPE = {"error": {"code": "unavailable", "message": "down", "fields": {}}}


class Balancer:
    """Answers 201 with a new id, or 503 in the API's shape while ``down`` is set."""

    def __init__(self) -> None:
        self.down = threading.Event()
        self.ids = iter(range(1, 10**6))
        self.lock = threading.Lock()
        balancer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._send(200, {})

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                if balancer.down.is_set():
                    self._send(503, SHAPE)
                else:
                    with balancer.lock:
                        self._send(201, {"id": next(balancer.ids)})

            def _send(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self.server.server_address[1])


@pytest.fixture
def balancer() -> Iterator[Balancer]:
    b = Balancer()
    threading.Thread(target=b.server.serve_forever, daemon=True).start()
    yield b
    b.server.shutdown()
    b.server.server_close()


@pytest.fixture
def cluster(tmp_path: Path, balancer: Balancer, monkeypatch: pytest.MonkeyPatch) -> ClusterState:
    state = new_state(base_dir=tmp_path, pg_bindir=Path("/pg"), app_servers=2, workers=1)
    state.ports = Ports(balancer=balancer.port)
    state.api_token, state.grids = "tok", [1]
    for n, process in enumerate([*state.app_servers, *state.workers, state.pooler]):
        process.pid = 500 + n
    (tmp_path / "logs").mkdir()
    (tmp_path / "pgbouncer").mkdir()
    monkeypatch.setattr(drills, "alive", lambda pid: pid > 0)
    monkeypatch.setattr(drills, "wait_until", lambda *a, **k: None)
    monkeypatch.setattr(drills, "missing_orders", lambda dsn, answers: [])
    return state


def test_app_kill_kills_one_server_group_counts_the_writes_and_restarts_it(
    cluster: ClusterState, monkeypatch: pytest.MonkeyPatch
) -> None:
    signals: list[tuple[int, int]] = []
    restarted: list[str] = []
    monkeypatch.setattr(drills, "kill_group", lambda pid, sig: signals.append((pid, sig)))
    monkeypatch.setattr(launcher, "start_app_server", lambda state, p: restarted.append(p.name))
    lines: list[str] = []
    result = drills.app_kill(state=cluster, seconds=1.5, clients=2, write=lines.append)
    assert signals == [(500, signal.SIGKILL)]
    assert restarted == ["app-1"]
    assert result["ok"] and result["acknowledged"] > 0 and result["status_500"] == 0
    assert result["acknowledged_missing"] == 0
    assert any("kill -9 of app-1" in line for line in lines)


def test_db_stop_crashes_and_restarts_the_primary_and_sees_503s_in_the_shape(
    cluster: ClusterState, balancer: Balancer, monkeypatch: pytest.MonkeyPatch
) -> None:
    modes: list[str] = []

    def stop(state: ClusterState, node: Any, mode: str = "fast") -> None:
        modes.append(mode)
        balancer.down.set()

    def start(state: ClusterState, node: Any) -> None:
        modes.append("start")
        balancer.down.clear()

    monkeypatch.setattr(launcher, "node_stop", stop)
    monkeypatch.setattr(launcher, "node_start", start)
    cluster.workers[0].pid = 0  # a worker that died meanwhile is started again
    started: list[str] = []
    monkeypatch.setattr(launcher, "start_worker", lambda state, p: started.append(p.name))
    result = drills.db_stop(state=cluster, seconds=2, clients=2, write=print)
    assert modes == ["immediate", "start"]
    assert result["while_down"]["errors_in_api_shape"] > 0
    assert result["while_down"]["acknowledged"] == 0
    assert result["ok"] and result["stop_to_first_write_seconds"] is not None
    assert result["workers_exited"] == ["worker-1"] and started == ["worker-1"]


def test_promote_repoints_the_pooler_at_the_promoted_node_and_times_the_switch(
    cluster: ClusterState, monkeypatch: pytest.MonkeyPatch
) -> None:
    commands: list[list[str]] = []
    signals: list[tuple[int, int]] = []
    monkeypatch.setattr(launcher, "node_stop", lambda state, node, mode="fast": None)
    monkeypatch.setattr(drills, "run", lambda argv, **k: commands.append(list(argv)))
    monkeypatch.setattr(drills, "kill_group", lambda pid, sig: signals.append((pid, sig)))
    result = drills.promote(state=cluster, seconds=2, clients=2, write=print)
    assert "promote" in commands[0] and str(cluster.base / "postgres" / "pg-b") in commands[0]
    assert signals == [(cluster.pooler.pid, signal.SIGHUP)]
    saved = load_state(cluster.base)
    assert saved is not None and saved.primary.name == "pg-b" and saved.replica is None
    ini = (cluster.base / "pgbouncer" / "pgbouncer.ini").read_text()
    assert "lifeline = host=127.0.0.1 port=5434" in ini
    assert "lifeline_replica = host=127.0.0.1 port=5434" in ini
    assert result["ok"] and result["timings_s"]["first_write_through_balancer"] >= 0


def test_a_drill_refuses_a_cluster_with_an_app_server_down(cluster: ClusterState) -> None:
    cluster.app_servers[1].pid = 0
    with pytest.raises(launcher.ClusterError, match="app-2"):
        drills.run_drill("app-kill", state=cluster, seconds=5, clients=2, write=print)


def test_a_500_fails_the_drill_and_its_traceback_is_shown(
    cluster: ClusterState, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = cluster.base / "logs" / "app-1.log"
    offsets = drills._log_offsets(cluster)
    log.write_text(
        "ERROR django.request Internal Server Error\nTraceback (most recent call last):\n"
        '  File "x.py", line 1\nValueError: x\n\nERROR django.request Internal Server Error\n'
    )
    lines: list[str] = []
    assert drills._tracebacks(offsets, lines.append) == ["ValueError: x"]
    assert "ValueError: x" in lines[0]
    answers = [Answer(0, 1, 201, 1, False, b""), Answer(0, 1, 500, None, False, b"")]
    assert not drills._verdict(cluster, answers, print)["ok"]


def test_worker_kill_runs_with_the_clusters_workers_stopped_and_restarts_them(
    cluster: ClusterState, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lifeline.cluster import worker_drill

    events: list[str] = []
    monkeypatch.setattr(drills, "stop_group", lambda pid: events.append(f"stop {pid}"))
    monkeypatch.setattr(drills, "_release_orphan_claims", lambda state, write: None)
    monkeypatch.setattr(drills, "run", lambda argv, **k: events.append(" ".join(argv[-2:])))
    monkeypatch.setattr(launcher, "start_worker", lambda state, p: events.append(f"start {p.name}"))

    def drill(**kwargs: Any) -> dict[str, Any]:
        events.append(f"drill on {kwargs['database_url']}")
        return {"lost": 1, "duplicates": 0}

    monkeypatch.setattr(worker_drill, "worker_kill_drill", drill)
    result = drills.run_drill("worker-kill", state=cluster, seconds=None, clients=8, write=print)
    assert events == [
        f"stop {cluster.workers[0].pid}",
        "worker --once",
        f"drill on {cluster.primary_dsn}",
        "start worker-1",
    ]
    assert result == {"ok": False, "lost": 1, "duplicates": 0}


def test_backup_runs_against_the_primary_in_a_fresh_folder(
    cluster: ClusterState, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lifeline.cluster import backup

    seen: dict[str, Any] = {}

    def drill(**kwargs: Any) -> dict[str, Any]:
        import os

        seen.update(kwargs, var_dir=os.environ.get("LIFELINE_VAR_DIR"))
        return {"ok": True, "backup_seconds": 1.0}

    monkeypatch.setattr(backup, "backup_drill", drill)
    result = drills.run_drill("backup", state=cluster, seconds=None, clients=8, write=print)
    assert result["ok"] and seen["source_dsn"] == cluster.primary_dsn
    assert seen["port"] == 5435 and not seen["workdir"].exists()
    assert seen["var_dir"] == str(cluster.base / "var")
