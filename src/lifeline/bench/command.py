"""``lifeline bench command --people N --phones M``: the command centre at city scale.

PostgreSQL: on the DATABASE_URL server it creates ``<name>_bench_command``, migrates it,
runs itself again inside it (``--inner``) and drops it afterwards (unless ``--keep``).
Inside:

1. the city (``_command_city``): the demo's area tree for N people (communities of
   ~10,000, 8 grids each, with boundaries), N/4 households of which M have a mobile
   phone, and the dashboard's counters of every area and figure over 14 days, as the
   worker's refresh leaves them after days of requests, tests and transfers;
2. the dashboard: ``--requests`` pages of the city and as many of random grids, through
   Django's test client (the whole middleware, scoping and templates, no network) as a
   command-centre user, after ``--warmup`` pages each: p50/p95/p99 in ms (issue 18: p95
   at most 200 ms, goal 50 ms);
3. the daily report of one district (``district_report_hook``: the command app's
   ``report_generate`` for yesterday; at most 10 s);
4. a notice to the whole city, drafted, approved by a second person and sent by
   ``--workers`` workers at once (threads, each a ``notice_fanout`` as a worker task runs
   it): seconds until every phone's text is in the outbox (at most 60 s, goal 10 s),
   checked one text per phone.

Progress goes to stdout; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection
from django.test import Client

from lifeline.bench._command_city import City, build_city
from lifeline.bench._database import run_inside
from lifeline.bench._threads import close_thread_connections, run_parts


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--people", type=int, default=4_000_000)
    parser.add_argument("--phones", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200, help="dashboard pages per kind")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2, help="fan-out workers at once")
    parser.add_argument("--seed", type=int, default=20221105)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> dict[str, Any]:
    if args.inner:
        return run_city(args, write=print)
    forwarded = [
        f"--people={args.people}",
        f"--phones={args.phones}",
        f"--requests={args.requests}",
        f"--warmup={args.warmup}",
        f"--workers={args.workers}",
        f"--seed={args.seed}",
    ]
    return run_inside("command", "bench_command", keep=args.keep, forwarded=forwarded)


def district_report_hook() -> Callable[..., Any] | None:
    """The daily report of one district, for the bench to time: a callable
    ``(*, actor, district, day)`` that builds it (the command app's ``report_generate``:
    a frozen snapshot of every figure of the district and its streets, with the day
    before's)."""
    from lifeline.command.services import report_generate

    def make(*, actor: Any, district: Any, day: dt.date) -> Any:
        return report_generate(actor=actor, area=district, day=day)

    return make


def run_city(args: argparse.Namespace, *, write: Callable[[str], None]) -> dict[str, Any]:
    """Everything but the database of its own: in the current database (tests call it on
    theirs, at toy size, inside their transaction)."""
    started = time.perf_counter()
    city = build_city(people=args.people, phones=args.phones, seed=args.seed, write=write)
    generation = time.perf_counter() - started
    write(f"generated in {generation:.1f} s")
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    staff, approver = _users(city)
    figures: dict[str, Any] = {
        "people": args.people,
        "areas": city.areas,
        "grids": len(city.grids),
        "households": city.households,
        "phones": city.phones,
        "figure_rows": city.figure_rows,
        "generation_seconds": round(generation, 1),
    }
    figures.update(_dashboard(staff, city, args, write))
    figures.update(_district_report(staff, city, write))
    figures.update(_fanout(staff, approver, city, args.workers, write))
    figures["database"] = connection.vendor
    return figures


def _users(city: City) -> tuple[Any, Any]:
    from lifeline.accounts.models import Membership, Role, User

    made = []
    for username, name in (
        ("bench_command", "指挥中心值班员"),
        ("bench_approver", "指挥中心审核员"),
    ):
        user = User.objects.create_user(username=username, password=None, display_name=name)
        Membership.objects.create(user=user, role=Role.COMMAND_STAFF, area=city.city)
        made.append(user)
    return made[0], made[1]


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * pct / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _pages(client: Client, paths: list[str], warmup: int) -> list[float]:
    times = []
    for n, path in enumerate(paths):
        t0 = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - t0) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {response.status_code}")
        if n >= warmup:
            times.append(elapsed)
    return times


def _dashboard(
    staff: Any, city: City, args: argparse.Namespace, write: Callable[[str], None]
) -> dict[str, Any]:
    host = next((h for h in settings.ALLOWED_HOSTS if h and "*" not in h), "localhost")
    client = Client(HTTP_HOST=host.lstrip("."))
    client.force_login(staff)
    rng = random.Random(args.seed)
    total = args.warmup + args.requests
    kinds = {
        "city": [f"/command/areas/{city.city.pk}/"] * total,
        "grid": [f"/command/areas/{rng.choice(city.grids).pk}/" for _ in range(total)],
    }
    out: dict[str, Any] = {}
    for kind, paths in kinds.items():
        ms = _pages(client, paths, args.warmup)
        p50, p95, p99 = (round(_percentile(ms, p), 1) for p in (50, 95, 99))
        write(f"dashboard of the {kind}: p50 {p50} ms, p95 {p95} ms, p99 {p99} ms")
        out.update(
            {
                f"dashboard_{kind}_p50_ms": p50,
                f"dashboard_{kind}_p95_ms": p95,
                f"dashboard_{kind}_p99_ms": p99,
                f"dashboard_{kind}_mean_ms": round(statistics.fmean(ms), 1),
            }
        )
    out["dashboard_requests"] = args.requests
    return out


def _district_report(staff: Any, city: City, write: Callable[[str], None]) -> dict[str, Any]:
    from lifeline.core import clock

    make = district_report_hook()
    if make is None or not city.districts:
        write("daily report of a district: no district")
        return {"district_report_seconds": None}
    district = max(city.districts, key=lambda d: d.path)
    t0 = time.perf_counter()
    make(actor=staff, district=district, day=clock.today() - dt.timedelta(days=1))
    seconds = round(time.perf_counter() - t0, 2)
    write(f"daily report of {district.name}: {seconds} s")
    return {"district_report_seconds": seconds}


def _fanout(
    staff: Any, approver: Any, city: City, workers: int, write: Callable[[str], None]
) -> dict[str, Any]:
    from lifeline.core import clock
    from lifeline.core.models import OutboxMessage
    from lifeline.notices.models import FanoutStatus, Notice
    from lifeline.notices.services import (
        notice_approve,
        notice_draft,
        notice_fanout,
        notice_submit,
        template_for,
    )

    values = template_for("testing", place="社区广场", place_en="the community square")
    notice = notice_draft(
        actor=staff,
        areas=[city.city],
        expires_at=clock.now() + dt.timedelta(days=2),
        **values,
    )
    notice_submit(actor=staff, notice=notice)
    notice_approve(actor=approver, notice=notice)
    write(f"notice published; {workers} workers send it")

    def work(_n: int) -> None:
        try:
            notice_fanout(notice_id=notice.pk, budget_seconds=3600)
        finally:
            close_thread_connections()

    t0 = time.perf_counter()
    run_parts(work, list(range(workers)), workers)
    seconds = time.perf_counter() - t0
    sent = Notice.objects.get(pk=notice.pk)
    queued = OutboxMessage.objects.filter(object_id=str(notice.pk))
    count = queued.count()
    if sent.fanout_status != FanoutStatus.DONE or count != city.phones:
        raise RuntimeError(f"fan-out incomplete: {count} texts for {city.phones} phones")
    if queued.values("recipient").distinct().count() != count:
        raise RuntimeError("a phone was texted twice")
    rate = round(count / seconds) if seconds else 0
    write(f"fan-out: {count:,} texts queued in {seconds:.1f} s ({rate:,}/s)")
    return {
        "fanout_seconds": round(seconds, 2),
        "fanout_texts": count,
        "fanout_households": sent.households_count,
        "fanout_texts_per_second": rate,
        "fanout_workers": workers,
    }
