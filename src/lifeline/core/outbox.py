"""The notification outbox: rows written in the writer's transaction, sent by the worker."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection, transaction

from lifeline.core import clock
from lifeline.core.models import OutboxMessage, OutboxStatus
from lifeline.core.personal import mask_phone

OUTBOX_BATCH = 100
MAX_ATTEMPTS = 5


def outbox_send_pending(*, limit: int = OUTBOX_BATCH, write: Any = print) -> int:
    """Send up to ``limit`` pending messages; returns how many were handled."""
    backend = getattr(settings, "SMS_BACKEND", "console")
    with transaction.atomic():
        pending = OutboxMessage.objects.filter(status=OutboxStatus.PENDING).order_by("id")
        if connection.features.has_select_for_update_skip_locked:
            pending = pending.select_for_update(skip_locked=True)
        messages = list(pending[:limit])
        now = clock.now()
        for message in messages:
            message.attempts += 1
            if backend == "console":
                write(f"[{message.channel}] {mask_phone(message.recipient)}: {message.body}")
                message.status, message.sent_at = OutboxStatus.SENT, now
            else:
                message.last_error = f"unknown SMS backend {backend!r}"
                if message.attempts >= MAX_ATTEMPTS:
                    message.status = OutboxStatus.FAILED
            message.save(update_fields=["attempts", "status", "sent_at", "last_error"])
    return len(messages)


def enqueue_sms(*, recipient: str, body: str, object_type: str = "", object_id: str = "") -> None:
    """Queue one text in the caller's transaction; the worker sends it after commit."""
    OutboxMessage.objects.create(
        channel="sms",
        recipient=recipient,
        body=body,
        object_type=object_type,
        object_id=object_id,
    )
