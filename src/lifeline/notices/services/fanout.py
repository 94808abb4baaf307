"""Texting a published notice to every phone it targets, once per phone, by the worker.

The walk goes through the target households in id order from ``Notice.fanout_cursor``, in
batches; each batch is one transaction holding the notice's row lock (so two workers never
walk one notice at once, and a worker that dies leaves the cursor where the last commit put
it). Per batch, with set-based statements and no model instances:

1. the households' rows (``NoticeHousehold``) go in with ``ON CONFLICT DO NOTHING``;
2. the phones, by their keyed lookup hash, go into ``NoticeText`` the same way, so a phone
   shared by several households (or met again after a crash) is texted once;
3. the texts of the phones newly inserted go into the outbox in multi-row inserts;
4. the counters and the cursor move on.

Households done, the contacts of enterprises in closed loop and of key users in the target
areas follow (when the notice names those groups), and the notice is marked sent.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext as _

from lifeline.core import clock
from lifeline.core.outbox import enqueue_sms_many
from lifeline.core.personal import lookup_hash, normalise_phone, phone_is_valid
from lifeline.notices.models import FanoutStatus, Notice, NoticeGroup, NoticeHousehold, NoticeText
from lifeline.notices.tokens import ack_token
from lifeline.registry.models import Household, Vulnerability

OBJECT_TYPE = "notices.notice"


def batch_size() -> int:
    return 5000 if connection.vendor == "postgresql" else 1000


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


def _households(notice: Notice, after: int, limit: int) -> list[tuple[int, str, str]]:
    where = Q()
    for path in notice.target_paths:
        where |= Q(area_path__startswith=path)
    qs = Household.objects.filter(where, pk__gt=after)
    if NoticeGroup.HOUSEHOLDS not in notice.groups:
        qs = qs.filter(pk__in=Vulnerability.objects.filter(where).values("person__household_id"))
    return list(qs.order_by("pk").values_list("pk", "area_path", "phone")[:limit])


def _insert_returning(sql_table: str, columns: str, rows: list[tuple[Any, ...]], returning: str):
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


def _texts(notice: Notice, phones: dict[str, tuple[str, int | None]]) -> list[tuple[str, str]]:
    """Insert the phones (hash -> (phone, household row)) not yet texted; their texts."""
    rows = [(notice.pk, h, recipient) for h, (_phone, recipient) in phones.items()]
    fresh = _insert_returning(
        NoticeText._meta.db_table, "notice_id, phone_hash, recipient_id", rows, "phone_hash"
    )
    base = public_url()
    messages = []
    for (phone_hash,) in fresh:
        phone, recipient = phones[phone_hash]
        link = (
            f"{base}/notices/a/{ack_token(recipient)}"
            if recipient is not None
            else f"{base}/notices/n/{notice.identifier}"
        )
        messages.append((phone, sms_text(notice, link)))
    return messages


def _phone_key(phone: str) -> tuple[str, str] | None:
    clean = normalise_phone(phone or "")
    if not clean or not phone_is_valid(clean):
        return None
    return lookup_hash(clean), clean


def _household_batch(notice: Notice) -> int:
    """One batch of households (inside the caller's transaction); how many were read."""
    found = _households(notice, notice.fanout_cursor, batch_size())
    if not found:
        return 0
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
    messages = _texts(notice, phones)
    enqueue_sms_many(
        messages=messages, object_type=OBJECT_TYPE, object_id=str(notice.pk), batch=batch_size()
    )
    Notice.objects.filter(pk=notice.pk).update(
        fanout_cursor=found[-1][0],
        households_count=F("households_count") + len(inserted),
        texts_count=F("texts_count") + len(messages),
    )
    return len(found)


def _contacts(notice: Notice) -> list[str]:
    """The contact phones of the enterprises in closed loop and key users the notice names."""
    from lifeline.enterprises.models import Enterprise, LoopStatus
    from lifeline.keyusers.models import KeyUser

    where = Q()
    for path in notice.target_paths:
        where |= Q(area_path__startswith=path)
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


def _finish(notice: Notice) -> None:
    phones: dict[str, tuple[str, int | None]] = {}
    for phone in _contacts(notice):
        key = _phone_key(phone)
        if key is not None:
            phones.setdefault(key[0], (key[1], None))
    messages = _texts(notice, phones)
    enqueue_sms_many(
        messages=messages, object_type=OBJECT_TYPE, object_id=str(notice.pk), batch=batch_size()
    )
    Notice.objects.filter(pk=notice.pk).update(
        texts_count=F("texts_count") + len(messages),
        fanout_status=FanoutStatus.DONE,
        fanout_done_at=clock.now(),
    )


def notice_fanout(*, notice_id: int, budget_seconds: float = 50.0) -> dict[str, int]:
    """Walk one published notice's targets until done or ``budget_seconds`` have passed
    (the next beat continues from the cursor). Safe to run from several workers at once."""
    started = time.monotonic()
    households = batches = 0
    while True:
        with transaction.atomic():
            notice = (
                Notice.objects.select_for_update()
                .filter(pk=notice_id, fanout_status=FanoutStatus.PENDING)
                .first()
            )
            if notice is None:
                break
            read = _household_batch(notice)
            if not read:
                _finish(notice)
                break
        households += read
        batches += 1
        if time.monotonic() - started > budget_seconds:
            break
    return {"households": households, "batches": batches}


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
