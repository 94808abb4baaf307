"""The audit log: append-only, hash-chained, keyed, with no personal values in it.

Records are spread over ``settings.AUDIT_CHAINS`` chains. Appending locks only the head of
the chain drawn, so concurrent writers of the city wait only for those on the same chain.
Each record's hash is an HMAC (key from the environment, ``hashing``) of its content and the
previous hash of its chain: editing, deleting or reordering any record breaks its chain at
that record, and nobody without the key can rebuild the chain around the change. The chain
heads are also signed and written outside the database on a schedule (``checkpoints``), so
that even a rebuild made with the key contradicts the heads seen before it.
``audit_verify`` (``verify``) checks both and names the first broken record of each chain.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, models, transaction

from lifeline.core import clock, db, requestid
from lifeline.core.actors import SYSTEM_LABEL, Actor, is_system, reason_of
from lifeline.core.audit.hashing import current_key, record_content, record_digest
from lifeline.core.audit.verify import AuditProblem, AuditReport, audit_verify, audit_verify_report
from lifeline.core.models import AuditChain, AuditRecord

__all__ = [
    "AuditEntry",
    "AuditProblem",
    "AuditRecord",
    "AuditReport",
    "audit_log",
    "audit_log_many",
    "audit_verify",
    "audit_verify_report",
]


@dataclass(frozen=True)
class AuditEntry:
    """One record to append: ``fields`` names what changed or was revealed, never values."""

    action: str
    obj: models.Model | None = None
    object_type: str = ""
    object_id: str | int = ""
    area_path: str = ""
    purpose: str = ""
    fields: Iterable[str] = ()


def audit_log(
    *,
    actor: Actor | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    area_path: str = "",
    purpose: str = "",
    fields: Iterable[str] = (),
) -> AuditRecord:
    """Append one audit record inside the caller's transaction."""
    entry = AuditEntry(action, obj, object_type, object_id, area_path, purpose, tuple(fields))
    return audit_log_many(actor=actor, entries=[entry])[0]


def audit_log_many(
    *, actor: Actor | None, entries: Iterable[AuditEntry], writes: db.Writes | None = None
) -> list[AuditRecord]:
    """Append several records under one chain lock and one bulk insert (imports, batches).

    ``actor`` is the signed-in user, or the system: ``core.actors.system(reason)`` (or
    ``None``), recorded as "system" with the reason as the purpose where none is given.

    The records are chained in the order given, exactly as if appended one by one. The
    caller's pending ``writes`` travel with the chain head's lock.
    """
    user_id = getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None
    # The system (a ``SystemActor``, or ``None`` as older callers pass) is "system", and its
    # reason is the purpose of each record that states none of its own.
    if is_system(actor):
        label, default_purpose = SYSTEM_LABEL, reason_of(actor)
    else:
        label = (getattr(actor, "username", "") or str(actor) or SYSTEM_LABEL)[:150]
        default_purpose = ""
    request_id = requestid.current()
    client_request_id = requestid.client()
    key = current_key()
    # One chain per request: a transaction then never holds two chain locks, so two
    # transactions cannot deadlock on them, and requests still spread over all chains.
    chain_id = int(hashlib.sha256(request_id.encode()).hexdigest()[:8], 16) % max(
        1, settings.AUDIT_CHAINS
    )
    at = clock.now()
    # No savepoint: a failed append must fail the caller's whole transaction anyway, and
    # the savepoint round trips were a fifth of the cost of a small write on PostgreSQL.
    with transaction.atomic(savepoint=False):
        head = _lock_head(chain_id, writes or db.Writes())
        records: list[AuditRecord] = []
        for entry in entries:
            object_type, object_id, area_path = entry.object_type, entry.object_id, entry.area_path
            if entry.obj is not None:
                object_type = object_type or entry.obj._meta.label_lower
                object_id = object_id or str(entry.obj.pk)
                area_path = area_path or str(getattr(entry.obj, "area_path", "") or "")
            record = AuditRecord(
                chain=chain_id,
                seq=head.last_seq + 1,
                at=at,
                actor_id=user_id,
                actor_label=label,
                action=entry.action,
                object_type=object_type,
                object_id=str(object_id),
                area_path=area_path,
                purpose=(entry.purpose or default_purpose)[:255],
                request_id=request_id,
                client_request_id=client_request_id,
                fields=sorted(set(entry.fields)),
                key_id=key.key_id,
                prev_hash=head.last_hash,
            )
            record.hash = record_digest(
                key=key, prev_hash=record.prev_hash, content=record_content(record)
            )
            head.last_seq, head.last_hash = record.seq, record.hash
            records.append(record)
        if not records:
            return []
        # The records and the new head travel together (one round trip on PostgreSQL).
        writes = db.Writes()
        writes.insert(records)
        writes.execute(
            "UPDATE core_auditchain SET last_seq = %s, last_hash = %s WHERE id = %s",
            [head.last_seq, head.last_hash, chain_id],
        )
        writes.run()
    return records


def _lock_head(chain_id: int, writes: db.Writes) -> AuditChain:
    """The chain's head row, locked until the caller's transaction ends (created on first
    use), read in one round trip with ``writes``. Plain SQL: this runs on every write of
    the platform, and the ORM's query building was most of its cost."""
    query = "SELECT last_seq, last_hash FROM core_auditchain WHERE id = %s"
    if connection.features.has_select_for_update:
        query += " FOR UPDATE"
    rows = writes.select(query, [chain_id])
    writes.run()
    if not rows:
        head, _ = AuditChain.objects.select_for_update().get_or_create(id=chain_id)
        return head
    return AuditChain(id=chain_id, last_seq=rows[0][0], last_hash=rows[0][1])
