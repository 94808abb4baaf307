"""The notification outbox: rows written in the writer's transaction, sent by the worker.

A round of :func:`outbox_send_pending`:

1. **claim** (one short transaction): the due messages (pending, ``next_attempt_at``
   passed; ``SKIP LOCKED`` on PostgreSQL, so workers never wait on each other) get this
   worker's token, one more attempt, and a lease: ``next_attempt_at`` and ``claimed_until``
   move ``LEASE`` ahead, so no other worker takes them meanwhile, and a worker that dies
   leaves them to fall due again when the lease ends. Nothing is lost on a restart;
2. **send** each one with no transaction open (a slow provider holds no lock);
3. **record** each outcome in its own short statement: sent right after the provider
   accepted (so the normal path never sends twice); a temporary failure waits
   ``BACKOFF[attempt]`` (with jitter) and tries again; after ``MAX_ATTEMPTS`` attempts, or
   at once for a permanent failure, the message goes to the dead-letter list
   (``FAILED``) with its last error, where an operator can retry it.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils.crypto import get_random_string

from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.audit import AuditEntry, audit_log_many
from lifeline.core.models import OutboxMessage, OutboxStatus
from lifeline.core.personal import mask_phone
from lifeline.core.sms_backends import PermanentSendError, SmsBackend, Write, load_backend

log = logging.getLogger(__name__)

OUTBOX_BATCH = 100
# Wait after the n-th failed attempt (the last entry is never used: the attempt after it
# is the last). Each wait is stretched or shrunk by up to JITTER, so that messages that
# failed together (a provider outage) do not all come back in the same second.
BACKOFF: tuple[dt.timedelta, ...] = (
    dt.timedelta(seconds=30),
    dt.timedelta(minutes=2),
    dt.timedelta(minutes=10),
    dt.timedelta(hours=1),
    dt.timedelta(hours=6),
)
JITTER = 0.2
MAX_ATTEMPTS = len(BACKOFF) + 1
# How long a claim holds (default; settings.LIFELINE_OUTBOX_LEASE_SECONDS). A message is
# only sent while at least LEASE_MARGIN of its lease remains (longer than a provider's
# timeout), so that no other worker can have taken it; a lease shorter than four margins
# keeps a quarter of itself as margin.
LEASE = dt.timedelta(minutes=10)
LEASE_MARGIN = dt.timedelta(minutes=1)
OBJECT_TYPE = "core.outboxmessage"


def enqueue_sms(*, recipient: str, body: str, object_type: str = "", object_id: str = "") -> None:
    """Queue one text in the caller's transaction; the worker sends it after commit."""
    OutboxMessage.objects.create(
        channel="sms",
        recipient=recipient,
        body=body,
        object_type=object_type,
        object_id=object_id,
    )


def backoff_after(attempts: int) -> dt.timedelta:
    """How long to wait after the ``attempts``-th failed attempt (jittered)."""
    base = BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]
    return base * random.uniform(1 - JITTER, 1 + JITTER)


def outbox_send_pending(*, limit: int = OUTBOX_BATCH, write: Write = print) -> int:
    """Claim up to ``limit`` due messages, send them and record each outcome; returns how
    many were claimed. Must not run inside a transaction (it would hold the claim's locks
    through every send)."""
    token = get_random_string(32)
    messages = outbox_claim(token=token, limit=limit)
    if not messages:
        return 0
    try:
        backend: SmsBackend | None = load_backend(write=write)
        setup_error = ""
    except ImproperlyConfigured as exc:
        backend, setup_error = None, str(exc)
        log.error("SMS backend not usable: %s", exc)
    margin = min(LEASE_MARGIN, _lease() / 4)
    for index, message in enumerate(messages):
        lease = message.claimed_until
        if lease is None or clock.now() >= lease - margin:
            _release(token=token, messages=messages[index:])
            break
        if backend is None:
            _record_failure(message, token=token, error=setup_error, permanent=False)
            continue
        try:
            provider_id = backend.send(message.recipient, message.body, key=f"outbox-{message.pk}")
        except PermanentSendError as exc:
            _record_failure(message, token=token, error=_describe(exc), permanent=True)
        except Exception as exc:  # any other trouble may pass: back off and retry
            _record_failure(message, token=token, error=_describe(exc), permanent=False)
        else:
            _record_sent(message, provider_id=provider_id)
    return len(messages)


def outbox_claim(*, token: str, limit: int = OUTBOX_BATCH) -> list[OutboxMessage]:
    """Take up to ``limit`` due messages for the worker holding ``token`` (one short
    transaction; each claim counts as an attempt)."""
    now = clock.now()
    until = now + _lease()
    with transaction.atomic():
        due = OutboxMessage.objects.filter(
            status=OutboxStatus.PENDING, next_attempt_at__lte=now
        ).order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        OutboxMessage.objects.filter(pk__in=ids).update(
            attempts=F("attempts") + 1,
            claimed_by=token,
            claimed_until=until,
            next_attempt_at=until,
        )
    return list(OutboxMessage.objects.filter(pk__in=ids, claimed_by=token).order_by("id"))


def _lease() -> dt.timedelta:
    seconds = getattr(settings, "LIFELINE_OUTBOX_LEASE_SECONDS", None)
    return dt.timedelta(seconds=max(int(seconds), 1)) if seconds else LEASE


def _record_sent(message: OutboxMessage, *, provider_id: str) -> None:
    # Whoever holds the claim now, the provider has the text: it is sent.
    OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.PENDING).update(
        status=OutboxStatus.SENT,
        sent_at=clock.now(),
        provider_message_id=provider_id[:200],
        last_error="",
        claimed_by="",
        claimed_until=None,
    )


def _record_failure(message: OutboxMessage, *, token: str, error: str, permanent: bool) -> None:
    now = clock.now()
    text = error.replace(message.recipient, mask_phone(message.recipient))[:500]
    fields: dict[str, Any] = {"last_error": text, "claimed_by": "", "claimed_until": None}
    if permanent or message.attempts >= MAX_ATTEMPTS:
        fields.update(status=OutboxStatus.FAILED, failed_at=now)
    else:
        fields.update(next_attempt_at=now + backoff_after(message.attempts))
    OutboxMessage.objects.filter(
        pk=message.pk, status=OutboxStatus.PENDING, claimed_by=token
    ).update(**fields)


def _release(*, token: str, messages: Sequence[OutboxMessage]) -> None:
    """Give back messages the lease left too little time to send (not an attempt)."""
    OutboxMessage.objects.filter(
        pk__in=[m.pk for m in messages], status=OutboxStatus.PENDING, claimed_by=token
    ).update(
        attempts=F("attempts") - 1,
        claimed_by="",
        claimed_until=None,
        next_attempt_at=clock.now(),
    )


def _describe(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def outbox_dead_letters() -> QuerySet[OutboxMessage]:
    """The dead-letter list, newest failure first. Callers check the permission to see it
    (``outbox.manage``) and show only the envelope: the recipient masked, never the body."""
    return OutboxMessage.objects.filter(status=OutboxStatus.FAILED).order_by(
        F("failed_at").desc(nulls_last=True), "-id"
    )


def outbox_retry(*, actor: Actor, message_ids: Sequence[int]) -> int:
    """Put dead-lettered messages back in the queue, due now with a fresh set of attempts;
    returns how many were put back. One audit record per message (``outbox.retry``).
    Messages not in the dead-letter list are left alone. Callers check that ``actor`` may
    (``outbox.manage``); core knows no permissions."""
    with transaction.atomic():
        ids = list(
            OutboxMessage.objects.select_for_update()
            .filter(pk__in=list(message_ids), status=OutboxStatus.FAILED)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not ids:
            return 0
        OutboxMessage.objects.filter(pk__in=ids).update(
            status=OutboxStatus.PENDING,
            attempts=0,
            next_attempt_at=clock.now(),
            failed_at=None,
            claimed_by="",
            claimed_until=None,
        )
        audit_log_many(
            actor=actor,
            entries=[
                AuditEntry("outbox.retry", object_type=OBJECT_TYPE, object_id=pk, fields=["status"])
                for pk in ids
            ],
        )
    return len(ids)


def enqueue_sms_many(
    *,
    messages: Sequence[tuple[str, str]],
    object_type: str = "",
    object_id: str = "",
    batch: int = 2000,
) -> int:
    """Queue many texts (``(recipient, body)`` pairs) in the caller's transaction, one
    multi-row INSERT per ``batch`` with no model instances (a notice's fan-out to a whole
    city); the worker sends them after commit. Returns how many were queued."""
    if not messages:
        return 0
    now = connection.ops.adapt_datetimefield_value(clock.now())
    table = connection.ops.quote_name(OutboxMessage._meta.db_table)
    constant = [now, now, object_type[:64], object_id[:64]]
    with connection.cursor() as cursor:
        for start in range(0, len(messages), batch):
            chunk = messages[start : start + batch]
            values = ", ".join(["(%s, %s)"] * len(chunk))
            params: list[Any] = [*constant]
            for recipient, body in chunk:
                params.extend((recipient[:200], body))
            sql = (  # the model's table name and placeholders only
                f"INSERT INTO {table} (recipient, body, channel, subject, status, attempts, "  # noqa: S608
                "last_error, created_at, next_attempt_at, object_type, object_id, claimed_by, "
                "provider_message_id) SELECT v.column1, v.column2, 'sms', '', %s, 0, '', "
                "%s, %s, %s, %s, '', '' FROM (VALUES "
            )
            cursor.execute(sql + values + ") AS v", [OutboxStatus.PENDING.value, *params])
    return len(messages)


def sms_insert_sql(
    *, select: str, object_type: str = "", object_id: str = ""
) -> tuple[str, dict[str, Any]]:
    """An ``INSERT`` of texts into the outbox from ``select`` (trusted SQL yielding the
    columns ``recipient`` and ``body``), with its named parameters: to run alone, or as a
    data-modifying part of a caller's ``WITH`` so that a whole city's texts are written
    inside the database in one statement (a notice's fan-out). Queued in the caller's
    transaction; the worker sends them after commit."""
    table = connection.ops.quote_name(OutboxMessage._meta.db_table)
    sql = (  # the model's table name and the caller's trusted SELECT only
        f"INSERT INTO {table} (recipient, body, channel, subject, status, attempts, "  # noqa: S608
        "last_error, created_at, next_attempt_at, object_type, object_id, claimed_by, "
        "provider_message_id) SELECT left(s.recipient, 200), s.body, 'sms', '', "
        "%(outbox_status)s, 0, '', %(outbox_now)s, %(outbox_now)s, %(outbox_type)s, "
        f"%(outbox_id)s, '', '' FROM ({select}) AS s"
    )
    params: dict[str, Any] = {
        "outbox_status": OutboxStatus.PENDING.value,
        "outbox_now": clock.now(),
        "outbox_type": object_type[:64],
        "outbox_id": object_id[:64],
    }
    return sql, params
