"""``lifeline bench screening --people N --days D``: mass-testing results at city scale.

PostgreSQL only. On the DATABASE_URL server it creates ``<name>_bench_screening``, migrates
it and runs itself again inside it (``--inner``), then drops it (unless ``--keep``). Inside:

1. generation: areas, buildings, households and people by COPY; D-1 days of history
   (pooled tubes of 10, ~80 % of people a day, all negative) and today's closed tubes
   (~90 % of people) by set-based SQL; compliance rows for the history from the same raw
   results; a "5 in 7" policy for the whole city;
2. ingest: today's tube results as the lab's CSV files, through the real
   ``results_import_csv`` the import page and API use (parsing, validation, tube results,
   person results, incremental compliance, positive follow-up, audit), one file of
   ``--batch`` tubes per transaction, 1 tube in 2,000 positive; the rate is person results
   per second, the clock running from the file's bytes to the commit;
3. reads: a random grid's "not tested today" list (p50/p95 over ``--lists`` grids) and
   the whole city's compliance summary, each through the selectors, then the same two
   answers computed naively from the raw person results, checked equal, with the ratios.
"""

# ruff: noqa: S608  (the generation SQL interpolates only integers and dates of its own)

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from lifeline.bench._database import run_inside

PER_GRID = 1000
BASE = dt.date(2022, 11, 5)
POLICY = (5, 7)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--people", type=int, default=4_000_000)
    parser.add_argument("--days", type=int, default=7, help="days of history, today included")
    parser.add_argument("--batch", type=int, default=5000, help="tubes per import batch")
    parser.add_argument("--ingest-tubes", type=int, default=0, help="0: all of today's tubes")
    parser.add_argument("--lists", type=int, default=200, help="grid lists to time")
    parser.add_argument("--summaries", type=int, default=3, help="city summaries to time")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> dict[str, Any]:
    if args.inner:
        return _inner(args)
    return run_inside("screening", "bench_screening", keep=args.keep, forwarded=_forwarded(args))


def _forwarded(args: argparse.Namespace) -> list[str]:
    out = [
        f"--people={args.people}",
        f"--days={args.days}",
        f"--batch={args.batch}",
        f"--ingest-tubes={args.ingest_tubes}",
        f"--lists={args.lists}",
        f"--summaries={args.summaries}",
    ]
    return out


def _inner(args: argparse.Namespace) -> dict[str, Any]:
    from lifeline.core.clock import frozen_at

    today = BASE + dt.timedelta(days=args.days - 1)
    moment = timezone.make_aware(dt.datetime.combine(today, dt.time(20)))
    started = time.perf_counter()
    grids = _generate(people=args.people, days=args.days)
    generation = time.perf_counter() - started
    print(f"generated in {generation:.1f} s", flush=True)
    with frozen_at(moment):
        lab, command = _users()
        ingest = _ingest(lab, args)
        with connection.cursor() as c:
            c.execute("VACUUM ANALYZE")
        lists = _grid_lists(command, grids, today, args.lists)
        summary = _city_summary(command, today, args.summaries)
    figures = {
        "people": args.people,
        "days": args.days,
        "generation_seconds": round(generation, 1),
        **ingest,
        **lists,
        **summary,
        "list_naive_ratio": round(lists["grid_list_naive_p95_ms"] / lists["grid_list_p95_ms"], 1),
        "noncompliant_list_naive_ratio": round(
            lists["grid_noncompliant_list_naive_p95_ms"] / lists["grid_noncompliant_list_p95_ms"], 1
        ),
        "summary_naive_ratio": round(
            summary["city_summary_naive_seconds"] / summary["city_summary_seconds"], 1
        ),
        "database": "postgresql",
    }
    return figures


def _areas(people: int) -> tuple[list[tuple[Any, ...]], list[tuple[int, str]]]:
    """(id, parent, level, code, path, depth) rows and the grids as (id, path)."""
    n_grids = max(2, -(-people // PER_GRID))
    rows: list[tuple[Any, ...]] = [(1, None, "city", "4302", "/4302/", 0)]
    ids: dict[tuple[str, int], tuple[int, str]] = {}
    next_id = 2

    def area(level: str, key: int, parent: tuple[int, str], depth: int) -> tuple[int, str]:
        nonlocal next_id
        if (level, key) not in ids:
            code = f"{level[0]}{key}"
            path = f"{parent[1]}{code}/"
            rows.append((next_id, parent[0], level, code, path, depth))
            ids[(level, key)] = (next_id, path)
            next_id += 1
        return ids[(level, key)]

    grids = []
    for g in range(n_grids):
        d = area("district", g // 400, (1, "/4302/"), 1)
        s = area("street", g // 40, d, 2)
        c = area("community", g // 4, s, 3)
        grids.append(area("grid", g, c, 4))
    return rows, grids


def _generate(*, people: int, days: int) -> list[int]:
    from lifeline.registry.models import Area
    from lifeline.screening.models import Policy

    areas, grids = _areas(people)
    now = timezone.now()
    # One transaction, so the settings below hold for it alone (SET LOCAL), also behind a
    # transaction-mode pooler; VACUUM cannot run inside it.
    with transaction.atomic(), connection.cursor() as c:
        # Generated rows are consistent by construction: skip per-row foreign-key triggers.
        c.execute("SET LOCAL work_mem = '256MB'; SET LOCAL session_replication_role = replica")
        raw = c.cursor
        with raw.copy(
            "COPY registry_area (id, parent_id, level, code, name, name_en, path, depth) FROM STDIN"
        ) as copy:
            for aid, parent, level, code, path, depth in areas:
                copy.write_row((aid, parent, level, code, code, "", path, depth))
        with raw.copy(
            "COPY registry_building (id, grid_id, area_path, name, address) FROM STDIN"
        ) as copy:
            for gid, path in grids:
                copy.write_row((gid, gid, path, "B1", path))
        print(f"{len(areas):,} areas, {len(grids):,} grids; copying people", flush=True)
        with raw.copy(
            "COPY registry_household (id, building_id, grid_id, area_path, unit_no, phone, "
            "phone_alt, gas_account, power_account, water_account, created_at, updated_at) "
            "FROM STDIN"
        ) as copy:
            for h in range(-(-people // 2)):
                gid, path = grids[(2 * h) // PER_GRID]
                copy.write_row((h + 1, gid, gid, path, str(h), "", "", "", "", "", now, now))
        with raw.copy(
            "COPY registry_person (id, household_id, grid_id, area_path, name, sex, phone, "
            "id_number_masked, relation, created_at, updated_at) FROM STDIN"
        ) as copy:
            for i in range(people):
                gid, path = grids[i // PER_GRID]
                copy.write_row(
                    (i + 1, i // 2 + 1, gid, path, f"P{i}", "MF"[i % 2], "", "", "", now, now)
                )
        print("people copied; generating tubes, samples and results", flush=True)
        _history(c, people=people, days=days)
        for table in (
            "registry_area",
            "registry_building",
            "registry_household",
            "registry_person",
            "screening_tube",
            "screening_sample",
            "screening_tuberesult",
        ):
            c.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
    with connection.cursor() as c:
        c.execute("VACUUM ANALYZE")
    Policy.objects.create(
        name="7天5检",
        area=Area.objects.get(pk=1),
        area_path="/4302/",
        starts_on=BASE,
        required_tests=POLICY[0],
        window_days=POLICY[1],
    )
    return [gid for gid, _ in grids]


def _history(c: Any, *, people: int, days: int) -> None:
    """Set-based: tube k*T+t holds persons t*10+1..t*10+10 sampled on day k."""
    tubes = -(-people // 10)
    tested = "((p.id * 2654435761 + k * 40503) % 1000) < CASE WHEN k = {last} THEN 900 ELSE 700 END"
    last = days - 1
    steps = [
        f"""INSERT INTO screening_tube (id, barcode, area_path, pool_size, per_household, status,
            sampled_on, opened_at, closed_at, resulted_at, members)
            SELECT k * {tubes} + (p.id - 1) / 10 + 1, 'D' || k || '-' || (p.id - 1) / 10,
              p.area_path, 10, false, CASE WHEN k = {last} THEN 'closed' ELSE 'resulted' END,
              DATE '{BASE}' + k, TIMESTAMPTZ '{BASE} 01:00Z' + k * INTERVAL '1 day',
              TIMESTAMPTZ '{BASE} 02:00Z' + k * INTERVAL '1 day',
              CASE WHEN k = {last} THEN NULL
                   ELSE TIMESTAMPTZ '{BASE} 08:00Z' + k * INTERVAL '1 day' END, 10
            FROM registry_person p, generate_series(0, {last}) k WHERE (p.id - 1) % 10 = 0""",
        f"""INSERT INTO screening_sample (id, client_id, tube_id, person_id, grid_id, area_path,
            sampled_at)
            SELECT k::bigint * {people} + p.id, 'g' || k || '-' || p.id,
              k * {tubes} + (p.id - 1) / 10 + 1, p.id, p.grid_id, p.area_path,
              TIMESTAMPTZ '{BASE} 01:30Z' + k * INTERVAL '1 day'
            FROM registry_person p, generate_series(0, {last}) k
            WHERE {tested.format(last=last)}""",
        """INSERT INTO screening_tuberesult (tube_id, area_path, outcome, lab, reported_at,
            imported_at)
            SELECT id, area_path, 'negative', 'bench', resulted_at, resulted_at
            FROM screening_tube WHERE status = 'resulted'""",
        f"""INSERT INTO screening_personresult (sample_id, person_id, grid_id, area_path,
            outcome, sampled_on, pooled)
            SELECT s.id, s.person_id, s.grid_id, s.area_path, 'negative',
              DATE '{BASE}' + ((s.id - 1) / {people})::int, true
            FROM screening_sample s WHERE s.id <= {last}::bigint * {people}""",
        f"""INSERT INTO screening_compliance (person_id, grid_id, area_path, last_tested_on,
            day_mask, required_tests, window_days, compliant_until, pending_recheck)
            SELECT person_id, grid_id, area_path, max(sampled_on),
              sum(1::bigint << (last - sampled_on)), {POLICY[0]}, {POLICY[1]},
              (array_agg(sampled_on ORDER BY sampled_on DESC))[{POLICY[0]}] + {POLICY[1] - 1},
              false
            FROM (SELECT r.*, max(sampled_on) OVER (PARTITION BY person_id) AS last
                  FROM screening_personresult r WHERE outcome = 'negative') h
            GROUP BY person_id, grid_id, area_path""",
    ]
    for sql in steps:
        t0 = time.perf_counter()
        c.execute(sql)
        print(
            f"  {sql.split()[2]}: {c.rowcount:,} rows in {time.perf_counter() - t0:.1f} s",
            flush=True,
        )


def _users() -> tuple[Any, Any]:
    from lifeline.accounts.models import Membership, Role, User

    lab = User.objects.create_user(username="bench_lab", password=None)
    command = User.objects.create_user(username="bench_command", password=None)
    Membership.objects.create(user=lab, role=Role.LAB, area_id=1)
    Membership.objects.create(user=command, role=Role.COMMAND_STAFF, area_id=1)
    return lab, command


def _ingest(lab: Any, args: argparse.Namespace) -> dict[str, Any]:
    from lifeline.screening.models import Tube
    from lifeline.screening.services.results import results_import_csv

    barcodes = list(
        Tube.objects.filter(status="closed").order_by("pk").values_list("barcode", flat=True)
    )
    if args.ingest_tubes:
        barcodes = barcodes[: args.ingest_tubes]
    results = tubes = positives = 0
    elapsed = 0.0
    for start in range(0, len(barcodes), args.batch):
        chunk = barcodes[start : start + args.batch]
        content = "barcode,result\n" + "".join(
            f"{b},{'positive' if (start + i) % 2000 == 1999 else 'negative'}\n"
            for i, b in enumerate(chunk)
        )
        t0 = time.perf_counter()
        summary = results_import_csv(actor=lab, content=content.encode(), lab="bench")
        elapsed += time.perf_counter() - t0
        results += summary.person_results
        tubes += summary.imported
        positives += summary.positives
        if (start // args.batch) % 10 == 0:
            print(f"  ingest: {results:,} person results, {results / elapsed:,.0f}/s", flush=True)
    rate = results / elapsed if elapsed else 0.0
    print(
        f"ingest: {results:,} person results from {tubes:,} tubes in {elapsed:.1f} s "
        f"= {rate:,.0f}/s ({positives} positive tubes)",
        flush=True,
    )
    return {
        "ingest_person_results": results,
        "ingest_tubes": tubes,
        "ingest_seconds": round(elapsed, 2),
        "ingest_results_per_second": round(rate),
        "ingest_tubes_per_second": round(tubes / elapsed) if elapsed else 0,
        "positive_tubes": positives,
    }


def _timed(fn: Any, repeat: int) -> tuple[list[float], Any]:
    times, answer = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        answer = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return times, answer


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


_NAIVE_LISTS = {
    "not_tested_today": (
        "SELECT p.id FROM registry_person p WHERE p.grid_id = %(grid)s AND NOT EXISTS ("
        "SELECT 1 FROM screening_personresult r WHERE r.person_id = p.id "
        "AND r.sampled_on = %(today)s AND r.outcome = 'negative')"
    ),
    "not_compliant": (
        "SELECT p.id FROM registry_person p WHERE p.grid_id = %(grid)s AND ("
        "SELECT count(DISTINCT r.sampled_on) FROM screening_personresult r "
        "WHERE r.person_id = p.id AND r.outcome = 'negative' "
        "AND r.sampled_on BETWEEN %(since)s AND %(today)s) < %(n)s"
    ),
}


def _grid_lists(command: Any, grids: list[int], today: dt.date, n: int) -> dict[str, Any]:
    """Each kind of grid list through the selector, then naively; the answers must agree."""
    from lifeline.accounts.scoping import forget_scope
    from lifeline.screening.selectors import screening_list

    picks = random.Random(7).choices(grids, k=n)
    since = today - dt.timedelta(days=POLICY[1] - 1)
    figures: dict[str, Any] = {}
    for kind, naive_sql in _NAIVE_LISTS.items():
        fast, naive, sizes = [], [], []
        for grid in picks:
            forget_scope(command)  # each request looks the scope up again (one stamps read)
            t0 = time.perf_counter()
            rows = list(
                screening_list(actor=command, area_id=grid, kind=kind).values_list("pk", "name")
            )
            fast.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            with connection.cursor() as c:
                c.execute(naive_sql, {"grid": grid, "today": today, "since": since, "n": POLICY[0]})
                raw = c.fetchall()
            naive.append((time.perf_counter() - t0) * 1000)
            if sorted(r[0] for r in raw) != sorted(r[0] for r in rows):
                raise RuntimeError(f"grid {grid}: incremental and naive {kind} lists differ")
            sizes.append(len(rows))
        prefix = "grid_list" if kind == "not_tested_today" else "grid_noncompliant_list"
        print(
            f"{kind} grid list: p95 {_p(fast, 95):.1f} ms (naive {_p(naive, 95):.1f} ms), "
            f"{statistics.fmean(sizes):.0f} people per list",
            flush=True,
        )
        figures.update(
            {
                f"{prefix}_p50_ms": round(_p(fast, 50), 1),
                f"{prefix}_p95_ms": round(_p(fast, 95), 1),
                f"{prefix}_naive_p95_ms": round(_p(naive, 95), 1),
                f"{prefix}_mean_size": round(statistics.fmean(sizes)),
            }
        )
    return figures


def _city_summary(command: Any, today: dt.date, repeat: int) -> dict[str, Any]:
    from lifeline.screening.selectors import screening_counts

    times, counts = _timed(lambda: screening_counts(actor=command, area_id=1), repeat)
    city = counts[0]
    since = today - dt.timedelta(days=POLICY[1] - 1)
    naive_sql = (
        "SELECT count(*) FILTER (WHERE today), count(*) FILTER (WHERE days >= %s) FROM ("
        " SELECT person_id, bool_or(sampled_on = %s) AS today, count(DISTINCT sampled_on) AS days"
        " FROM screening_personresult WHERE outcome = 'negative' AND sampled_on BETWEEN %s AND %s"
        " GROUP BY person_id) x"
    )

    def naive() -> tuple[int, int]:
        with connection.cursor() as c:
            c.execute(naive_sql, [POLICY[0], today, since, today])
            row = c.fetchone()
        return int(row[0]), int(row[1])

    naive_times, (tested, compliant) = _timed(naive, max(1, repeat - 1))
    if (tested, compliant) != (city["tested_today"], city["compliant"]):
        raise RuntimeError(f"city summary differs: naive {(tested, compliant)} vs {city}")
    print(
        f"city summary: {min(times) / 1000:.2f} s (naive {min(naive_times) / 1000:.2f} s); "
        f"{city['people']:,} people, {tested:,} tested today, {compliant:,} compliant",
        flush=True,
    )
    return {
        "city_summary_seconds": round(statistics.median(times) / 1000, 3),
        "city_summary_naive_seconds": round(statistics.median(naive_times) / 1000, 3),
        "city_people": city["people"],
        "city_tested_today": tested,
        "city_compliant": compliant,
        "city_pending_recheck": city["pending_recheck"],
    }
