"""Lean inserts for the platform's hottest writes (intake, the timeline, the audit log,
the outbox).

``insert`` writes model instances with one plain multi-row ``INSERT ... RETURNING``: the
same values Django's ``bulk_create`` would write (each field's ``pre_save`` and
``get_db_prep_save``), without its per-call query building, which was most of the Python
time of a small write. ``Writes`` sends several such statements in one round trip.
``next_id`` hands out a row's primary key before it is inserted, so a value derived from it
(a work order's number) goes in with the row instead of in a second ``UPDATE``. All work on
PostgreSQL and SQLite.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import OperationalError, connection, models

M = TypeVar("M", bound=models.Model)

# Stay well under SQLite's and PostgreSQL's limits on parameters per statement.
_MAX_PARAMS = 30_000
_sql_cache: dict[tuple[Any, ...], str] = {}
_sequences: dict[type[models.Model], str] = {}


def insert(objs: Sequence[M]) -> None:
    """Insert ``objs`` (all of one model, all with or all without a primary key) and set
    the primary keys the database gave them."""
    writes = Writes()
    writes.insert(objs)
    writes.run()


Rows = list[tuple[Any, ...]]


class Writes:
    """Statements sent together: in one round trip on PostgreSQL, one after another on
    SQLite. Inserts get their primary keys, and ``select`` its rows, when ``run`` returns."""

    def __init__(self) -> None:
        # Each statement, its parameters, and what takes its result rows (None: no rows).
        self._parts: list[tuple[str, list[Any], Callable[[Rows], None] | None]] = []

    def insert(self, objs: Sequence[M]) -> None:
        """Add an insert of ``objs`` (as ``insert`` above)."""
        if not objs:
            return
        model = type(objs[0])
        with_pk = objs[0].pk is not None
        fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
        per_batch = max(1, _MAX_PARAMS // len(fields))
        for start in range(0, len(objs), per_batch):
            batch = objs[start : start + per_batch]
            sql = _insert_sql(model, fields, len(batch), with_pk)
            params = [
                f.get_db_prep_save(f.pre_save(obj, True), connection)
                for obj in batch
                for f in fields
            ]
            self._parts.append((sql, params, None if with_pk else _pk_setter(batch)))
            for obj in batch:
                obj._state.adding = False
                obj._state.db = connection.alias

    def execute(self, sql: str, params: Sequence[Any]) -> None:
        """Add a statement that returns no rows."""
        self._parts.append((sql, list(params), None))

    def select(self, sql: str, params: Sequence[Any]) -> Rows:
        """Add a query; the list returned is filled with its rows by ``run``."""
        rows: Rows = []
        self._parts.append((sql, list(params), rows.extend))
        return rows

    def run(self) -> None:
        parts, self._parts = self._parts, []
        if not parts:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql" and len(parts) > 1:
                # Client-side binding (Django's default with psycopg 3) lets several
                # statements travel in one query; their results come back in order.
                cursor.execute("; ".join(p[0] for p in parts), [v for p in parts for v in p[1]])
                for i, (_, _, take) in enumerate(parts):
                    if take is not None:
                        take(cursor.fetchall())
                    if i < len(parts) - 1:
                        cursor.nextset()
                return
            for sql, params, take in parts:
                cursor.execute(sql, params)
                if take is not None:
                    take(cursor.fetchall())


def _pk_setter(objs: Sequence[models.Model]) -> Callable[[Rows], None]:
    def take(rows: Rows) -> None:
        for obj, (pk,) in zip(objs, rows, strict=True):
            obj.pk = pk

    return take


def _insert_sql(model: type[models.Model], fields: list[Any], rows: int, with_pk: bool) -> str:
    key = (model, rows, with_pk, connection.vendor)
    sql = _sql_cache.get(key)
    if sql is None:
        quote = connection.ops.quote_name
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        table, columns = quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
        # Names come from the model's own metadata, quoted; values go as parameters.
        sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * rows)}"  # noqa: S608
        if not with_pk:
            sql += f" RETURNING {quote(_pk_column(model))}"
        _sql_cache[key] = sql
    return sql


# PostgreSQL ids are drawn from a table's sequence in blocks, one block per process and
# model at a time, so most inserts need no round trip for their id (PostgreSQL's own
# sequence CACHE does the same inside the server). Ids then go out of creation order
# across processes, as they already do across concurrent transactions.
ID_BLOCK = 32
_id_pools: dict[type[models.Model], list[int]] = {}
_id_lock = threading.Lock()


def next_id(model: type[models.Model]) -> int:
    """A new primary key for ``model``, from the sequence an insert without one would use.

    On SQLite it is the next value of the table's AUTOINCREMENT counter, which is safe only
    inside a write transaction (every ``atomic`` block here takes the write lock at BEGIN)
    and only for the insert that follows at once.
    """
    if connection.vendor != "postgresql":
        return _next_sqlite_id(model)
    with _id_lock:
        pool = _id_pools.setdefault(model, [])
        if not pool:
            with connection.cursor() as cursor:
                sequence = _sequences.get(model)
                if sequence is None:
                    cursor.execute(
                        "SELECT pg_get_serial_sequence(%s, %s)",
                        [model._meta.db_table, _pk_column(model)],
                    )
                    sequence = _sequences[model] = str(cursor.fetchone()[0])
                cursor.execute(
                    "SELECT nextval(%s) FROM generate_series(1, %s)", [sequence, ID_BLOCK]
                )
                pool.extend(sorted((int(row[0]) for row in cursor.fetchall()), reverse=True))
        return pool.pop()


def forget_ids() -> None:
    """Drop the drawn blocks (after a database flush reset the sequences)."""
    with _id_lock:
        _id_pools.clear()


def _next_sqlite_id(model: type[models.Model]) -> int:
    if not connection.in_atomic_block:
        raise RuntimeError("next_id needs the write transaction it will insert in")
    quote = connection.ops.quote_name
    pk = quote(_pk_column(model))
    table = model._meta.db_table
    counter = "SELECT seq FROM sqlite_sequence WHERE name = %s"
    highest = f"SELECT MAX({pk}) FROM {quote(table)}"  # noqa: S608 (quoted model names)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT MAX(COALESCE(({counter}), 0), COALESCE(({highest}), 0)) + 1", [table]
        )
        return int(cursor.fetchone()[0])


def _pk_column(model: type[models.Model]) -> str:
    pk = model._meta.pk
    assert pk is not None, model
    return str(pk.column)


DEADLOCK = "40P01"  # PostgreSQL's SQLSTATE for a transaction it aborted to break a deadlock
DEADLOCK_ATTEMPTS = 3

R = TypeVar("R")


def retry_deadlocked(work: Callable[[], R], *, attempts: int = DEADLOCK_ATTEMPTS) -> R:
    """Run ``work`` (which opens its own transaction) again when PostgreSQL aborted it to
    break a deadlock, as PostgreSQL's manual advises: the aborted transaction wrote
    nothing, so running it again is safe. Inside a caller's transaction nothing is retried
    (the caller's whole transaction is lost and must be retried by the caller)."""
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except OperationalError as error:
            cause = getattr(error, "__cause__", None)
            code = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
            if code != DEADLOCK or connection.in_atomic_block or attempt == attempts:
                raise
    raise AssertionError("unreachable")  # pragma: no cover
