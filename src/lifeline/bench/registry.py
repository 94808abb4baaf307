"""``lifeline bench registry --people N``: generate a city, then time the grid page over HTTP.

It works on a database of its own, created next to the one DATABASE_URL names (on
PostgreSQL ``<name>_bench``; on SQLite a file in a temporary directory), so the real data
is never touched: it migrates it, generates the demo city of N people into it with
``lifeline demo --no-serve``, starts a real server (gunicorn, 2 workers) on a free local
port, logs in as the command-centre user and requests the grid page of random grids with
4 concurrent clients. At the end it stops the server and drops the database (unless
``--keep``). Figures: people, households, generation_seconds, rows_per_second (all rows
written by the generator per second of generation), grid_page_p50/p95/p99_ms, requests.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from lifeline.bench._database import bench_database
from lifeline.demo.generator.users import demo_password

USER = "command_staff"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--people", type=int, default=4_000_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--seed", type=int, default=20221105)
    parser.add_argument(
        "--existing",
        action="store_true",
        help="measure the grid page on DATABASE_URL's own database, which already holds a "
        "demo city: no database is created, generated or dropped",
    )


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(f"stopped by signal {signum}")


def run(args: argparse.Namespace) -> dict[str, Any]:
    # A SIGTERM (from `timeout`, say) still stops the server and drops the database.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    database = _existing_database() if args.existing else _bench_database(keep=args.keep)
    with database as (url, grid_ids_sql):
        env = {**os.environ, "DATABASE_URL": url, "LIFELINE_LOG_LEVEL": "WARNING"}
        print(f"bench database: {_redact(url)}", flush=True)
        if args.existing:
            figures = _existing_figures(env)
        else:
            _lifeline(env, "migrate", "--no-input", "-v", "0")
            figures = _generate(env, args)
        grid_ids = _grid_ids(env, grid_ids_sql)
        print(f"{len(grid_ids):,} grids; starting gunicorn with {args.workers} workers", flush=True)
        with _server(env, args.workers) as port:
            latencies = _measure(port, grid_ids, args)
    ms = sorted(x * 1000 for x in latencies)
    result = {
        "people": figures["people"],
        "households": figures["households"],
        "vulnerabilities": figures["vulnerabilities"],
        "generation_seconds": figures["seconds"],
        "rows_per_second": figures["rows_per_second"],
        "grid_page_p50_ms": round(_percentile(ms, 50), 1),
        "grid_page_p95_ms": round(_percentile(ms, 95), 1),
        "grid_page_p99_ms": round(_percentile(ms, 99), 1),
        "grid_page_mean_ms": round(statistics.fmean(ms), 1),
        "requests": len(ms),
        "clients": args.clients,
        "database": str(settings.DATABASES["default"]["ENGINE"]).rsplit(".", 1)[-1],
    }
    print(
        f"grid page: p50 {result['grid_page_p50_ms']} ms, p95 {result['grid_page_p95_ms']} "
        f"ms, p99 {result['grid_page_p99_ms']} ms over {len(ms)} requests",
        flush=True,
    )
    return result


def _redact(url: str) -> str:
    return re.sub(r"//([^:@/]+):[^@/]*@", r"//\1:***@", url)


@contextmanager
def _existing_database() -> Iterator[tuple[str, str]]:
    yield os.environ.get("DATABASE_URL", ""), "SELECT id FROM registry_area WHERE level = 'grid'"


def _existing_figures(env: dict[str, str]) -> dict[str, Any]:
    code = (
        "import json\nfrom lifeline.registry.models import Household, Person, Vulnerability\n"
        "print(json.dumps({'people': Person.objects.count(), "
        "'households': Household.objects.count(), "
        "'vulnerabilities': Vulnerability.objects.count(), 'seconds': None, "
        "'rows_per_second': None}))"
    )
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "lifeline.cli", "shell", "-c", code],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


@contextmanager
def _bench_database(*, keep: bool) -> Iterator[tuple[str, str]]:
    with bench_database("bench", keep=keep, sqlite_ok=True) as url:
        yield url, "SELECT id FROM registry_area WHERE level = 'grid'"


def _lifeline(env: dict[str, str], *argv: str, capture: bool = False) -> str:
    command = [sys.executable, "-m", "lifeline.cli", *argv]
    if not capture:
        subprocess.run(command, env=env, check=True)  # noqa: S603
        return ""
    lines: list[str] = []
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) as proc:  # noqa: S603
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            print(line, end="", flush=True)
    if proc.returncode:
        raise RuntimeError(f"{' '.join(argv)} failed with exit code {proc.returncode}")
    return "".join(lines)


def _generate(env: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    output = _lifeline(
        env,
        "demo",
        "--no-serve",
        "--json",
        "--people",
        str(args.people),
        "--seed",
        str(args.seed),
        capture=True,
    )
    return json.loads(output.strip().splitlines()[-1])


def _grid_ids(env: dict[str, str], sql: str) -> list[int]:
    code = (
        "from django.db import connection\n"
        f"with connection.cursor() as c:\n c.execute({sql!r})\n"
        " print(','.join(str(r[0]) for r in c.fetchall()))"
    )
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "lifeline.cli", "shell", "-c", code],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [int(x) for x in out.strip().splitlines()[-1].split(",")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _server(env: dict[str, str], workers: int) -> Iterator[int]:
    port = _free_port()
    proc = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "lifeline.wsgi",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _request(port, "GET", "/login/")
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.3)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _request(
    port: int,
    method: str,
    path: str,
    body: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        cookies = {}
        for value in response.headers.get_all("Set-Cookie") or []:
            key, _, rest = value.partition("=")
            cookies[key.strip()] = rest.split(";", 1)[0]
        return response.status, cookies, data
    finally:
        conn.close()


def _login(port: int) -> str:
    """A session cookie for the command-centre demo user, got through the login form."""
    login = reverse("web:login")
    _status, cookies, page = _request(port, "GET", login)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not token or "csrftoken" not in cookies:
        raise RuntimeError("login page has no CSRF token")
    body = urlencode(
        {
            "username": USER,
            "password": demo_password(USER),
            "csrfmiddlewaretoken": token.group(1).decode(),
        }
    )
    status, cookies2, _ = _request(
        port,
        "POST",
        login,
        body,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookies['csrftoken']}",
        },
    )
    if status != 302 or "sessionid" not in cookies2:
        raise RuntimeError(f"login failed with HTTP {status}")
    return f"sessionid={cookies2['sessionid']}; csrftoken={cookies['csrftoken']}"


def _measure(port: int, grid_ids: list[int], args: argparse.Namespace) -> list[float]:
    cookie = _login(port)
    rng = random.Random(args.seed)
    paths = [
        reverse("registry:grid", args=[rng.choice(grid_ids)])
        for _ in range(args.warmup + args.requests)
    ]
    errors: list[str] = []

    def fetch(path: str) -> float:
        started = time.perf_counter()
        status, _, _ = _request(port, "GET", path, headers={"Cookie": cookie})
        elapsed = time.perf_counter() - started
        if status != 200:
            errors.append(f"{path}: HTTP {status}")
        return elapsed

    for path in paths[: args.warmup]:
        fetch(path)
    queue = iter(paths[args.warmup :])
    lock = threading.Lock()
    latencies: list[float] = []

    def client() -> None:
        while True:
            with lock:
                path = next(queue, None)
            if path is None:
                return
            elapsed = fetch(path)
            with lock:
                latencies.append(elapsed)

    threads = [threading.Thread(target=client) for _ in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(f"{len(errors)} grid page requests failed, e.g. {errors[0]}")
    return latencies


def _percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    k = (len(values) - 1) * pct / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)
