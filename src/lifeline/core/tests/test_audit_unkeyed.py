"""Records written before the log was keyed: verified as before, and sealed at the upgrade."""

from __future__ import annotations

import hashlib
import importlib

from django.apps import apps
from django.db import connection

from lifeline.core import requestid
from lifeline.core.audit import audit_log, audit_verify, audit_verify_report
from lifeline.core.audit.hashing import record_content, record_digest
from lifeline.core.clock import now
from lifeline.core.models import AuditChain, AuditRecord

CHAIN = 5
seal_migration = importlib.import_module("lifeline.core.migrations.0006_audit_seal_unkeyed")


def write_unkeyed(n: int) -> list[AuditRecord]:
    """Records as the version before the keyed log wrote them (plain SHA-256, no key id)."""
    head, _ = AuditChain.objects.get_or_create(id=CHAIN)
    records = []
    for _ in range(n):
        record = AuditRecord(
            chain=CHAIN,
            seq=head.last_seq + 1,
            at=now(),
            actor_label="system",
            action="old.write",
            request_id="proc-old",
            prev_hash=head.last_hash,
        )
        record.hash = record_digest(
            key=None, prev_hash=record.prev_hash, content=record_content(record)
        )
        record.save()
        head.last_seq, head.last_hash = record.seq, record.hash
        records.append(record)
    head.save()
    return records


def upgrade() -> None:
    """What `lifeline migrate` does to an existing log: seal each chain's unkeyed part."""
    seal_migration.seal_unkeyed(apps, None)


def test_unkeyed_records_sealed_at_the_upgrade_verify_and_are_counted(db, settings):
    # given three records from before the key, the upgrade, then keyed records on the chain
    write_unkeyed(3)
    upgrade()
    _append_on_chain(2, settings.AUDIT_CHAINS)
    # then the whole chain verifies, the old records counted as unkeyed
    report = audit_verify_report()
    assert report.problems == []
    assert report.unkeyed == 3
    assert AuditRecord.objects.filter(chain=CHAIN).exclude(key_id="").count() == 2


def test_unkeyed_record_rewritten_without_the_key_breaks_the_seal(db):
    # given sealed unkeyed records
    records = write_unkeyed(3)
    upgrade()
    # when the second is altered and the SHA-256 chain recomputed from it, head included
    prev_hash = records[0].hash
    with connection.cursor() as cur:
        for record in records[1:]:
            record.purpose = "forged" if record.seq == 2 else record.purpose
            record.prev_hash = prev_hash
            record.hash = record_digest(
                key=None, prev_hash=prev_hash, content=record_content(record)
            )
            cur.execute(
                "UPDATE core_auditrecord SET purpose = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [record.purpose, record.prev_hash, record.hash, record.pk],
            )
            prev_hash = record.hash
    AuditChain.objects.filter(id=CHAIN).update(last_hash=prev_hash)
    # then verify names the sealed boundary
    problems = audit_verify()
    assert [(p.chain, p.seq, p.record_id, p.reason) for p in problems] == [
        (CHAIN, 3, records[2].pk, "unkeyed records were altered")
    ]


def test_unkeyed_records_appended_after_the_upgrade_are_named(db):
    # given a sealed chain
    write_unkeyed(2)
    upgrade()
    # when more records are added the old, unkeyed way (an old app server, or a forger)
    added = write_unkeyed(1)
    # then verify names the first of them
    problems = audit_verify()
    assert [(p.seq, p.record_id, p.reason) for p in problems] == [
        (3, added[0].pk, "unkeyed record in a keyed chain")
    ]


def test_removing_the_seal_does_not_let_unkeyed_records_pass(db):
    # given a sealed chain whose seal is then wiped
    records = write_unkeyed(2)
    upgrade()
    AuditChain.objects.filter(id=CHAIN).update(unkeyed_until=0, unkeyed_seal="")
    # then its unkeyed records are refused from the first
    problems = audit_verify()
    assert [(p.seq, p.record_id, p.reason) for p in problems] == [
        (1, records[0].pk, "unkeyed record in a keyed chain")
    ]


def _append_on_chain(n: int, chains: int) -> None:
    """Append ``n`` keyed records on chain CHAIN, under a request id that draws it."""
    rid = next(
        f"req-{i}"
        for i in range(100_000)
        if int(hashlib.sha256(f"req-{i}".encode()).hexdigest()[:8], 16) % chains == CHAIN
    )
    token = requestid.set_current(rid)
    try:
        for _ in range(n):
            assert audit_log(actor=None, action="new.write").chain == CHAIN
    finally:
        requestid.reset(token)
