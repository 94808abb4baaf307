"""``cluster status`` on a cluster whose parts are gone: each said not running, and the
replication figures replaced by the reason they could not be read."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from lifeline.cluster import status
from lifeline.cluster.topology import Ports, new_state


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_status_of_a_stopped_cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # given a cluster on ports where nothing listens, its processes gone
    state = new_state(base_dir=tmp_path, pg_bindir=Path("/pg"), app_servers=2, workers=1)
    port = _closed_port()
    state.ports = Ports(primary=port, replica=port, pooler=port)
    for node in state.nodes:
        node.port = port
    monkeypatch.setattr(status, "node_running", lambda state, node: False)
    lines: list[str] = []
    # when its status is asked
    figures = status.cluster_status(state=state, write=lines.append)
    # then every part is reported down and the lag could not be read
    assert figures["postgresql"]["pg-a"] == {"role": "primary", "port": port, "running": False}
    assert not any(p["alive"] for p in figures["processes"].values())
    assert set(figures["processes"]) == {"pgbouncer", "haproxy", "app-1", "app-2", "worker-1"}
    assert figures["replication"]["error"]
    assert "app-1 (pid 0, port 8101): not running" in lines
    assert lines[-1].startswith("Replication: ")


def test_without_a_replica_the_lag_says_why(tmp_path: Path) -> None:
    state = new_state(base_dir=tmp_path, pg_bindir=Path("/pg"), app_servers=1, workers=1)
    state.nodes[1].role = "retired"
    assert "no replica" in status.replica_lag(state)["error"]


def test_balancer_servers_read_from_haproxys_stat_csv(tmp_path: Path) -> None:
    # given a stand-in admin socket answering HAProxy's "show stat"
    path = tmp_path / "admin.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.listen(1)
    csv = (
        "# pxname,svname,qcur,status\n"
        "lifeline,FRONTEND,,OPEN\n"
        "app_servers,app-1,0,UP\n"
        "app_servers,app-2,0,DOWN\n"
        "app_servers,BACKEND,0,UP\n"
    )

    def answer() -> None:
        conn, _ = server.accept()
        conn.recv(100)
        conn.sendall(csv.encode())
        conn.close()

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    try:
        assert status.balancer_servers(path) == {"app-1": "UP", "app-2": "DOWN"}
    finally:
        thread.join(timeout=5)
        server.close()
