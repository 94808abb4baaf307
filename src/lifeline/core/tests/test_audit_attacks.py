"""Rewrites of the audit log by someone holding the database (and, worst case, the key).

The attacker deletes a reveal record and rebuilds the rest of its chain so that every
record again follows its predecessor: renumbered, previous hashes and hashes recomputed,
head updated. Only the hash function differs between the attackers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from lifeline.core.audit import audit_log, audit_verify
from lifeline.core.audit.checkpoints import checkpoint_write
from lifeline.core.audit.hashing import ChainKey, record_content, record_digest
from lifeline.core.clock import now
from lifeline.core.models import AuditChain, AuditRecord

Rehash = Callable[[AuditRecord], str]


def write_record(i: int) -> AuditRecord:
    """The i-th record of a test chain; the third (i == 2) is a reveal."""
    return audit_log(
        actor=None,
        action="person.reveal" if i == 2 else "test.write",
        object_type="registry.person",
        object_id=i,
        purpose="hotline call" if i == 2 else "",
    )


def write_records(n: int) -> list[AuditRecord]:
    return [write_record(i) for i in range(n)]


def plain_sha256(record: AuditRecord) -> str:
    blob = record_content(record)
    return record_digest(key=None, prev_hash=record.prev_hash, content=blob)


def sha256_posing_as_unkeyed(record: AuditRecord) -> str:
    record.key_id = ""
    return plain_sha256(record)


def hmac_under_a_guessed_key(record: AuditRecord) -> str:
    guessed = ChainKey.from_secret(hashlib.sha256(b"guess").hexdigest())
    return record_digest(key=guessed, prev_hash=record.prev_hash, content=record_content(record))


def hmac_under_the_leaked_key(settings: object) -> Rehash:
    key = ChainKey.from_secret(settings.AUDIT_KEY)  # type: ignore[attr-defined]

    def rehash(record: AuditRecord) -> str:
        return record_digest(key=key, prev_hash=record.prev_hash, content=record_content(record))

    return rehash


def delete_and_rebuild(victim: AuditRecord, rehash: Rehash) -> None:
    """Delete ``victim`` and rebuild the rest of its chain over the gap with ``rehash``."""
    later = list(AuditRecord.objects.filter(chain=victim.chain, seq__gt=victim.seq).order_by("seq"))
    prev_hash = victim.prev_hash
    with connection.cursor() as cur:
        cur.execute("DELETE FROM core_auditrecord WHERE id = %s", [victim.pk])
        for record in later:
            record.seq -= 1
            record.prev_hash = prev_hash
            record.hash = rehash(record)
            cur.execute(
                "UPDATE core_auditrecord SET seq = %s, prev_hash = %s, hash = %s, key_id = %s "
                "WHERE id = %s",
                [record.seq, record.prev_hash, record.hash, record.key_id, record.pk],
            )
            prev_hash = record.hash
        cur.execute(
            "UPDATE core_auditchain SET last_seq = last_seq - 1, last_hash = %s WHERE id = %s",
            [prev_hash, victim.chain],
        )


@pytest.mark.parametrize(
    "rehash",
    [plain_sha256, sha256_posing_as_unkeyed, hmac_under_a_guessed_key],
    ids=["sha256", "sha256-as-unkeyed", "hmac-guessed-key"],
)
def test_rebuilt_chain_without_the_key_is_named_at_the_deleted_record(db, rehash):
    # given six records on one chain, the third a reveal, and no checkpoint yet
    records = write_records(6)
    victim = records[2]
    # when the reveal is deleted and the chain rebuilt without the audit key
    delete_and_rebuild(victim, rehash)
    # then verify names the chain at the deleted record's seq, now held by the next record
    problems = audit_verify()
    assert len(problems) == 1
    problem = problems[0]
    assert (problem.chain, problem.seq, problem.record_id) == (victim.chain, 3, records[3].pk)
    assert problem.reason in {"content was altered", "unkeyed record in a keyed chain"}


def test_rebuilt_chain_with_the_leaked_key_is_named_by_the_checkpoints(db, settings):
    # given six records, the chain heads checkpointed after each of them
    records = []
    for i in range(6):
        records.append(write_record(i))
        checkpoint_write(now=now())
    victim = records[2]
    # when the reveal is deleted and the chain rebuilt WITH the audit key, and a checkpoint
    # of the rebuilt chain is written afterwards
    delete_and_rebuild(victim, hmac_under_the_leaked_key(settings))
    checkpoint_write(now=now())
    # then the key alone would pass it, but the checkpoints name the deleted record's seq
    problems = audit_verify()
    assert len(problems) == 1
    problem = problems[0]
    assert (problem.chain, problem.seq, problem.record_id) == (victim.chain, 3, records[3].pk)
    assert problem.reason == "differs from a signed checkpoint"
    assert "the record at seq 3 was deleted or altered" in problem.detail


def test_with_one_checkpoint_the_deletion_is_bounded_by_it(db, settings):
    # given six records and one checkpoint of the head (seq 6)
    records = write_records(6)
    checkpoint_write(now=now())
    # when the third is deleted and the chain rebuilt with the leaked key
    delete_and_rebuild(records[2], hmac_under_the_leaked_key(settings))
    # then verify says the chain is short of what was checkpointed, and where to look
    problems = audit_verify()
    assert [(p.chain, p.seq, p.record_id, p.reason) for p in problems] == [
        (records[2].chain, 6, None, "records missing since a signed checkpoint")
    ]
    assert "the database ends at seq 5" in problems[0].detail
    assert "between seq 1 and 6" in problems[0].detail


def test_verify_command_exits_non_zero_and_names_the_rebuilt_chain(db, settings):
    # given records checkpointed after each, then one deleted with the key
    records = []
    for i in range(4):
        records.append(write_record(i))
        checkpoint_write(now=now())
    delete_and_rebuild(records[1], hmac_under_the_leaked_key(settings))
    err = StringIO()
    # when the operator runs verify, then it fails naming chain, seq and record
    with pytest.raises(CommandError):
        call_command("audit", "verify", stdout=StringIO(), stderr=err)
    assert (
        f"TAMPERED: chain {records[1].chain} seq 2 (record #{records[2].pk}): "
        "differs from a signed checkpoint" in err.getvalue()
    )


def test_content_rewritten_with_the_leaked_key_is_named_by_the_checkpoint(db, settings):
    # given four records, checkpointed
    records = write_records(4)
    checkpoint_write(now=now())
    # when a record's purpose is changed and every hash from it on recomputed with the key
    rehash = hmac_under_the_leaked_key(settings)
    chain = list(AuditRecord.objects.filter(chain=records[0].chain).order_by("seq"))
    chain[1].purpose = "routine check"
    prev_hash = chain[0].hash
    with connection.cursor() as cur:
        for record in chain[1:]:
            record.prev_hash = prev_hash
            record.hash = rehash(record)
            cur.execute(
                "UPDATE core_auditrecord SET purpose = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [record.purpose, record.prev_hash, record.hash, record.pk],
            )
            prev_hash = record.hash
    AuditChain.objects.filter(id=records[0].chain).update(last_hash=prev_hash)
    # then the head no longer matches what the checkpoint saw
    problems = audit_verify()
    assert [(p.seq, p.record_id, p.reason) for p in problems] == [
        (4, records[3].pk, "differs from a signed checkpoint")
    ]


def test_altered_content_is_named_without_any_checkpoint(db):
    # given three records
    records = write_records(3)
    # when one record's object id is changed in place
    with connection.cursor() as cur:
        cur.execute("UPDATE core_auditrecord SET object_id = '999' WHERE id = %s", [records[1].pk])
    # then verify names it
    problems = audit_verify()
    assert [(p.seq, p.record_id, p.reason) for p in problems] == [
        (2, records[1].pk, "content was altered")
    ]


def test_records_made_under_a_key_not_configured_are_named(db, settings):
    # given records made under one key
    records = write_records(2)
    # when the key is replaced without keeping the old one for verification
    settings.AUDIT_KEY = hashlib.sha256(b"new key").hexdigest()
    # then verify says which key it lacks, at the first record
    problems = audit_verify()
    assert [(p.seq, p.record_id, p.reason) for p in problems] == [
        (1, records[0].pk, "made with an unknown audit key")
    ]


def test_rotated_key_keeps_old_records_verifiable(db, settings):
    # given records made under the first key
    old_key = settings.AUDIT_KEY
    write_records(2)
    # when the key is rotated, the old one kept as a previous key, and more records written
    settings.AUDIT_KEY = hashlib.sha256(b"rotated").hexdigest()
    settings.AUDIT_PREVIOUS_KEYS = [old_key]
    write_records(2)
    # then the whole chain verifies, each record under its own key
    assert audit_verify() == []
    assert AuditRecord.objects.values("key_id").distinct().count() == 2


def test_checkpoints_looked_up_a_batch_at_a_time_name_the_same_record(db, settings, monkeypatch):
    # given lookups of two seqs at a time, and a chain checkpointed after each of 7 records
    monkeypatch.setattr("lifeline.core.audit.verify.BATCH", 2)
    records = []
    for i in range(7):
        records.append(write_record(i))
        checkpoint_write(now=now())
    # when the fifth is deleted and the chain rebuilt with the leaked key
    delete_and_rebuild(records[4], hmac_under_the_leaked_key(settings))
    # then verify names seq 5, as with one lookup
    problems = audit_verify()
    assert [(p.seq, p.record_id, p.reason) for p in problems] == [
        (5, records[5].pk, "differs from a signed checkpoint")
    ]
    assert "the record at seq 5 was deleted or altered" in problems[0].detail
