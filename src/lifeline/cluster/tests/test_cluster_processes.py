"""The process helpers on real, harmless processes (sleep) and local sockets."""

from __future__ import annotations

import signal
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from lifeline.cluster import processes


def test_a_spawned_group_is_alive_until_stopped(tmp_path: Path) -> None:
    # given a process started in its own group, with a child of its own
    pid = processes.spawn(["sh", "-c", "sleep 60 & exec sleep 60"], log=tmp_path / "l.log")
    assert processes.alive(pid)
    # when the group is stopped
    processes.stop_group(pid, timeout=5)
    processes.reap()
    # then the process is gone
    assert not processes.alive(pid)


def test_alive_is_false_for_no_pid_and_a_finished_process() -> None:
    assert not processes.alive(0)
    pid = processes.spawn([sys.executable, "-c", "pass"], log=Path("/dev/null"))
    processes.wait_until(lambda: _gone(pid), timeout=20, what="exit")
    assert not processes.kill_group(pid, signal.SIGTERM)


def _gone(pid: int) -> bool:
    processes.reap()
    return not processes.alive(pid)


def test_run_reports_the_commands_own_words_on_failure() -> None:
    assert processes.run(["sh", "-c", "echo fine"]) == "fine\n"
    with pytest.raises(RuntimeError, match="exit 3: nope"):
        processes.run(["sh", "-c", "echo nope >&2; exit 3"])


def test_postgres_tools_run_as_postgres_only_when_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(processes, "is_root", lambda: True)
    assert processes.as_postgres(["initdb", "-D", "x"]) == [
        "runuser", "-u", "postgres", "--", "initdb", "-D", "x",
    ]  # fmt: skip
    monkeypatch.setattr(processes, "is_root", lambda: False)
    assert processes.as_postgres(["initdb"]) == ["initdb"]


def test_ports_and_http_probes() -> None:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path == "/login/" else 404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert processes.port_open(port)
        assert processes.http_status(port, "/login/") == 200
        assert processes.http_status(port, "/nope/") == 404
    finally:
        server.shutdown()
        server.server_close()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free = s.getsockname()[1]
    assert not processes.port_open(free)
    assert processes.http_status(free, "/login/") == 0


def test_wait_until_gives_up_after_its_timeout() -> None:
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="thing: not ready"):
        processes.wait_until(lambda: False, timeout=0.5, what="thing")
    assert time.monotonic() - started < 5


def test_read_pid(tmp_path: Path) -> None:
    (tmp_path / "p").write_text("123\n")
    (tmp_path / "bad").write_text("x")
    assert processes.read_pid(tmp_path / "p") == 123
    assert processes.read_pid(tmp_path / "bad") == 0
    assert processes.read_pid(tmp_path / "missing") == 0
