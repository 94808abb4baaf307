"""The drills' load: client threads filing work orders through the load balancer, each
create with its own Idempotency-Key, every answer kept for the count afterwards."""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

import psycopg

from lifeline.bench.intake import NEEDS

PATH = "/api/v1/workorders"


@dataclass(frozen=True)
class Answer:
    started: float  # time.monotonic()
    ended: float
    status: int  # 0: no HTTP answer (connection refused or reset)
    order_id: int | None
    shape_ok: bool  # an error in the API's one shape {"error": {code, message, fields}}
    body: bytes
    retried: bool = False  # the same create (same Idempotency-Key) sent again


def error_shape_ok(body: bytes) -> bool:
    try:
        error = json.loads(body)["error"]
    except (ValueError, KeyError, TypeError):
        return False
    return isinstance(error, dict) and {"code", "message", "fields"} <= set(error)


class Load:
    """``clients`` threads POSTing creates until :meth:`stop`."""

    def __init__(self, *, port: int, token: str, grids: list[int], clients: int) -> None:
        self.port, self.token, self.grids = port, token, grids
        self.answers: list[Answer] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._client, args=(n,), daemon=True) for n in range(clients)
        ]

    def start(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=90)

    def _client(self, n: int) -> None:
        rng = random.Random(n)
        conn = self._connect()
        count = 0
        retry: tuple[bytes, dict[str, str]] | None = None
        while not self._stop.is_set():
            count += 1
            body, headers = retry or self._request(rng, f"{n}-{count}")
            started = time.monotonic()
            try:
                conn.request("POST", PATH, body=body, headers=headers)
                response = conn.getresponse()
                status, data = response.status, response.read()
            except (OSError, http.client.HTTPException) as error:
                conn.close()
                conn = self._connect()
                status, data = 0, str(error).encode()
            answer = self._answer(started, status, data, retry is not None)
            with self._lock:
                self.answers.append(answer)
            # No answer or a server error: the create may or may not have happened, so a
            # client sends it again with the same key (never a second order), after a
            # pause so that an outage is not hammered by tight loops.
            retry = (body, headers) if status == 0 or status >= 500 else None
            if status != 201:
                time.sleep(0.1)
        conn.close()

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def _request(self, rng: random.Random, tag: str) -> tuple[bytes, dict[str, str]]:
        code, extra = rng.choice(NEEDS)
        body = {
            "description": f"drill {tag}: {code}",
            "category": code,
            "channel": "api",
            "area": rng.choice(self.grids),
            "address": f"{tag}",
            "contact_phone": f"137{rng.randrange(10**8):08d}",
            "extra": extra,
        }
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Content-Type": "application/json",
            # The load balancer may send a POST again to another app server (HAProxy's
            # retry-on): the key makes that safe.
            "Idempotency-Key": str(uuid.uuid4()),
        }
        return json.dumps(body, ensure_ascii=False).encode(), headers

    @staticmethod
    def _answer(started: float, status: int, data: bytes, retried: bool) -> Answer:
        order_id = None
        if status == 201:
            try:
                order_id = int(json.loads(data)["id"])
            except (ValueError, KeyError, TypeError):
                order_id = None
        shape = status >= 400 and error_shape_ok(data)
        kept = b"" if status == 201 else data[:300]
        return Answer(started, time.monotonic(), status, order_id, shape, kept, retried)


def summarise(answers: list[Answer]) -> dict[str, Any]:
    statuses = Counter(a.status for a in answers)
    app_errors = [a for a in answers if a.status >= 500 and a.shape_ok]
    other_errors = [a for a in answers if a.status >= 500 and not a.shape_ok]
    unanswered = [a for a in answers if a.status == 0]
    return {
        "requests": len(answers),
        "acknowledged": len({a.order_id for a in answers if a.status == 201}),
        "retries": sum(1 for a in answers if a.retried),
        "retries_acknowledged": sum(1 for a in answers if a.retried and a.status == 201),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "status_500": statuses.get(500, 0),
        "no_answer": statuses.get(0, 0),
        "errors_in_api_shape": len(app_errors),
        "errors_not_in_api_shape": len(other_errors),
        "example_errors": sorted(
            {
                f"{a.status}: {a.body.decode(errors='replace')[:160]}"
                for a in other_errors + unanswered
            }
        )[:4],
    }


def missing_orders(dsn: str, answers: list[Answer]) -> list[int]:
    """The acknowledged creates (201 with an id) that the database does not have."""
    ids = [a.order_id for a in answers if a.status == 201 and a.order_id is not None]
    with psycopg.connect(dsn, connect_timeout=10) as conn:
        rows = conn.execute(
            "SELECT id FROM workorders_workorder WHERE id = ANY(%s)", [ids]
        ).fetchall()
    found = {row[0] for row in rows}
    return sorted(set(ids) - found)


def acknowledged_without_id(answers: list[Answer]) -> int:
    return sum(1 for a in answers if a.status == 201 and a.order_id is None)
