"""Seed scenario (2): a package capped at 200 a day; 1,000 residents of distinct households
order at once from 32 threads on PostgreSQL. Exactly 200 orders are taken, the counter
says 200, and every other resident gets the "sold out" refusal (nothing else fails)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from lifeline.accounts.models import Role
from lifeline.core.errors import Conflict
from lifeline.registry.models import Building, Household
from lifeline.supplies.models import PackageDay, PackageOrder, PickList
from lifeline.supplies.tests.scope_cases_packages import at, make_package, order_for
from lifeline.testing.factories import SmallCity, make_user

pytestmark = pytest.mark.postgres

RESIDENTS = 1_000
CAP = 200
THREADS = 32


@pytest.mark.django_db(transaction=True)
def test_scenario_2_a_burst_of_1000_orders_gets_exactly_the_cap_of_200(city: SmallCity) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the cap under concurrency is tested on PostgreSQL")
    # given a package capped at 200 and 1,000 households in 10 buildings
    staff = make_user("pk_staff", role=Role.COMMUNITY_STAFF, area=city.community)
    package = make_package(city, staff, city.community, cap=CAP)
    buildings = Building.objects.bulk_create(
        Building(grid=city.grid_a, area_path=city.grid_a.path, name=f"{n}栋", address=f"{n}栋")
        for n in range(1, 11)
    )
    households = Household.objects.bulk_create(
        Household(
            building=buildings[i % 10],
            grid=city.grid_a,
            area_path=city.grid_a.path,
            unit_no=f"{i // 10 + 1}",
            unit_sort=f"{i // 10 + 1:08d}",
            phone=f"1360000{i:04d}",
        )
        for i in range(RESIDENTS)
    )
    gate = threading.Barrier(THREADS)
    when = at(9)

    def one(household: Household) -> str:
        try:
            order_for(household, package, when=when)
            return "ok"
        except Conflict as refused:
            return refused.code
        except Exception as exc:  # counted below: nothing but "sold out" may fail
            return f"error: {exc!r}"

    def worker(part: list[Household]) -> list[str]:
        gate.wait()
        try:
            return [one(h) for h in part]
        finally:
            connections.close_all()

    # when they all order at once from 32 threads
    parts = [households[i::THREADS] for i in range(THREADS)]
    with ThreadPoolExecutor(THREADS) as pool:
        outcomes = [o for part in pool.map(worker, parts) for o in part]

    # then exactly 200 are taken and the other 800 are told "sold out"
    assert outcomes.count("ok") == CAP
    assert outcomes.count("sold_out") == RESIDENTS - CAP, sorted(set(outcomes))
    day = PackageDay.objects.get(package=package)
    assert (day.ordered, day.cap) == (CAP, CAP) and day.closed_at is not None
    assert PackageOrder.objects.filter(day=day).count() == CAP
    # and each building's pick list holds exactly its orders
    per_list = {pl.pk: pl.orders.count() for pl in PickList.objects.filter(day=day)}
    assert sum(per_list.values()) == CAP
