"""Lean inserts, batched statements and ids drawn before the insert (core/db.py), on the
database the suite runs on (SQLite and PostgreSQL in CI)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from lifeline.core import db
from lifeline.core.models import AuditChain, OutboxMessage
from lifeline.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


def test_insert_writes_what_bulk_create_would_and_sets_the_keys() -> None:
    sent = dt.datetime(2022, 11, 5, 8, 30, tzinfo=dt.UTC)
    messages = [
        OutboxMessage(channel="sms", recipient="13800000001", body="您好", sent_at=sent),
        OutboxMessage(channel="sms", recipient="13800000002", body="第二条"),
    ]
    db.insert(messages)
    assert all(m.pk for m in messages) and messages[0].pk != messages[1].pk
    assert not messages[0]._state.adding
    stored = OutboxMessage.objects.get(pk=messages[0].pk)
    # defaults (status, created_at via pre_save), text and aware datetimes come back as given
    assert (stored.body, stored.status, stored.sent_at) == ("您好", "pending", sent)
    assert stored.created_at is not None
    assert OutboxMessage.objects.get(pk=messages[1].pk).sent_at is None


def test_writes_send_several_statements_in_one_round_trip_on_postgresql() -> None:
    AuditChain.objects.create(id=7, last_seq=0, last_hash="0" * 64)
    first = [OutboxMessage(channel="sms", recipient="13800000003", body="一")]
    second = [OutboxMessage(channel="sms", recipient="13800000004", body=f"二{i}") for i in (1, 2)]
    writes = db.Writes()
    writes.insert(first)
    writes.insert(second)
    before = writes.select("SELECT last_seq FROM core_auditchain WHERE id = %s", [7])
    writes.execute("UPDATE core_auditchain SET last_seq = %s WHERE id = %s", [5, 7])
    assert before == []  # filled by run
    with CaptureQueriesContext(connection) as queries:
        writes.run()
    assert len(queries) == (1 if connection.vendor == "postgresql" else 4)
    assert before == [(0,)]
    # every insert got its own keys, in order, from its own result
    keys = [m.pk for m in first + second]
    assert len(set(keys)) == 3 and None not in keys
    assert OutboxMessage.objects.get(pk=second[1].pk).body == "二2"
    assert AuditChain.objects.get(id=7).last_seq == 5


def test_inserts_past_the_parameter_limit_go_in_several_statements() -> None:
    many = [OutboxMessage(channel="sms", recipient="1", body=str(i)) for i in range(3000)]
    db.insert(many)
    assert len({m.pk for m in many}) == 3000
    assert OutboxMessage.objects.count() == 3000


def test_next_id_hands_out_keys_that_ordinary_inserts_never_reuse(city, grid_worker_a):
    from lifeline.registry.models import Unit
    from lifeline.workorders.services import workorder_create

    committee = Unit.objects.create(code="C1", name="居委会", kind=Unit.Kind.COMMUNITY_COMMITTEE)
    committee.areas.set([city.community])
    with transaction.atomic():
        drawn = db.next_id(WorkOrder)
        db.insert([_order(drawn, city, committee)])
    later = workorder_create(
        actor=grid_worker_a, category_code="other", area=city.grid_a, description="之后"
    ).order
    assert later.pk > drawn
    assert WorkOrder.objects.filter(pk=drawn).exists()


@pytest.mark.django_db(transaction=True)
def test_next_id_on_sqlite_refuses_to_run_outside_the_write_transaction() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL draws from a sequence, which needs no transaction")
    with pytest.raises(RuntimeError):
        db.next_id(WorkOrder)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ids_drawn_by_many_threads_at_once_are_all_different() -> None:
    if connection.vendor == "sqlite":
        pytest.skip("SQLite has one writer at a time")
    drawn: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(16)
    errors: list[BaseException] = []

    def draw() -> None:
        try:
            start.wait()
            mine = [db.next_id(WorkOrder) for _ in range(50)]
            with lock:
                drawn.extend(mine)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=draw) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(drawn) == len(set(drawn)) == 800


def _order(pk: int, city, unit) -> WorkOrder:
    from lifeline.workorders.models import Category

    now = dt.datetime.now(dt.UTC)
    return WorkOrder(
        pk=pk,
        number=f"T{pk:07d}",
        category=Category.objects.get(code="other"),
        channel="staff",
        priority=3,
        status="dispatched",
        area=city.grid_a,
        area_path=city.grid_a.path,
        responsible_unit=unit,
        description="先取号",
        created_at=now,
        updated_at=now,
    )
