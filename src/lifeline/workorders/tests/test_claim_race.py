"""Claims under concurrency: real threads against PostgreSQL (SQLite serialises writers,
so the race cannot happen there)."""

import random
import threading
from collections import Counter

import pytest
from django.db import connection

from lifeline.accounts.models import Role
from lifeline.core.errors import Conflict
from lifeline.testing.factories import make_user
from lifeline.workorders.models import EventKind, WorkOrder, WorkOrderEvent
from lifeline.workorders.services import workorder_claim, workorder_create

THREADS = 32
ORDERS = 100


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_32_members_claiming_100_orders_never_double_claim(city, ladder, grid_worker_a):
    if connection.vendor == "sqlite":
        pytest.skip("row-level races need PostgreSQL")
    # given 100 open orders and 32 members of the responsible unit
    orders = [
        workorder_create(
            actor=grid_worker_a, category_code="other", area=city.grid_a, description=f"事项{i}"
        ).order
        for i in range(ORDERS)
    ]
    members = [
        make_user(f"member{i}", role=Role.FIELD_TEAM, unit=ladder["committee"])
        for i in range(THREADS)
    ]
    wins: Counter[int] = Counter()
    lock = threading.Lock()
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def worker(member):
        try:
            mine = orders[:]
            random.shuffle(mine)
            start.wait()
            for order in mine:
                try:
                    workorder_claim(actor=member, order=order)
                except Conflict:
                    continue
                with lock:
                    wins[order.pk] += 1
        except BaseException as exc:  # surfaced below: a thread must not fail silently
            errors.append(exc)
        finally:
            connection.close()

    # when every member tries to claim every order at once
    threads = [threading.Thread(target=worker, args=(m,)) for m in members]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then every order was claimed exactly once, and the database agrees
    assert errors == []
    assert sorted(wins.values()) == [1] * ORDERS
    assert WorkOrder.objects.filter(claimed_by__isnull=True).count() == 0
    claims = Counter(
        WorkOrderEvent.objects.filter(kind=EventKind.CLAIMED).values_list("order_id", flat=True)
    )
    assert sorted(claims.values()) == [1] * ORDERS
    by_db = dict(WorkOrder.objects.values_list("pk", "claimed_by_id"))
    assert len(by_db) == ORDERS
