"""The outbox's day partitions on PostgreSQL: made ahead, rows of a day moved out of the
default partition, whole days dropped once past retention (never with a pending message)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from lifeline.core import partitions
from lifeline.core.models import AuditRecord, OutboxMessage, OutboxStatus

pytestmark = pytest.mark.django_db
TABLE = "core_outboxmessage"
FAR = dt.datetime(2031, 3, 1, 9, 0, tzinfo=dt.UTC)  # past any partition a test run makes


def _message(at: dt.datetime, status: str = OutboxStatus.SENT) -> OutboxMessage:
    return OutboxMessage.objects.create(
        recipient="+8613800000000", body="封控通知", status=status, created_at=at
    )


def _rows_in(name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{name}"')
        return int(cursor.fetchone()[0])


def test_sqlite_keeps_a_plain_table():
    if connection.vendor == "postgresql":
        pytest.skip("the plain table is SQLite's")
    assert not partitions.is_partitioned(TABLE)
    assert partitions.partitions_maintain(now=FAR) == {
        "partitions_made": 0,
        "partitions_dropped": 0,
    }


@pytest.mark.postgres
def test_days_ahead_are_made_and_a_days_rows_leave_the_default_partition():
    if connection.vendor != "postgresql":
        pytest.skip("partitions are PostgreSQL's")
    assert partitions.is_partitioned(TABLE)
    # Given a message of a day no partition covers yet: it waits in the default one.
    early = _message(FAR + dt.timedelta(hours=2))
    assert _rows_in(f"{TABLE}_default") >= 1
    # When the sweep runs that day, then the coming days have partitions and the message
    # is in its own day's, under the same id.
    figures = partitions.partitions_maintain(now=FAR)
    assert figures["partitions_made"] == partitions.DAYS_AHEAD + 1
    names = partitions.partitions_of(TABLE)
    for offset in range(partitions.DAYS_AHEAD + 1):
        assert partitions.partition_name(TABLE, FAR.date() + dt.timedelta(days=offset)) in names
    assert _rows_in(partitions.partition_name(TABLE, FAR.date())) == 1
    assert OutboxMessage.objects.get(pk=early.pk).body == "封控通知"
    # And running it again makes nothing new.
    assert partitions.partitions_maintain(now=FAR)["partitions_made"] == 0


@pytest.mark.postgres
def test_a_day_past_retention_is_dropped_unless_a_message_still_waits(settings):
    if connection.vendor != "postgresql":
        pytest.skip("partitions are PostgreSQL's")
    settings.LIFELINE_RETENTION_DAYS = {"outbox_sent": 30, "outbox_failed": 90}
    partitions.partitions_maintain(now=FAR)
    _message(FAR + dt.timedelta(hours=1))  # sent: its day may go
    _message(FAR + dt.timedelta(days=1, hours=1), OutboxStatus.PENDING)  # keeps its day
    later = FAR + dt.timedelta(days=95)
    dropped = partitions.partitions_drop_expired(spec=partitions.PARTITIONED[0], now=later)
    # The days wholly before later - 90 days go; the day holding the pending one stays.
    assert partitions.partition_name(TABLE, FAR.date()) in dropped
    kept = partitions.partition_name(TABLE, (FAR + dt.timedelta(days=1)).date())
    assert kept not in dropped and kept in partitions.partitions_of(TABLE)
    assert OutboxMessage.objects.filter(status=OutboxStatus.PENDING).exists()
    record = AuditRecord.objects.get(
        action="retention.prune",
        object_type=TABLE,
        purpose__contains=partitions.partition_name(TABLE, FAR.date()),
    )
    assert record.object_id == "1"  # the one sent message went with its day


@pytest.mark.postgres
def test_a_table_kept_for_ever_loses_no_partition(settings):
    if connection.vendor != "postgresql":
        pytest.skip("partitions are PostgreSQL's")
    settings.LIFELINE_RETENTION_DAYS = {"outbox_sent": 0, "outbox_failed": 90}
    partitions.partitions_maintain(now=FAR)
    spec = partitions.PARTITIONED[0]
    assert partitions.partitions_drop_expired(spec=spec, now=FAR + dt.timedelta(days=400)) == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_workers_making_the_same_days_at_once_make_each_once():
    import threading

    from django.db import connections

    if connection.vendor != "postgresql":
        pytest.skip("partitions are PostgreSQL's")
    later = FAR + dt.timedelta(days=400)  # days no other test makes
    start = threading.Barrier(6)
    made: list[int] = []
    failures: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait()
            made.append(partitions.partitions_maintain(now=later)["partitions_made"])
        except BaseException as exc:
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        # Then no worker failed, and each day's partition was made by exactly one of them.
        assert failures == []
        assert sum(made) == partitions.DAYS_AHEAD + 1
    finally:
        with connection.cursor() as cursor:
            for offset in range(partitions.DAYS_AHEAD + 1):
                name = partitions.partition_name(TABLE, (later + dt.timedelta(days=offset)).date())
                cursor.execute(f'DROP TABLE IF EXISTS "{name}"')
