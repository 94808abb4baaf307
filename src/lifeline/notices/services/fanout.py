"""Texting a published notice to every phone it targets, once per phone, by the workers.

The target households are split by id into ranges (``NoticeFanoutPart``, planned under
the notice's row lock by the first worker to come). A worker takes a free range with
``SELECT ... FOR UPDATE SKIP LOCKED``, sends one batch of it and commits, then takes a
range again, so several workers (the tasks queued at publication, the sweep) send one
big notice side by side; a worker that dies leaves its range where the last commit put
its cursor. Per batch, one transaction:

1. on PostgreSQL, one statement (``fanout_sql``) that reads the households of the batch
   and writes their ``NoticeHousehold`` rows, the ``NoticeText`` row of each phone not
   yet texted (its keyed hash; ``ON CONFLICT DO NOTHING``) and its text in the outbox,
   without a row leaving the database; elsewhere (SQLite) the same in multi-row inserts;
2. the range's cursor, and the notice's counters, last (a short lock of the notice row).

The text is built once per notice and call, in the city's language, around the link:
only the link (``/notices/a/<token>``) differs between households. A phone shared by
several households, or met again after a crash, is texted once (the unique
``NoticeText`` row). Ranges walked, the contacts of enterprises in closed loop and of key
users in the target areas follow (when the notice names those groups), and the notice is
marked sent, once, under its row lock.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Max, Min, Q
from django.utils import translation
from django.utils.translation import gettext as _

from lifeline.core import clock
from lifeline.core.outbox import enqueue_sms_many
from lifeline.core.personal import lookup_hash, normalise_phone, phone_is_valid
from lifeline.notices.models import (
    FanoutStatus,
    Notice,
    NoticeFanoutPart,
    NoticeGroup,
    NoticeHousehold,
    NoticeText,
)
from lifeline.notices.services import fanout_sql
from lifeline.notices.services.fanout_sql import Batch
from lifeline.notices.tokens import ack_token
from lifeline.registry.models import Household, Vulnerability

OBJECT_TYPE = "notices.notice"
Runner = Callable[[NoticeFanoutPart], tuple[Batch, int]]
# Household ids per range (two batches on PostgreSQL): a city of 4 million people (about
# 1.5 million households) is walked in some 40 ranges, enough for every worker of a pool.
PART_IDS = 40_000
LINK_MARK = "\x00"


def batch_size() -> int:
    return 20_000 if connection.vendor == "postgresql" else 1000


def public_url() -> str:
    return str(getattr(settings, "LIFELINE_PUBLIC_URL", "") or "").rstrip("/")


def sms_text(notice: Notice, link: str) -> str:
    """The text of a notice in the city's language, with the link."""
    language = settings.LANGUAGE_CODE
    with translation.override(language):
        return _("%(title)s: %(body)s Please confirm you have read it: %(link)s") % {
            "title": notice.title_in(language),
            "body": notice.body_in(language),
            "link": link,
        }


def sms_parts(notice: Notice) -> tuple[str, str]:
    """The households' text before and after the link's token, built once."""
    text = sms_text(notice, LINK_MARK)
    before, found, after = text.partition(LINK_MARK)
    if not found:  # a translation that dropped the link: the link goes last
        before, after = text + " ", ""
    return f"{before}{public_url()}/notices/a/", after


def _targets(notice: Notice) -> Q:
    where = Q(pk__in=[])
    for path in notice.target_paths:
        where |= Q(area_path__startswith=path)
    return where


def _plan(notice: Notice) -> None:
    """Split the target households' ids into ranges (under the notice's lock); none when
    the notice is only for enterprises' and key users' contacts."""
    if not {NoticeGroup.HOUSEHOLDS, NoticeGroup.VULNERABLE} & set(notice.groups):
        return
    span = Household.objects.filter(_targets(notice)).aggregate(lo=Min("pk"), hi=Max("pk"))
    if span["lo"] is None:
        return
    start = max(span["lo"] - 1, notice.fanout_cursor)
    NoticeFanoutPart.objects.bulk_create(
        NoticeFanoutPart(
            notice=notice, first_id=first, last_id=min(first + PART_IDS, span["hi"]), cursor=first
        )
        for first in range(start, span["hi"], PART_IDS)
    )


def _prepare(notice_id: int) -> Notice | None:
    """The notice if its texts are still to send, its ranges planned."""
    with transaction.atomic():
        notice = (
            Notice.objects.select_for_update()
            .filter(pk=notice_id, fanout_status=FanoutStatus.PENDING)
            .first()
        )
        if notice is not None and not NoticeFanoutPart.objects.filter(notice=notice).exists():
            _plan(notice)
    return notice


def _phone_key(phone: str) -> tuple[str, str] | None:
    clean = normalise_phone(phone or "")
    if not clean or not phone_is_valid(clean):
        return None
    return lookup_hash(clean), clean


def _insert_returning(
    sql_table: str, columns: str, rows: Sequence[tuple[Any, ...]], returning: str
) -> list[tuple[Any, ...]]:
    if not rows:
        return []
    width = len(rows[0])
    placeholders = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(rows))
    params = [value for row in rows for value in row]
    table = connection.ops.quote_name(sql_table)
    head = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608 (the model's names)
    tail = f" ON CONFLICT DO NOTHING RETURNING {returning}"
    with connection.cursor() as cursor:
        cursor.execute(head + placeholders + tail, params)
        return cursor.fetchall()


def _texts(
    notice: Notice,
    phones: dict[str, tuple[str, int | None]],
    link_text: Callable[[int | None], str],
) -> int:
    """Queue the phones (hash -> (phone, household row)) not yet texted; how many."""
    rows = [(notice.pk, h, recipient) for h, (_phone, recipient) in phones.items()]
    fresh = _insert_returning(
        NoticeText._meta.db_table, "notice_id, phone_hash, recipient_id", rows, "phone_hash"
    )
    messages = [(phones[h][0], link_text(phones[h][1])) for (h,) in fresh]
    return enqueue_sms_many(
        messages=messages, object_type=OBJECT_TYPE, object_id=str(notice.pk), batch=500
    )


def _python_batch(
    notice: Notice, parts: tuple[str, str], start: int, stop: int, size: int
) -> Batch:
    """One batch in multi-row inserts (SQLite, and any database without the statement)."""
    qs = Household.objects.filter(_targets(notice), pk__gt=start, pk__lte=stop)
    if NoticeGroup.HOUSEHOLDS not in notice.groups:
        qs = qs.filter(pk__in=Vulnerability.objects.values("person__household_id"))
    found = list(qs.order_by("pk").values_list("pk", "area_path", "phone")[:size])
    if not found:
        return Batch(None, 0, 0)
    inserted = _insert_returning(
        NoticeHousehold._meta.db_table,
        "notice_id, household_id, area_path, reach_note",
        [(notice.pk, pk, path, "") for pk, path, _phone in found],
        "id, household_id",
    )
    row_of = {household: row for row, household in inserted}
    phones: dict[str, tuple[str, int | None]] = {}
    for pk, _path, phone in found:
        key = _phone_key(phone)
        if key is not None and pk in row_of and key[0] not in phones:
            phones[key[0]] = (key[1], row_of[pk])
    before, after = parts
    texts = _texts(notice, phones, lambda row: f"{before}{ack_token(row or 0)}{after}")
    return Batch(found[-1][0], len(inserted), texts, len(found))


def _walk_one(notice_id: int, run: Runner) -> Batch | None:
    """One batch of one free range (None when no range is free)."""
    with transaction.atomic():
        free = NoticeFanoutPart.objects.filter(notice_id=notice_id, done_at__isnull=True)
        if connection.features.has_select_for_update_skip_locked:
            free = free.select_for_update(skip_locked=True)
        part = free.order_by("first_id").first()
        if part is None:
            return None
        batch, size = run(part)
        done = batch.last_id is None or batch.last_id >= part.last_id or batch.read < size
        NoticeFanoutPart.objects.filter(pk=part.pk).update(
            cursor=batch.last_id or part.cursor, done_at=clock.now() if done else None
        )
        if batch.households or batch.texts:
            Notice.objects.filter(pk=notice_id).update(
                households_count=F("households_count") + batch.households,
                texts_count=F("texts_count") + batch.texts,
            )
    return batch


def _contacts(notice: Notice) -> list[str]:
    """The contact phones of the enterprises in closed loop and key users the notice names."""
    from lifeline.enterprises.models import Enterprise, LoopStatus
    from lifeline.keyusers.models import KeyUser

    where = _targets(notice)
    phones: list[str] = []
    if NoticeGroup.ENTERPRISES in notice.groups:
        phones += list(
            Enterprise.objects.filter(where, status=LoopStatus.ACTIVE).values_list(
                "contact_phone", flat=True
            )
        )
    if NoticeGroup.KEY_USERS in notice.groups:
        phones += list(KeyUser.objects.filter(where).values_list("contact_phone", flat=True))
    return phones


def _finish(notice_id: int) -> bool:
    """Once every range is walked: text the contacts and mark the notice sent (once)."""
    with transaction.atomic():
        notice = (
            Notice.objects.select_for_update()
            .filter(pk=notice_id, fanout_status=FanoutStatus.PENDING)
            .first()
        )
        if notice is None:
            return False
        if NoticeFanoutPart.objects.filter(notice=notice, done_at__isnull=True).exists():
            return False  # another worker is still on a range
        phones: dict[str, tuple[str, int | None]] = {}
        for phone in _contacts(notice):
            key = _phone_key(phone)
            if key is not None:
                phones.setdefault(key[0], (key[1], None))
        text = sms_text(notice, f"{public_url()}/notices/n/{notice.identifier}")
        texts = _texts(notice, phones, lambda _row: text)
        Notice.objects.filter(pk=notice.pk).update(
            texts_count=F("texts_count") + texts,
            fanout_status=FanoutStatus.DONE,
            fanout_done_at=clock.now(),
        )
    return True


def _runner(notice: Notice) -> Runner:
    """The batch of a range, with the statement and the text built once per call."""
    parts = sms_parts(notice)
    size = batch_size()
    if connection.vendor == "postgresql":
        sql, params = fanout_sql.statement(notice, before=parts[0], after=parts[1])
        return lambda part: (
            fanout_sql.run_batch(sql, params, start=part.cursor, stop=part.last_id, size=size),
            size,
        )
    return lambda part: (_python_batch(notice, parts, part.cursor, part.last_id, size), size)


def notice_fanout(*, notice_id: int, budget_seconds: float = 50.0) -> dict[str, int]:
    """Send batches of one published notice's free ranges until none is left or
    ``budget_seconds`` have passed (at least one batch; the next beat continues from the
    cursors). Safe to run from several workers at once: each takes a range of its own."""
    started = time.monotonic()
    households = batches = texts = 0
    notice = _prepare(notice_id)
    if notice is None:
        return {"households": 0, "batches": 0, "texts": 0}
    run = _runner(notice)
    while True:
        batch = _walk_one(notice_id, run)
        if batch is None:  # every range walked or taken by another worker
            break
        households += batch.households
        texts += batch.texts
        batches += 1
        if time.monotonic() - started > budget_seconds:
            return {"households": households, "batches": batches, "texts": texts}
    _finish(notice_id)
    return {"households": households, "batches": batches, "texts": texts}


def fanout_tasks() -> int:
    """How many worker tasks a publication queues for its texts."""
    return max(1, int(getattr(settings, "LIFELINE_NOTICE_FANOUT_TASKS", 2)))


def notices_fanout_pending(*, budget_seconds: float = 50.0) -> dict[str, int]:
    """The sweep: every published notice whose texts are not all queued yet."""
    ids = list(
        Notice.objects.filter(fanout_status=FanoutStatus.PENDING)
        .order_by("published_at", "pk")
        .values_list("pk", flat=True)[:20]
    )
    total = {"notices": 0, "households": 0}
    started = time.monotonic()
    for pk in ids:
        left = budget_seconds - (time.monotonic() - started)
        if left <= 0:
            break
        done = notice_fanout(notice_id=pk, budget_seconds=left)
        total["notices"] += 1
        total["households"] += done["households"]
    return total
