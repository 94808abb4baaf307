"""Bulk writing for the generator: explicit ids, COPY on PostgreSQL, bulk_create elsewhere.

The generator hands out primary keys itself, so households, people and their
vulnerabilities can be linked before anything is written, and a batch can go to the
database in one statement per table. On PostgreSQL rows are streamed with ``COPY``
(several times faster than multi-row INSERT for millions of rows); the sequences are
moved past the written ids at the end so later inserts by the application do not collide.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from django.db import connection, models
from django.db.models import Max


class BulkWriter:
    def __init__(self, *, use_copy: bool | None = None, batch_size: int = 5000) -> None:
        self.use_copy = connection.vendor == "postgresql" if use_copy is None else use_copy
        self.batch_size = batch_size
        self._next_id: dict[type[models.Model], int] = {}
        self.rows_written = 0
        self.seconds_by_table: dict[str, float] = {}

    def reserve_ids(self, model: type[models.Model], count: int) -> int:
        """The first of ``count`` consecutive new primary keys for ``model``."""
        if model not in self._next_id:
            current = model._default_manager.aggregate(m=Max("pk"))["m"] or 0
            self._next_id[model] = current + 1
        first = self._next_id[model]
        self._next_id[model] = first + count
        return first

    def write(
        self, model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        """Insert ``rows`` (tuples in the order of ``fields``, which include the pk)."""
        if not rows:
            return
        started = time.perf_counter()
        if self.use_copy:
            self._copy(model, fields, rows)
        else:
            objs = [model(**dict(zip(fields, row, strict=True))) for row in rows]
            model._default_manager.bulk_create(objs, batch_size=self.batch_size)
        self.rows_written += len(rows)
        table = model._meta.db_table
        self.seconds_by_table[table] = (
            self.seconds_by_table.get(table, 0.0) + time.perf_counter() - started
        )

    def _copy(
        self, model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        meta = model._meta
        by_attname = {f.attname: str(f.column) for f in meta.concrete_fields}
        columns = ", ".join(connection.ops.quote_name(by_attname[f]) for f in fields)
        sql = f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)

    def finish(self) -> None:
        """Move PostgreSQL sequences past the ids written here, and refresh statistics.

        Without ANALYZE right after a bulk load the planner believes the new tables are
        nearly empty: at 200,000 people it then intersects the grid index with the whole
        city's path index, and the grid page's queries cost 10 ms each instead of 0.1 ms.
        """
        with connection.cursor() as cursor:
            for model in self._next_id:
                table = connection.ops.quote_name(model._meta.db_table)
                cursor.execute(f"ANALYZE {table}")
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            for model in self._next_id:
                table = model._meta.db_table
                # Only the model's own table name, quoted, is interpolated.
                max_id = f"SELECT COALESCE(MAX(id), 1) FROM {connection.ops.quote_name(table)}"  # noqa: S608
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, 'id'), ({max_id}))", [table]
                )
