"""The package burst of ``lifeline bench supplies``: ``orders`` residents of distinct
households order one package capped at ``cap`` at once from ``threads`` threads, through
``package_order`` (the service the resident page calls), on the database of DATABASE_URL.

The run makes its own community, buildings, households, committee and package (codes
with a random suffix), and removes them afterwards; the audit records of the orders stay,
as the audit log is append-only.
"""

from __future__ import annotations

import datetime as dt
import statistics
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from lifeline.accounts.models import User
from lifeline.bench._threads import close_thread_connections, run_parts
from lifeline.core import clock
from lifeline.core.errors import Conflict
from lifeline.registry.models import Area, AreaLevel, Building, Household, Unit
from lifeline.supplies.models import PackageDay, PackageOrder, PickList, SupplyPackage
from lifeline.supplies.services.packages import package_order

BUILDINGS = 20


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _setup(orders: int, cap: int) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:8]
    with transaction.atomic():
        area = Area.objects.create(
            level=AreaLevel.COMMUNITY,
            code=f"BENCH{tag}",
            name=f"压测社区{tag}",
            path=f"/BENCH{tag}/",
            depth=0,
        )
        unit = Unit.objects.create(
            code=f"BENCH{tag}", name="压测居委会", kind=Unit.Kind.COMMUNITY_COMMITTEE
        )
        unit.areas.set([area])
        user = User.objects.create_user(username=f"bench_{tag}", password=uuid.uuid4().hex)
        buildings = Building.objects.bulk_create(
            Building(grid=area, area_path=area.path, name=f"{n + 1}栋", address=f"{n + 1}栋")
            for n in range(BUILDINGS)
        )
        households = Household.objects.bulk_create(
            Household(
                building=buildings[i % BUILDINGS],
                grid=area,
                area_path=area.path,
                unit_no=f"{i // BUILDINGS + 1}",
                unit_sort=f"{i // BUILDINGS + 1:08d}",
                phone=f"19{i:09d}",
            )
            for i in range(orders)
        )
        package = SupplyPackage.objects.create(
            unit=unit,
            area=area,
            area_path=area.path,
            name="压测蔬菜包",
            contents="青菜",
            price=0,
            daily_cap=cap,
            created_by=user,
            created_at=clock.now(),
        )
    return {
        "area": area,
        "unit": unit,
        "user": user,
        "households": households,
        "package": package,
    }


def _cleanup(made: dict[str, Any]) -> None:
    package, area = made["package"], made["area"]
    with transaction.atomic():
        PackageOrder.objects.filter(day__package=package).delete()
        PickList.objects.filter(day__package=package).delete()
        PackageDay.objects.filter(package=package).delete()
        package.delete()
        Household.objects.filter(area_path=area.path).delete()
        Building.objects.filter(area_path=area.path).delete()
        made["unit"].areas.clear()
        made["unit"].delete()
        made["user"].delete()
        area.delete()


def run_burst(
    orders: int = 1000, cap: int = 200, threads: int = 32, write: Callable[[str], Any] = print
) -> dict[str, Any]:
    """Fire the burst and report orders per second, p50/p99 latency (ms), how many were
    accepted (must equal the cap), refused as sold out, and failed otherwise."""
    made = _setup(orders, cap)
    package = made["package"]
    # Inside the order window (07:00-14:00 by default), whatever the hour of the run.
    when = timezone.make_aware(
        dt.datetime.combine(timezone.localdate(clock.now()), package.opens_at)
    )
    gate = threading.Barrier(threads)
    latencies: list[float] = []
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def worker(part: list[Household]) -> None:
        gate.wait()
        mine: list[float] = []
        seen: Counter[str] = Counter()
        try:
            for household in part:
                start = time.perf_counter()
                try:
                    package_order(
                        phone=household.phone,
                        household_id=household.pk,
                        package_id=package.pk,
                        now=when,
                    )
                    seen["accepted"] += 1
                except Conflict as refused:
                    seen[refused.code] += 1
                except Exception:  # counted as "other": the figure must show it
                    seen["other"] += 1
                mine.append((time.perf_counter() - start) * 1000)
        finally:
            close_thread_connections()
        with lock:
            latencies.extend(mine)
            outcomes.update(seen)

    households = made["households"]
    parts = [households[i::threads] for i in range(threads)]
    try:
        write(f"burst: {orders} households, cap {cap}, {threads} threads")
        started = time.perf_counter()
        run_parts(worker, parts, threads)
        elapsed = time.perf_counter() - started
        counted = list(PackageDay.objects.filter(package=package).values_list("ordered", flat=True))
        stored = PackageOrder.objects.filter(day__package=package).count()
    finally:
        _cleanup(made)
    figures = {
        "orders": orders,
        "cap": cap,
        "threads": threads,
        "seconds": round(elapsed, 3),
        "orders_per_second": round(orders / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(statistics.median(latencies), 2) if latencies else 0.0,
        "p99_ms": round(_percentile(latencies, 0.99), 2),
        "accepted": outcomes["accepted"],
        "sold_out": outcomes["sold_out"],
        "other_errors": orders - outcomes["accepted"] - outcomes["sold_out"],
        "counter": counted[0] if counted else 0,
        "orders_stored": stored,
        "exactly_cap": outcomes["accepted"] == stored == min(cap, orders),
    }
    write(
        f"burst: {figures['orders_per_second']} orders/s, p99 {figures['p99_ms']} ms, "
        f"accepted {figures['accepted']} of cap {cap}"
    )
    return figures
