"""Signed, incremental revocation lists.

The list never carries pass ids, only ``SHA-256(domain || pass_id)[:16]`` (as the EU DCC
does with UCI hashes): a checkpoint can test a pass it holds, but the published list does not
enumerate who was revoked. 128 bits keeps accidental collisions impossible at any list size.

The issuer keeps an append-only :class:`RevocationLedger`; every change (revoke, or drop of an
entry no longer needed because its pass expired) gets the next sequence number. It publishes
either the full list at its current sequence or the delta since a sequence N. A verifier's
:class:`RevocationStore` applies deltas strictly in order — a delta must start exactly at the
store's sequence — so a lost or replayed update is detected instead of silently leaving a
revoked pass looking valid.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

import cbor2
from cryptography.hazmat.primitives.asymmetric import ec

from lifeline.passes.credential import cose
from lifeline.passes.credential.keys import SigningKey, key_id

__all__ = [
    "HASH_LEN",
    "RevocationError",
    "RevocationGapError",
    "RevocationLedger",
    "RevocationOrderError",
    "RevocationStore",
    "RevocationUpdate",
    "revocation_hash",
    "sign_update",
    "verify_update",
]

HASH_LEN = 16
HASH_DOMAIN = b"lifeline/revocation/v1\x00"
REVOCATION_AAD = b"lifeline/revocation/v1"

_KIND_FULL = 0
_KIND_DELTA = 1


class RevocationError(ValueError):
    """A revocation update is malformed or cannot be applied."""


class RevocationGapError(RevocationError):
    """A delta starts after the store's sequence: updates in between are missing."""


class RevocationOrderError(RevocationError):
    """An update is older than (or overlaps) what the store already applied."""


def revocation_hash(pass_id: str) -> bytes:
    """The 16-byte published hash of a pass id (mirrored by verifier.js)."""
    return hashlib.sha256(HASH_DOMAIN + pass_id.encode("utf-8")).digest()[:HASH_LEN]


@dataclass(frozen=True, slots=True, kw_only=True)
class RevocationUpdate:
    """A full list (``full``; ``base_sequence == 0``) or a delta ``base_sequence → sequence``.

    Invariants: ``added`` and ``removed`` are disjoint sets of HASH_LEN-byte hashes, and
    ``base_sequence <= sequence``. A full list has no ``removed``.
    """

    full: bool
    base_sequence: int
    sequence: int
    added: frozenset[bytes]
    removed: frozenset[bytes]
    issued_at: int

    def __post_init__(self) -> None:
        for name in ("base_sequence", "sequence", "issued_at"):
            value = getattr(self, name)
            if type(value) is not int or value < 0:
                raise RevocationError(f"{name} must be a non-negative integer")
        if self.base_sequence > self.sequence:
            raise RevocationError("base_sequence is after sequence")
        if self.full and (self.base_sequence != 0 or self.removed):
            raise RevocationError("a full list starts at 0 and removes nothing")
        if self.added & self.removed:
            raise RevocationError("a hash is both added and removed")
        for h in self.added | self.removed:
            if type(h) is not bytes or len(h) != HASH_LEN:
                raise RevocationError(f"hashes must be {HASH_LEN} bytes")

    def to_payload(self) -> bytes:
        """Canonical CBOR: {-1: kind, -2: base, -3: seq, -4: [added], -5: [removed], 6: iat}."""
        body = {
            -1: _KIND_FULL if self.full else _KIND_DELTA,
            -2: self.base_sequence,
            -3: self.sequence,
            -4: sorted(self.added),
            -5: sorted(self.removed),
            6: self.issued_at,
        }
        return cbor2.dumps(body, canonical=True)

    @classmethod
    def from_payload(cls, payload: bytes) -> RevocationUpdate:
        """Strict inverse of :meth:`to_payload` (only call on verified bytes)."""
        try:
            body = cbor2.loads(payload, allow_indefinite=False, allow_duplicate_keys=False)
            if not isinstance(body, dict) or set(body) != {-1, -2, -3, -4, -5, 6}:
                raise RevocationError("revocation update has wrong keys")
            if body[-1] not in (_KIND_FULL, _KIND_DELTA) or type(body[-1]) is not int:
                raise RevocationError("unknown revocation update kind")
            update = cls(
                full=body[-1] == _KIND_FULL,
                base_sequence=body[-2],
                sequence=body[-3],
                added=frozenset(body[-4]),
                removed=frozenset(body[-5]),
                issued_at=body[6],
            )
        except RevocationError:
            raise
        except Exception as exc:
            raise RevocationError(f"malformed revocation update: {exc}") from exc
        if update.to_payload() != payload:
            raise RevocationError("revocation update is not canonically encoded")
        return update


def sign_update(update: RevocationUpdate, *, signing_key: SigningKey) -> bytes:
    """COSE_Sign1 of the update (domain-separated from passes by external_aad)."""
    return cose.sign(
        update.to_payload(),
        private_key=signing_key.private_key,
        kid=signing_key.kid,
        external_aad=REVOCATION_AAD,
    )


def verify_update(
    data: bytes, *, trust_keys: Iterable[ec.EllipticCurvePublicKey]
) -> RevocationUpdate:
    """Verify and decode a signed update; raises cose.CoseError or RevocationError."""
    anchors = {key_id(k): k for k in trust_keys}
    verified = cose.verify(data, resolve_key=anchors.get, external_aad=REVOCATION_AAD)
    return RevocationUpdate.from_payload(verified.payload)


class RevocationLedger:
    """Issuer side: the append-only change log. Entry i (1-based) has sequence i.

    ``changes`` are (hash, revoked) pairs in sequence order; the Django layer persists them
    and rebuilds the ledger from its table.
    """

    def __init__(self, changes: Iterable[tuple[bytes, bool]] = ()) -> None:
        self._log: list[tuple[bytes, bool]] = []
        for h, revoked in changes:
            self._append(h, revoked)

    def _append(self, h: bytes, revoked: bool) -> int:
        if type(h) is not bytes or len(h) != HASH_LEN:
            raise RevocationError(f"hashes must be {HASH_LEN} bytes")
        self._log.append((h, revoked))
        return len(self._log)

    @property
    def sequence(self) -> int:
        return len(self._log)

    def revoke(self, pass_id: str) -> int:
        """Record a revocation; returns its sequence number."""
        return self._append(revocation_hash(pass_id), True)

    def drop(self, pass_id: str) -> int:
        """Record that the entry is no longer needed (e.g. the pass has expired anyway)."""
        return self._append(revocation_hash(pass_id), False)

    def _net(self, since: int) -> tuple[set[bytes], set[bytes]]:
        last: dict[bytes, bool] = {}
        for h, revoked in self._log[since:]:
            last[h] = revoked
        return {h for h, r in last.items() if r}, {h for h, r in last.items() if not r}

    def full(self, *, issued_at: int) -> RevocationUpdate:
        """The whole current list at the current sequence."""
        added, _ = self._net(0)
        return RevocationUpdate(
            full=True,
            base_sequence=0,
            sequence=self.sequence,
            added=frozenset(added),
            removed=frozenset(),
            issued_at=issued_at,
        )

    def delta_since(self, sequence: int, *, issued_at: int) -> RevocationUpdate:
        """The net change from ``sequence`` to now (last change per hash wins)."""
        if not 0 <= sequence <= self.sequence:
            raise RevocationError(f"no such sequence {sequence} (ledger at {self.sequence})")
        added, removed = self._net(sequence)
        return RevocationUpdate(
            full=False,
            base_sequence=sequence,
            sequence=self.sequence,
            added=frozenset(added),
            removed=frozenset(removed),
            issued_at=issued_at,
        )


class RevocationStore:
    """Verifier side: the set of revoked hashes at ``sequence``."""

    __slots__ = ("_hashes", "sequence")

    def __init__(self) -> None:
        self._hashes: set[bytes] = set()
        self.sequence = 0

    def __len__(self) -> int:
        return len(self._hashes)

    def apply(self, update: RevocationUpdate) -> None:
        """Apply an update; the store is unchanged when this raises.

        A full list replaces everything and must not be older than the store. A delta must
        start exactly at the store's sequence (RevocationGapError if later,
        RevocationOrderError if earlier).
        """
        if update.full:
            if update.sequence < self.sequence:
                raise RevocationOrderError(
                    f"full list at {update.sequence} is older than store at {self.sequence}"
                )
            self._hashes = set(update.added)
        elif update.base_sequence > self.sequence:
            raise RevocationGapError(
                f"delta starts at {update.base_sequence}, store is at {self.sequence}"
            )
        elif update.base_sequence < self.sequence:
            raise RevocationOrderError(
                f"delta starts at {update.base_sequence}, store is already at {self.sequence}"
            )
        else:
            self._hashes -= update.removed
            self._hashes |= update.added
        self.sequence = update.sequence

    def apply_signed(self, data: bytes, *, trust_keys: Iterable[ec.EllipticCurvePublicKey]) -> None:
        """Verify a signed update, then :meth:`apply` it."""
        self.apply(verify_update(data, trust_keys=trust_keys))

    def contains_hash(self, h: bytes) -> bool:
        return h in self._hashes

    def is_revoked(self, pass_id: str) -> bool:
        """True when the pass id's hash is in the list."""
        return revocation_hash(pass_id) in self._hashes

    def hashes_hex(self) -> list[str]:
        """Sorted hex hashes, the form verifier.js takes as ``revokedHashes``."""
        return sorted(h.hex() for h in self._hashes)
