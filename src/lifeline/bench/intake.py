"""``lifeline bench intake``: work-order creates per second over HTTP, with everything a
real create does (validation, routing, clocks, timeline, audit chain, outbox).

It needs PostgreSQL (DATABASE_URL): it creates its own database ``<name>_bench_intake`` on
that server, migrates it, seeds a small city (4 districts x 4 streets x 4 communities x 4
grids, the units of each level, routing rules) and a machine user with an API token,
starts gunicorn (one worker per CPU, 8 threads each, each worker on its own
``SO_REUSEPORT`` socket, by default: the setting docs/operations.md recommends) on a free
local port, warms every worker up, and fires creates from 32 client threads, each on its
own keep-alive connection, through the JSON API (``POST /api/v1/workorders``; Open311
``POST /open311/v2/requests.json`` when the JSON API does not mount the work-order router,
or with ``--via open311``). It then checks that every create left its timeline, audit and
outbox rows, stops the server and drops the database (unless ``--keep``). Figures:
creates_per_second, p50_ms, p99_ms, and counts.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

from lifeline.bench._database import bench_database
from lifeline.core.actors import system

SEED_CODE = (
    "import os, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'lifeline.settings');"
    "django.setup(); from lifeline.bench.intake import seed_city; seed_city()"
)
COUNT_CODE = (
    "import os, json, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
    "'lifeline.settings'); django.setup(); from lifeline.bench.intake import counts; "
    "print(json.dumps(counts()))"
)
# Needs a bench can file without a household: (category, extra fields).
NEEDS: list[tuple[str, dict[str, Any]]] = [
    ("food_supplies", {"items": "蔬菜", "people": 3}),
    ("medicine", {"drug": "降压药", "days_left": 2}),
    ("testing", {"people": 2, "reason": "immobile"}),
    ("elderly_care", {"need": "送餐"}),
    ("psychological", {}),
    ("other", {}),
]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--creates", type=int, default=4000, help="measured creates")
    parser.add_argument("--warmup", type=int, default=320, help="unmeasured creates first")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 2, help="gunicorn workers (CPUs)"
    )
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads per worker")
    parser.add_argument("--via", choices=["auto", "api", "open311"], default="auto")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--seed", type=int, default=20221105)


def run(args: argparse.Namespace) -> dict[str, Any]:
    with bench_database("bench_intake", keep=args.keep) as url:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "LIFELINE_LOG_LEVEL": "WARNING",
            "LIFELINE_DB_CONN_MAX_AGE": "600",
        }
        print("migrating the bench database", flush=True)
        _python(env, "-m", "lifeline.cli", "migrate", "--no-input", "-v", "0")
        seeded = json.loads(_python(env, "-c", SEED_CODE).strip().splitlines()[-1])
        print(f"seeded {len(seeded['grids'])} grids, {seeded['units']} units", flush=True)
        with _server(env, args.workers, args.threads) as port:
            via = _choose_route(port, seeded, args.via)
            print(f"gunicorn on :{port} ({args.workers}x{args.threads}); via {via}", flush=True)
            wall, latencies, failures = _fire(port, seeded, via, args)
        found = json.loads(_python(env, "-c", COUNT_CODE).strip().splitlines()[-1])
    total = args.warmup + args.creates
    ms = sorted(x * 1000 for x in latencies)
    result = {
        "creates": len(ms),
        "creates_per_second": round(len(ms) / wall, 1) if wall else 0.0,
        "p50_ms": round(_percentile(ms, 50), 1),
        "p99_ms": round(_percentile(ms, 99), 1),
        "max_ms": round(ms[-1], 1) if ms else 0.0,
        "failures": failures,
        "clients": args.clients,
        "server": f"gunicorn {args.workers} workers x {args.threads} threads",
        "via": via,
        "orders_in_db": found["orders"],
        "events_in_db": found["events"],
        "audit_records_in_db": found["audit"],
        "outbox_messages_in_db": found["outbox"],
        "audit_chain_ok": found["audit_ok"],
        "database": "postgresql",
    }
    if found["orders"] != total - failures or found["events"] < 2 * found["orders"]:
        raise RuntimeError(f"creates missing their rows: {found}")
    print(
        f"{result['creates_per_second']} creates/s, p50 {result['p50_ms']} ms, "
        f"p99 {result['p99_ms']} ms over {len(ms)} creates ({failures} failed)",
        flush=True,
    )
    return result


def seed_city() -> None:
    """A city of 256 grids with its units, routing rules and a machine user (run inside the
    bench database by a child process). Prints the token and grid ids as JSON."""
    from lifeline.accounts.models import Role
    from lifeline.accounts.services import token_create
    from lifeline.registry.models import AreaLevel, Unit
    from lifeline.testing.factories import make_area, make_user
    from lifeline.workorders.models import Category, RoutingRule

    city = make_area(parent=None, level=AreaLevel.CITY, code="B430200", name="基准市")
    command = Unit.objects.create(code="B-CMD", name="指挥部", kind=Unit.Kind.COMMAND_CENTRE)
    command.areas.set([city])
    grids, units = [], 1
    psych = Category.objects.get(code="psychological")
    for d in range(4):
        district = make_area(
            parent=city, level=AreaLevel.DISTRICT, code=f"{city.code}{d}", name=f"区{d}"
        )
        unit = Unit.objects.create(
            code=f"B-D{d}", name=f"区{d}防控办", kind=Unit.Kind.DISTRICT_BUREAU, phone="13900000001"
        )
        unit.areas.set([district])
        # Counselling is routed by rule to the district's hotline team.
        RoutingRule.objects.create(
            category=psych, area=district, area_path=district.path, unit=unit
        )
        units += 1
        for s in range(4):
            street = make_area(
                parent=district, level=AreaLevel.STREET, code=f"{district.code}{s}", name=f"街{s}"
            )
            office = Unit.objects.create(
                code=f"B-S{d}{s}", name=f"街道{d}{s}", kind=Unit.Kind.STREET_OFFICE
            )
            office.areas.set([street])
            units += 1
            for c in range(4):
                community = make_area(
                    parent=street,
                    level=AreaLevel.COMMUNITY,
                    code=f"{street.code}{c}",
                    name=f"社区{c}",
                )
                committee = Unit.objects.create(
                    code=f"B-C{d}{s}{c}",
                    name=f"居委会{d}{s}{c}",
                    kind=Unit.Kind.COMMUNITY_COMMITTEE,
                    phone="13900000002",
                )
                committee.areas.set([community])
                units += 1
                for g in range(4):
                    grid = make_area(
                        parent=community,
                        level=AreaLevel.GRID,
                        code=f"{community.code}{g}",
                        name=f"网格{g}",
                    )
                    grids.append(grid.pk)
    machine = make_user("bench_partner", role=Role.COMMAND_STAFF, area=city)
    token = token_create(actor=system("bench set-up"), user=machine, name="bench")[1]
    print(json.dumps({"token": token, "grids": grids, "units": units, "city": city.code}))


def counts() -> dict[str, Any]:
    from lifeline.core.audit import audit_verify
    from lifeline.core.models import AuditRecord, OutboxMessage
    from lifeline.workorders.models import WorkOrder, WorkOrderEvent

    verified = audit_verify()
    return {
        "orders": WorkOrder.objects.count(),
        "events": WorkOrderEvent.objects.count(),
        "audit": AuditRecord.objects.count(),
        "outbox": OutboxMessage.objects.filter(object_type="workorders.workorder").count(),
        "audit_ok": not verified,
    }


def _python(env: dict[str, str], *argv: str) -> str:
    done = subprocess.run(  # noqa: S603
        [sys.executable, *argv], env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _server(env: dict[str, str], workers: int, threads: int) -> Iterator[int]:
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "lifeline.wsgi",
        "-w",
        str(workers),
        "--threads",
        str(threads),
        "-b",
        f"127.0.0.1:{port}",
        "--keep-alive",
        "30",
        "--log-level",
        "warning",
        # Each worker listens on its own socket and the kernel spreads new connections
        # over them; on one shared socket the first worker awake took most of the 32
        # keep-alive clients (measured 25 against 7), and its clients waited 3x longer.
        "--reuse-port",
    ]
    proc = subprocess.Popen(command, env=env)  # noqa: S603
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _call(http.client.HTTPConnection("127.0.0.1", port, timeout=5), "GET", "/r/")
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


def _call(
    conn: http.client.HTTPConnection,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    return response.status, response.read()


def _choose_route(port: int, seeded: dict[str, Any], via: str) -> str:
    if via != "auto":
        return via
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    status, _ = _call(
        conn,
        "GET",
        "/api/v1/workorders/categories",
        headers={"Authorization": f"Bearer {seeded['token']}"},
    )
    conn.close()
    return "api" if status == 200 else "open311"


Request = tuple[str, bytes, dict[str, str]]


def _request_for(rng: random.Random, seeded: dict[str, Any], via: str, n: int) -> Request:
    code, extra = rng.choice(NEEDS)
    grid = rng.choice(seeded["grids"])
    phone = f"137{rng.randrange(10**8):08d}"
    description = f"基准请求 {n}：{code}"
    if via == "api":
        body = json.dumps(
            {
                "description": description,
                "category": code,
                "channel": "api",
                "area": grid,
                "address": f"{n}号",
                "contact_phone": phone,
                "extra": extra,
            },
            ensure_ascii=False,
        )
        headers = {
            "Authorization": f"Bearer {seeded['token']}",
            "Content-Type": "application/json",
        }
        return "/api/v1/workorders", body.encode(), headers
    form = {
        "api_key": seeded["token"],
        "service_code": code,
        "description": description,
        "jurisdiction_id": _grid_code(seeded, grid),
        "address_string": f"{n}号",
        "phone": phone,
        **{f"attribute[{k}]": str(v) for k, v in extra.items()},
    }
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    return "/open311/v2/requests.json", urlencode(form).encode(), headers


def _grid_code(seeded: dict[str, Any], grid: int) -> str:
    # Grid codes follow the seeding order: city code + district, street, community, grid.
    index = seeded["grids"].index(grid)
    d, rest = divmod(index, 64)
    s, rest = divmod(rest, 16)
    c, g = divmod(rest, 4)
    return f"{seeded['city']}{d}{s}{c}{g}"


def _fire(
    port: int, seeded: dict[str, Any], via: str, args: argparse.Namespace
) -> tuple[float, list[float], int]:
    """Warm up with every client (so every server worker and thread has served requests
    before the clock starts), wait for all, then measure."""
    rng = random.Random(args.seed)
    requests = [_request_for(rng, seeded, via, n) for n in range(args.warmup + args.creates)]
    warmup, measured = iter(requests[: args.warmup]), iter(requests[args.warmup :])
    lock = threading.Lock()
    latencies: list[float] = []
    failures: list[str] = []
    done = [0]
    ready = threading.Barrier(args.clients + 1)
    go = threading.Event()

    def post(conn: http.client.HTTPConnection, item: Request) -> tuple[int, bytes, float]:
        path, body, headers = item
        started = time.perf_counter()
        status, data = _call(conn, "POST", path, body, headers)
        return status, data, time.perf_counter() - started

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            while (item := _next(lock, warmup)) is not None:
                status, data, _ = post(conn, item)
                if status != 201:
                    failures.append(f"warm-up: HTTP {status} {data[:200]!r}")
        finally:
            ready.wait()
        go.wait()
        while (item := _next(lock, measured)) is not None:
            try:
                status, data, elapsed = post(conn, item)
            except (OSError, http.client.HTTPException) as error:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status, data, elapsed = 0, str(error).encode(), 0.0
            with lock:
                if status == 201:
                    latencies.append(elapsed)
                else:
                    failures.append(f"HTTP {status} {data[:200]!r}")
                done[0] += 1
                if done[0] % 1000 == 0:
                    print(f"  {done[0]} creates", flush=True)
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(args.clients)]
    for t in threads:
        t.start()
    ready.wait()
    if failures:
        go.set()
        for t in threads:
            t.join()
        raise RuntimeError(f"warm-up creates failed: {failures[0]}")
    print(f"warmed up with {args.warmup} creates over {args.clients} clients", flush=True)
    started = time.perf_counter()
    go.set()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    if failures:
        print(f"{len(failures)} creates failed, e.g. {failures[0]}", flush=True)
    return wall, latencies, len(failures)


def _next(lock: threading.Lock, items: Iterator[Request]) -> Request | None:
    with lock:
        return next(items, None)


def _percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    k = (len(values) - 1) * pct / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)
