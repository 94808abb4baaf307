"""The drills' load against a stand-in server: answers counted, the one error shape
recognised, and a create whose outcome is unknown sent again with the same key."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from lifeline.cluster.load import Answer, Load, error_shape_ok, summarise
from lifeline.cluster.status import balancer_servers

SHAPE: dict[str, Any] = {"error": {"code": "unavailable", "message": "down", "fields": {}}}


def test_the_error_shape_needs_code_message_and_fields() -> None:
    assert error_shape_ok(json.dumps(SHAPE).encode())
    assert not error_shape_ok(b'{"error": {"code": "x", "message": "y"}}')
    assert not error_shape_ok(b"<html>503 Service Unavailable</html>")
    assert not error_shape_ok(b'{"detail": "Internal"}')


def test_summary_counts_statuses_500s_and_errors_outside_the_shape() -> None:
    answers = [
        Answer(0, 1, 201, 10, False, b""),
        Answer(0, 1, 201, 10, False, b"", retried=True),  # the same order, replayed
        Answer(0, 1, 503, None, True, b"{}"),
        Answer(0, 1, 502, None, False, b"<html>bad gateway</html>"),
        Answer(0, 1, 500, None, False, b"Server Error"),
        Answer(0, 1, 0, None, False, b"Connection reset"),
    ]
    figures = summarise(answers)
    assert figures["acknowledged"] == 1
    assert figures["statuses"] == {"0": 1, "201": 2, "500": 1, "502": 1, "503": 1}
    assert figures["status_500"] == 1 and figures["no_answer"] == 1
    assert (figures["errors_in_api_shape"], figures["errors_not_in_api_shape"]) == (1, 2)


def test_a_create_answered_503_is_sent_again_with_the_same_key() -> None:
    # given a server that answers 503 (in the shape) to the first try of every key
    seen: list[tuple[str, dict[str, Any]]] = []
    orders: dict[str, int] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            key = self.headers["Idempotency-Key"]
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append((key, body))
            answer: dict[str, Any] = SHAPE
            if sum(1 for k, _ in seen if k == key) == 1:
                status = 503
            else:
                status, answer = 201, {"id": orders.setdefault(key, len(orders) + 1)}
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        # when two clients load it for a moment
        load = Load(port=server.server_address[1], token="t", grids=[1, 2], clients=2).start()
        time.sleep(1.0)
        load.stop()
    finally:
        server.shutdown()
        server.server_close()
    # then every acknowledged create came from a retry of a key first answered 503
    figures = summarise(load.answers)
    assert figures["acknowledged"] >= 2
    assert figures["errors_in_api_shape"] >= figures["acknowledged"]
    assert figures["retries_acknowledged"] == sum(1 for a in load.answers if a.status == 201)
    first_bodies: dict[str, dict[str, Any]] = {}
    for key, body in seen:
        assert first_bodies.setdefault(key, body) == body  # a retry resends the same create
    assert all(body["area"] in (1, 2) for _, body in seen)


def test_balancer_status_without_its_socket_is_empty(tmp_path: Path) -> None:
    assert balancer_servers(tmp_path / "admin.sock") == {}
