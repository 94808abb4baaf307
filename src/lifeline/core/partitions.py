"""Day partitions of the tables that grow by millions of rows a day (PostgreSQL only).

The outbox (``core_outboxmessage``) is partitioned by ``created_at``, one partition per day
(UTC), made by migration ``core.0010``: the rows that were there became the partition
``core_outboxmessage_p_before``; a ``DEFAULT`` partition takes a row no other partition
covers, so an insert never fails for want of a partition.

The worker's sweep (``run_periodic``) keeps partitions ready ``DAYS_AHEAD`` days ahead and
drops a whole partition once everything in it is past the table's retention
(``core.retention``: the longest retention of the table's kinds; never while a kind keeps
rows for ever, never while a pending message is in it). Dropping a partition is one
catalogue change instead of millions of deletes, and leaves no dead rows to vacuum. Each
drop leaves an audit record, as row pruning does.

A partition is made by creating a plain table, moving into it any rows of its day the
default partition holds, and attaching it, in one transaction under an advisory lock of the
transaction (safe behind a transaction-mode pooler), so several workers can run the sweep.

Which other tables would be partitioned, and why not yet, is in docs/scale-out.md.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import connection, transaction

from lifeline.core import clock
from lifeline.core.actors import system
from lifeline.core.audit import AuditEntry, audit_log_many
from lifeline.core.retention import retention_days, rules

DAYS_AHEAD = 7
_LOCK_KEY = 0x4C4C5041  # "LLPA": one advisory lock for partition maintenance
_DAY_SUFFIX = re.compile(r"_p(\d{8})$")
_UPPER_BOUND = re.compile(r"TO \('([^']+)'\)")


@dataclass(frozen=True)
class PartitionedTable:
    table: str
    column: str
    # The retention kinds (core.retention) whose rows live in the table.
    retention_kinds: tuple[str, ...]
    # Rows that keep a partition alive whatever their age (SQL over the partition's rows).
    still_needed: str


PARTITIONED: tuple[PartitionedTable, ...] = (
    PartitionedTable(
        "core_outboxmessage",
        "created_at",
        ("outbox_sent", "outbox_failed"),
        "status = 'pending'",
    ),
)


def partition_name(table: str, day: dt.date) -> str:
    return f"{table}_p{day:%Y%m%d}"


def _bounds(day: dt.date) -> tuple[str, str]:
    start = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    return start.isoformat(), (start + dt.timedelta(days=1)).isoformat()


def partitions_of(table: str) -> dict[str, str]:
    """Each partition of ``table`` and its bound, as PostgreSQL states it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i"
            " JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = %s::regclass ORDER BY c.relname",
            [table],
        )
        return {name: bound for name, bound in cursor.fetchall()}


def covered_until(table: str) -> dt.datetime | None:
    """The end of the last range partition of ``table`` (None: only the default)."""
    ends = [
        dt.datetime.fromisoformat(found.group(1))
        for bound in partitions_of(table).values()
        if (found := _UPPER_BOUND.search(bound))
    ]
    return max(ends) if ends else None


def is_partitioned(table: str) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE relname = %s", [table])
        row = cursor.fetchone()
    return bool(row and row[0] == "p")


def partition_create(*, spec: PartitionedTable, day: dt.date) -> bool:
    """Make the partition of ``day`` unless it exists; True when it was made. Rows of that
    day already in the default partition move into it."""
    name = partition_name(spec.table, day)
    low, high = _bounds(day)
    table, column = spec.table, spec.column
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        cursor.execute("SELECT to_regclass(%s)", [name])
        if cursor.fetchone()[0] is not None:
            return False
        cursor.execute(
            f'CREATE TABLE "{name}" (LIKE "{table}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS)'
        )
        # Names are this module's constants and the partition's own.
        move = (
            f'WITH moved AS (DELETE FROM "{table}_default" WHERE "{column}" >= %s'  # noqa: S608
            f' AND "{column}" < %s RETURNING *) INSERT INTO "{name}" SELECT * FROM moved'
        )
        cursor.execute(move, [low, high])
        cursor.execute(
            f'ALTER TABLE "{table}" ATTACH PARTITION "{name}" FOR VALUES FROM (%s) TO (%s)',
            [low, high],
        )
    return True


def _droppable(spec: PartitionedTable, *, now: dt.datetime) -> dt.datetime | None:
    """The moment before which a partition may go (None: the table keeps rows for ever)."""
    days = [retention_days(rule) for rule in rules() if rule.kind in spec.retention_kinds]
    if not days or min(days) <= 0:
        return None
    return now - dt.timedelta(days=max(days))


def partitions_drop_expired(*, spec: PartitionedTable, now: dt.datetime) -> list[str]:
    """Drop the day partitions whose whole day is past the retention and which hold no row
    still needed; returns their names."""
    cutoff = _droppable(spec, now=now)
    if cutoff is None:
        return []
    dropped: list[str] = []
    entries: list[AuditEntry] = []
    for name in partitions_of(spec.table):
        match = _DAY_SUFFIX.search(name)
        if not match:
            continue  # the default and the rows from before partitioning are pruned by rows
        day = dt.datetime.strptime(match.group(1), "%Y%m%d").replace(tzinfo=dt.UTC)
        if day + dt.timedelta(days=1) > cutoff:
            continue
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
            cursor.execute("SELECT to_regclass(%s)", [name])
            if cursor.fetchone()[0] is None:
                continue  # another worker dropped it
            # Names and conditions are this module's constants and the partitions' own.
            cursor.execute(
                f'SELECT EXISTS (SELECT 1 FROM "{name}" WHERE {spec.still_needed})'  # noqa: S608
            )
            if cursor.fetchone()[0]:
                continue
            cursor.execute(f'SELECT count(*) FROM "{name}"')  # noqa: S608
            rows = int(cursor.fetchone()[0])
            cursor.execute(f'DROP TABLE "{name}"')
        dropped.append(name)
        entries.append(
            AuditEntry(
                "retention.prune",
                object_type=spec.table,
                object_id=rows,
                purpose=f"partition {name} dropped: past {cutoff:%Y-%m-%d}",
            )
        )
    if entries:
        audit_log_many(actor=system("retention"), entries=entries)
    return dropped


def partitions_maintain(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Make the coming days' partitions and drop the expired ones, for every partitioned
    table; returns how many of each."""
    moment = now or clock.now()
    made = dropped = 0
    for spec in PARTITIONED:
        if not is_partitioned(spec.table):
            continue
        today = moment.astimezone(dt.UTC).date()
        covered = covered_until(spec.table)
        for offset in range(DAYS_AHEAD + 1):
            day = today + dt.timedelta(days=offset)
            if covered and dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC) < covered:
                continue  # inside the partition of the rows from before partitioning
            made += partition_create(spec=spec, day=day)
        dropped += len(partitions_drop_expired(spec=spec, now=moment))
    return {"partitions_made": made, "partitions_dropped": dropped}


_last_run: list[dt.datetime] = []


def run_periodic(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The worker's sweep: at most once an hour per process."""
    moment = now or clock.now()
    if _last_run and dt.timedelta(0) <= moment - _last_run[-1] < dt.timedelta(hours=1):
        return {}
    figures = partitions_maintain(now=moment)
    _last_run[:] = [moment]
    return figures
