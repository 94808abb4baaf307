"""The audit log: append-only, hash-chained, with no personal values in it.

Records are spread over ``settings.AUDIT_CHAINS`` chains. Appending locks only the head of
the chain drawn, so concurrent writers of the city wait only for those on the same chain.
Each record's hash covers its content and the previous hash of its chain: editing, deleting
or reordering any record breaks its chain at that record, and ``audit_verify`` names it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction

from lifeline.core import clock, db, requestid
from lifeline.core.models import AuditChain, AuditRecord


def _record_digest(*, prev_hash: str, content: dict[str, Any]) -> str:
    blob = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}|{blob}".encode()).hexdigest()


def _content(record: AuditRecord) -> dict[str, Any]:
    return {
        "chain": record.chain,
        "seq": record.seq,
        "at": record.at.isoformat(timespec="microseconds"),
        "actor": record.actor_id,
        "actor_label": record.actor_label,
        "action": record.action,
        "object_type": record.object_type,
        "object_id": record.object_id,
        "area_path": record.area_path,
        "purpose": record.purpose,
        "request_id": record.request_id,
        "fields": list(record.fields or []),
    }


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
    actor: Any,
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
    *, actor: Any, entries: Iterable[AuditEntry], writes: db.Writes | None = None
) -> list[AuditRecord]:
    """Append several records under one chain lock and one bulk insert (imports, batches).

    The records are chained in the order given, exactly as if appended one by one. The
    caller's pending ``writes`` travel with the chain head's lock.
    """
    user_id = getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None
    label = (getattr(actor, "username", "") or (str(actor) if actor else "system"))[:150]
    request_id = requestid.current()
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
                purpose=entry.purpose[:255],
                request_id=request_id,
                fields=sorted(set(entry.fields)),
                prev_hash=head.last_hash,
            )
            record.hash = _record_digest(prev_hash=record.prev_hash, content=_content(record))
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


@dataclass(frozen=True)
class AuditProblem:
    chain: int
    seq: int
    record_id: int | None
    reason: str


def _iter_chain(chain_id: int) -> Iterator[AuditRecord]:
    return AuditRecord.objects.filter(chain=chain_id).order_by("seq").iterator(chunk_size=5000)


def audit_verify() -> list[AuditProblem]:
    """Walk every chain; return the first broken record of each broken chain."""
    problems: list[AuditProblem] = []
    chain_ids = set(AuditChain.objects.values_list("id", flat=True))
    chain_ids |= set(AuditRecord.objects.values_list("chain", flat=True).distinct())
    for chain_id in sorted(chain_ids):
        problem = _verify_chain(chain_id)
        if problem:
            problems.append(problem)
    return problems


def _verify_chain(chain_id: int) -> AuditProblem | None:
    prev_hash, expected_seq = "0" * 64, 1
    for record in _iter_chain(chain_id):
        if record.seq != expected_seq:
            return AuditProblem(chain_id, expected_seq, record.pk, "missing or reordered record")
        if record.prev_hash != prev_hash:
            return AuditProblem(chain_id, record.seq, record.pk, "previous hash does not match")
        if _record_digest(prev_hash=prev_hash, content=_content(record)) != record.hash:
            return AuditProblem(chain_id, record.seq, record.pk, "content was altered")
        prev_hash, expected_seq = record.hash, expected_seq + 1
    head = AuditChain.objects.filter(id=chain_id).first()
    if head and (head.last_seq != expected_seq - 1 or head.last_hash != prev_hash):
        return AuditProblem(chain_id, expected_seq, None, "records missing at the end of chain")
    return None
