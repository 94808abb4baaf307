"""One batch of a notice's fan-out as one PostgreSQL statement, with no row leaving the
database: the households of the batch are read, their ``NoticeHousehold`` rows, the
``NoticeText`` row of each new phone and its text in the outbox are written by
data-modifying parts of one ``WITH``. The phone's keyed hash and the link's signature are
HMAC-SHA256 computed with PostgreSQL's ``sha256`` (the same values as
``core.personal.lookup_hash`` and ``notices.tokens.ack_token``); the text is the notice's,
built once per call, around the link.

Phones are written in the order of their hash, so that two workers whose batches share
phones take the unique index's entries in the same order and never deadlock; the one
that comes second finds the phone taken and texts nothing.
"""

# ruff: noqa: S608  (only the models' table names and trusted fragments are interpolated)

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection

from lifeline.core.outbox import sms_insert_sql
from lifeline.core.personal import (
    PHONE_VALID_SQL_RE,
    hmac_sha256_sql,
    lookup_hash_pads,
    normalised_phone_sql,
)
from lifeline.notices.models import Notice, NoticeGroup, NoticeHousehold, NoticeText
from lifeline.notices.tokens import ack_token_sql, signature_pads
from lifeline.registry.models import Household, Person, Vulnerability


@dataclass(frozen=True)
class Batch:
    last_id: int | None  # the last household read (None: nothing left in the range)
    households: int  # rows written
    texts: int  # texts queued
    read: int = 0  # households read


def _table(model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def _like(path: str) -> str:
    return path.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def statement(notice: Notice, *, before: str, after: str) -> tuple[str, dict[str, Any]]:
    """The batch statement of ``notice`` and its parameters but the range's
    (``start``, ``stop``, ``size``); a text is ``before`` + link token + ``after``."""
    params: dict[str, Any] = {"notice": notice.pk, "before": before, "after": after}
    paths = []
    for n, path in enumerate(notice.target_paths):
        params[f"path{n}"] = _like(path)
        paths.append(f"h.area_path LIKE %(path{n})s")
    where = " OR ".join(paths) or "FALSE"
    vulnerable = ""
    if NoticeGroup.HOUSEHOLDS not in notice.groups:
        vulnerable = (
            f"AND EXISTS (SELECT 1 FROM {_table(Person)} p JOIN {_table(Vulnerability)} v "
            "ON v.person_id = p.id WHERE p.household_id = h.id)"
        )
    params["lk_inner"], params["lk_outer"] = lookup_hash_pads()
    params["sig_inner"], params["sig_outer"] = signature_pads()
    params["valid"] = PHONE_VALID_SQL_RE
    phone_hash = f"encode({hmac_sha256_sql('n.clean', 'lk_inner', 'lk_outer')}, 'hex')"
    queue_sql, outbox = sms_insert_sql(
        select=(
            f"SELECT ph.clean AS recipient, %(before)s || {ack_token_sql('ph.recipient')} "
            "|| %(after)s AS body FROM texts t JOIN phones ph ON ph.hash = t.phone_hash"
        ),
        object_type="notices.notice",
        object_id=str(notice.pk),
    )
    params.update(outbox)
    sql = f"""
    WITH picked AS (
        SELECT h.id, h.area_path, h.phone FROM {_table(Household)} h
        WHERE h.id > %(start)s AND h.id <= %(stop)s AND ({where}) {vulnerable}
        ORDER BY h.id LIMIT %(size)s
    ), homes AS (
        INSERT INTO {_table(NoticeHousehold)} (notice_id, household_id, area_path, reach_note)
        SELECT %(notice)s, id, area_path, '' FROM picked ORDER BY id
        ON CONFLICT DO NOTHING RETURNING id, household_id
    ), phones AS (
        SELECT DISTINCT ON (hash) hash, clean, recipient FROM (
            SELECT {phone_hash} AS hash, n.clean, n.recipient, n.household FROM (
                SELECT {normalised_phone_sql("p.phone")} AS clean, m.id AS recipient,
                    m.household_id AS household
                FROM homes m JOIN picked p ON p.id = m.household_id
            ) n WHERE n.clean ~ %(valid)s
        ) x ORDER BY hash, household
    ), texts AS (
        INSERT INTO {_table(NoticeText)} (notice_id, phone_hash, recipient_id)
        SELECT %(notice)s, hash, recipient FROM phones ORDER BY hash
        ON CONFLICT DO NOTHING RETURNING phone_hash
    ), queued AS (
        {queue_sql} RETURNING 1
    )
    SELECT (SELECT max(id) FROM picked), (SELECT count(*) FROM homes),
        (SELECT count(*) FROM queued), (SELECT count(*) FROM picked)
    """
    return sql, params


def run_batch(sql: str, params: dict[str, Any], *, start: int, stop: int, size: int) -> Batch:
    """One batch of households with ids in (``start``, ``stop``], at most ``size``."""
    with connection.cursor() as cursor:
        # The parts of the WITH join each other's rows, which have no index and no
        # statistics: hashed, never nested loops (quadratic at 20,000 rows), whatever the
        # planner guesses. For this transaction only.
        cursor.execute("SET LOCAL enable_nestloop = off; SET LOCAL work_mem = '64MB'")
        cursor.execute(sql, {**params, "start": start, "stop": stop, "size": size})
        last, households, texts, read = cursor.fetchone()
        # The foreign keys' checks now, not at commit: the commit then follows the
        # counters' update at once, and other workers wait on the notice's row only that
        # long.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    return Batch(last, int(households), int(texts), int(read))
