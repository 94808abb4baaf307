"""Idempotent creates: a retried POST with the same ``Idempotency-Key`` returns the answer
of the first one instead of creating a second object.

The key is reserved by inserting its ``IdempotencyRecord`` first, inside the create's own
transaction; the unique constraint on (owner, key) makes a concurrent twin wait on that
insert until the first transaction ends. If the first committed, the twin reads its stored
answer; if it rolled back (the create failed), the twin's insert succeeds and it creates.
So any number of concurrent requests with one key create exactly one object.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lifeline.core.errors import Conflict
from lifeline.core.models import IdempotencyRecord

MAX_KEY_LENGTH = 128

Outcome = tuple[int, Any]


def request_fingerprint(*, endpoint: str, payload: Any) -> str:
    blob = json.dumps(
        {"endpoint": endpoint, "payload": payload},
        sort_keys=True,
        default=str,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def idempotent(
    *,
    owner: str,
    key: str | None,
    endpoint: str,
    payload: Any,
    create: Callable[[], Outcome],
) -> Outcome:
    """Run ``create`` (returning ``(status, json_body)``) at most once per (owner, key).

    Without a key, ``create`` simply runs. With a key already used for the same endpoint
    and payload, the stored status and body are returned and nothing runs. With a key
    already used for something else, ``Conflict`` is raised. A failing ``create`` stores
    nothing, so the client may retry with the same key.
    """
    if not key:
        return create()
    fingerprint = request_fingerprint(endpoint=endpoint, payload=payload)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    owner=owner, key=key, endpoint=endpoint[:200], request_hash=fingerprint
                )
        except IntegrityError:
            return _replay(owner=owner, key=key, fingerprint=fingerprint)
        status, body = create()
        record.status_code = status
        record.response = body
        record.save(update_fields=["status_code", "response"])
    return status, body


def _replay(*, owner: str, key: str, fingerprint: str) -> Outcome:
    # The twin that held the key has committed (the unique index made this insert wait
    # for it), so its answer is visible to this statement's snapshot.
    record = IdempotencyRecord.objects.get(owner=owner, key=key)
    if record.request_hash != fingerprint or record.status_code is None:
        raise Conflict(
            _("This Idempotency-Key was already used for a different request."),
            code="idempotency_conflict",
            fields={"Idempotency-Key": [_("Use a new key for a new request.")]},
        )
    return record.status_code, record.response
