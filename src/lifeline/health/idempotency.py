"""``Idempotency-Key`` for health POSTs, on core's ``IdempotencyRecord``.

The key is claimed and the work done in one transaction: a failed attempt leaves no claim
behind (the retry runs again), a finished one leaves its answer, which every retry with the
same key and body gets back. The same key with another body is a conflict.

Kept small and local until a shared helper exists in core/api; it uses only core's model.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lifeline.core.errors import Conflict, ServiceError
from lifeline.core.models import IdempotencyRecord

MAX_KEY_LENGTH = 128


def run_once(
    *,
    actor: Any,
    key: str | None,
    endpoint: str,
    payload: Any,
    work: Callable[[], tuple[int, Any]],
) -> tuple[int, Any]:
    """``work()`` -> (status, JSON body), done at most once per (actor, key)."""
    if not key:
        return work()
    if len(key) > MAX_KEY_LENGTH:
        raise ServiceError(
            _("The Idempotency-Key is too long."),
            fields={"Idempotency-Key": [_("At most 128 characters.")]},
        )
    owner = f"user:{getattr(actor, 'pk', '')}"
    body_hash = hashlib.sha256(
        json.dumps(payload, sort_keys=True, default=str).encode()
    ).hexdigest()
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    owner=owner, key=key, endpoint=endpoint, request_hash=body_hash
                )
        except IntegrityError:
            stored = IdempotencyRecord.objects.get(owner=owner, key=key)
            if stored.endpoint != endpoint or stored.request_hash != body_hash:
                raise Conflict(
                    _("This Idempotency-Key was used for another request."),
                    code="idempotency_mismatch",
                ) from None
            return int(stored.status_code or 200), stored.response
        status, body = work()
        record.status_code = status
        record.response = body
        record.save(update_fields=["status_code", "response"])
    return status, body
