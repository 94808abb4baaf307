"""``audit_verify``: every chain against the chain key and the signed checkpoints.

For each chain, in seq order, a record must follow its predecessor (seq, previous hash),
and its hash must be the HMAC of its content under the key its key id names (plain SHA-256
only up to the chain's sealed unkeyed boundary). Then, wherever a signed checkpoint saw a
chain, the record at that seq must still carry the hash the checkpoint saw. The first
broken place of each chain is named, with what is wrong; so is every checkpoint line that
is unreadable, forged or signed by an unknown key.

A record deleted and the chain rebuilt around the gap is found by the key (without it
the rebuilt hashes cannot be made) or, when the key has leaked, by the checkpoints made
before the rebuild: the deleted record lies after the last checkpointed seq the chain
still matches and at or before the first it contradicts.

Checkpoint files grow for years, so they are streamed, and what they saw is looked up in
the database a batch at a time; only the seqs that matched are kept (8 bytes each), to
say where a broken chain went wrong.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.db.models import Max

from lifeline.core.audit.checkpoints import BadLine, Checkpoint, checkpoint_path, iter_checkpoints
from lifeline.core.audit.hashing import (
    GENESIS,
    known_keys,
    record_content,
    record_digest,
    unkeyed_seal_matches,
)
from lifeline.core.models import AuditChain, AuditRecord

BATCH = 500  # seqs of one chain looked up per query


@dataclass(frozen=True)
class AuditProblem:
    """Something wrong: on a chain (``chain``, ``seq``, the record's id when it exists) or,
    with ``chain`` None, in a checkpoint file (``detail`` names the line)."""

    chain: int | None
    seq: int | None
    record_id: int | None
    reason: str
    detail: str = ""

    def __str__(self) -> str:
        if self.chain is None:
            return f"{self.detail}: {self.reason}"
        record = f"record #{self.record_id}" if self.record_id else "no record"
        text = f"chain {self.chain} seq {self.seq} ({record}): {self.reason}"
        return f"{text}; {self.detail}" if self.detail else text


@dataclass
class AuditReport:
    records: int = 0
    chains: int = 0
    unkeyed: int = 0  # records from before the log was keyed, held by their chain's seal
    checkpoint_files: list[Path] = field(default_factory=list)
    checkpoints: int = 0  # lines whose signature verified
    latest_checkpoint: Checkpoint | None = None
    problems: list[AuditProblem] = field(default_factory=list)


def audit_verify(*, checkpoint_files: Sequence[Path] | None = None) -> list[AuditProblem]:
    """Every problem found (empty when the log is intact); see ``audit_verify_report``."""
    return audit_verify_report(checkpoint_files=checkpoint_files).problems


def audit_verify_report(*, checkpoint_files: Sequence[Path] | None = None) -> AuditReport:
    """Walk every chain; name the first broken place of each, and each bad checkpoint.

    ``checkpoint_files`` defaults to this database's file in the checkpoint directory (when
    it exists); give the copies kept elsewhere to check against those instead.
    """
    if checkpoint_files is None:
        default = checkpoint_path()
        checkpoint_files = [default] if default.exists() else []
    report = AuditReport(checkpoint_files=list(checkpoint_files))
    seen = _CheckpointCheck(report)
    seen.run(iter_checkpoints(report.checkpoint_files))

    heads = {head.id: head for head in AuditChain.objects.all()}
    chain_ids = set(heads) | seen.chains()
    chain_ids |= set(AuditRecord.objects.values_list("chain", flat=True).distinct())
    report.chains = len(chain_ids)
    for chain_id in sorted(chain_ids):
        walk = _ChainWalk(chain_id, heads.get(chain_id))
        found = [p for p in (walk.run(), seen.problem(chain_id)) if p is not None]
        report.records += walk.records
        report.unkeyed += walk.unkeyed
        if found:  # the first broken place; what follows it is broken by it
            report.problems.append(min(found, key=lambda p: p.seq or 0))
    return report


class _ChainWalk:
    """One chain, record by record: order, links, keyed hashes, the unkeyed seal."""

    def __init__(self, chain_id: int, head: AuditChain | None) -> None:
        self.chain_id = chain_id
        self.head = head
        self.records = 0
        self.unkeyed = 0

    def run(self) -> AuditProblem | None:
        keys = known_keys()
        unkeyed_until = self.head.unkeyed_until if self.head else 0
        prev_hash, expected = GENESIS, 1
        for record in _iter_chain(self.chain_id):
            self.records += 1
            if record.seq != expected:
                return self._problem(expected, record, "missing or reordered record")
            if record.prev_hash != prev_hash:
                return self._problem(record.seq, record, "previous hash does not match")
            key = keys.get(record.key_id) if record.key_id else None
            if record.key_id and key is None:
                return self._problem(
                    record.seq,
                    record,
                    "made with an unknown audit key",
                    f"key id {record.key_id}: list that key in LIFELINE_AUDIT_PREVIOUS_KEYS",
                )
            if not record.key_id:
                if record.seq > unkeyed_until:
                    return self._problem(record.seq, record, "unkeyed record in a keyed chain")
                self.unkeyed += 1
            digest = record_digest(key=key, prev_hash=prev_hash, content=record_content(record))
            if digest != record.hash:
                return self._problem(record.seq, record, "content was altered")
            if record.seq == unkeyed_until and not self._sealed(record):
                return self._problem(
                    record.seq,
                    record,
                    "unkeyed records were altered",
                    f"their seal does not match: a record at or before seq {record.seq} "
                    "was deleted or altered",
                )
            prev_hash, expected = record.hash, expected + 1
        return self._after_last(expected - 1, prev_hash)

    def _after_last(self, last_seq: int, last_hash: str) -> AuditProblem | None:
        if last_seq and self.head is None:
            return AuditProblem(self.chain_id, last_seq, None, "chain head is missing")
        if self.head and (self.head.last_seq != last_seq or self.head.last_hash != last_hash):
            return AuditProblem(
                self.chain_id, last_seq + 1, None, "records missing at the end of chain"
            )
        if self.head and last_seq < self.head.unkeyed_until:
            return AuditProblem(self.chain_id, last_seq + 1, None, "unkeyed records missing")
        return None

    def _sealed(self, record: AuditRecord) -> bool:
        assert self.head is not None  # unkeyed_until > 0 comes from the head
        return unkeyed_seal_matches(
            chain=self.chain_id, seq=record.seq, hash=record.hash, seal=self.head.unkeyed_seal
        )

    def _problem(
        self, seq: int, record: AuditRecord, reason: str, detail: str = ""
    ) -> AuditProblem:
        return AuditProblem(self.chain_id, seq, record.pk, reason, detail)


def _iter_chain(chain_id: int, *, page: int = 5000) -> Iterator[AuditRecord]:
    """The chain's records in ``seq`` order, a page at a time by key: memory stays one page
    also where server-side cursors are off (behind a transaction-mode pooler)."""
    records = AuditRecord.objects.filter(chain=chain_id).order_by("seq")
    last: int | None = None
    while True:
        batch = list((records if last is None else records.filter(seq__gt=last))[:page])
        yield from batch
        if len(batch) < page:
            return
        last = batch[-1].seq


@dataclass
class _Contradiction:
    seq: int
    record_id: int | None  # None: the database has no record at seq
    seen_hash: str
    checkpoint: Checkpoint


class _CheckpointCheck:
    """What the signed checkpoints saw, against what the database holds now."""

    def __init__(self, report: AuditReport) -> None:
        self.report = report
        self.pending: dict[int, dict[tuple[int, str], Checkpoint]] = {}
        self.last_seen: dict[int, tuple[int, str]] = {}
        self.matched: dict[int, array[int]] = {}
        self.first_contradiction: dict[int, _Contradiction] = {}

    def run(self, lines: Iterable[Checkpoint | BadLine]) -> None:
        for line in lines:
            if isinstance(line, BadLine):
                self.report.problems.append(AuditProblem(None, None, None, line.reason, line.where))
                continue
            self.report.checkpoints += 1
            latest = self.report.latest_checkpoint
            if latest is None or line.at >= latest.at:
                self.report.latest_checkpoint = line
            for chain_id, (seq, hash_) in line.heads.items():
                # A head that has not moved since the line before says nothing new.
                if self.last_seen.get(chain_id) == (seq, hash_):
                    continue
                self.last_seen[chain_id] = (seq, hash_)
                batch = self.pending.setdefault(chain_id, {})
                batch.setdefault((seq, hash_), line)
                if len(batch) >= BATCH:
                    self._look_up(chain_id)
        for chain_id in list(self.pending):
            self._look_up(chain_id)

    def chains(self) -> set[int]:
        return set(self.last_seen)

    def _look_up(self, chain_id: int) -> None:
        batch = self.pending.pop(chain_id)
        rows = AuditRecord.objects.filter(
            chain=chain_id, seq__in={seq for seq, _ in batch}
        ).values_list("seq", "pk", "hash")
        found = {seq: (pk, hash_) for seq, pk, hash_ in rows}
        matched = self.matched.setdefault(chain_id, array("q"))
        for (seq, seen_hash), checkpoint in batch.items():
            pk, hash_ = found.get(seq, (None, ""))
            if hash_ == seen_hash:
                matched.append(seq)
                continue
            first = self.first_contradiction.get(chain_id)
            if first is None or seq < first.seq:
                self.first_contradiction[chain_id] = _Contradiction(seq, pk, seen_hash, checkpoint)

    def problem(self, chain_id: int) -> AuditProblem | None:
        bad = self.first_contradiction.get(chain_id)
        if bad is None:
            return None
        below = max((s for s in self.matched.get(chain_id, ()) if s < bad.seq), default=0)
        if bad.seq == below + 1:
            where = f"the record at seq {bad.seq} was deleted or altered"
        else:
            where = f"a record between seq {below + 1} and {bad.seq} was deleted or altered"
        seen = (
            f"the checkpoint of {bad.checkpoint.at.isoformat()} "
            f"({bad.checkpoint.where}) saw hash {bad.seen_hash[:16]}… at seq {bad.seq}"
        )
        if bad.record_id is not None:
            return AuditProblem(
                chain_id,
                bad.seq,
                bad.record_id,
                "differs from a signed checkpoint",
                f"{seen}; {where}",
            )
        last = AuditRecord.objects.filter(chain=chain_id).aggregate(last=Max("seq"))["last"]
        return AuditProblem(
            chain_id,
            bad.seq,
            None,
            "records missing since a signed checkpoint",
            f"{seen}, the database ends at seq {last or 0}; {where}",
        )
