"""Revocation: hashed entries, full lists and deltas, strict in-order application."""

from __future__ import annotations

import hashlib

import pytest

from lifeline.passes.credential import cose
from lifeline.passes.credential.keys import generate_signing_key
from lifeline.passes.credential.revocation import (
    HASH_LEN,
    RevocationError,
    RevocationGapError,
    RevocationLedger,
    RevocationOrderError,
    RevocationStore,
    RevocationUpdate,
    revocation_hash,
    sign_update,
    verify_update,
)
from lifeline.passes.credential.tests.conftest import NOW


def _ledger(n: int) -> RevocationLedger:
    ledger = RevocationLedger()
    for i in range(n):
        ledger.revoke(f"PASS-{i}")
    return ledger


def test_hash_is_truncated_domain_separated_sha256() -> None:
    h = revocation_hash("K7MQ2XH9PRT4WZ3A")
    assert len(h) == HASH_LEN == 16
    assert h == hashlib.sha256(b"lifeline/revocation/v1\x00K7MQ2XH9PRT4WZ3A").digest()[:16]
    assert h != hashlib.sha256(b"K7MQ2XH9PRT4WZ3A").digest()[:16]


def test_published_list_does_not_contain_pass_ids() -> None:
    ledger = _ledger(3)
    payload = ledger.full(issued_at=NOW).to_payload()
    assert b"PASS-" not in payload


def test_full_then_deltas_in_order() -> None:
    ledger = _ledger(3)
    store = RevocationStore()
    store.apply(ledger.full(issued_at=NOW))
    assert store.sequence == 3 and len(store) == 3
    ledger.revoke("PASS-3")
    ledger.drop("PASS-0")  # expired: no longer needs listing
    store.apply(ledger.delta_since(3, issued_at=NOW))
    assert store.sequence == 5
    assert store.is_revoked("PASS-3") and not store.is_revoked("PASS-0")
    assert store.is_revoked("PASS-1") and not store.is_revoked("PASS-99")
    # The same state as a fresh full list:
    fresh = RevocationStore()
    fresh.apply(ledger.full(issued_at=NOW))
    assert fresh.hashes_hex() == store.hashes_hex()


def test_delta_gap_refused_and_store_unchanged() -> None:
    ledger = _ledger(2)
    store = RevocationStore()
    store.apply(ledger.delta_since(0, issued_at=NOW))
    ledger.revoke("PASS-2")  # seq 3: this delta is "lost"
    lost = ledger.delta_since(2, issued_at=NOW)
    ledger.revoke("PASS-3")  # seq 4
    with pytest.raises(RevocationGapError):
        store.apply(ledger.delta_since(3, issued_at=NOW))
    assert store.sequence == 2 and not store.is_revoked("PASS-3")
    store.apply(lost)
    store.apply(ledger.delta_since(3, issued_at=NOW))
    assert store.sequence == 4 and store.is_revoked("PASS-2") and store.is_revoked("PASS-3")


def test_out_of_order_and_replayed_deltas_refused() -> None:
    ledger = _ledger(1)
    first = ledger.delta_since(0, issued_at=NOW)
    ledger.revoke("PASS-1")
    second = ledger.delta_since(1, issued_at=NOW)
    store = RevocationStore()
    with pytest.raises(RevocationGapError):
        store.apply(second)  # second before first
    store.apply(first)
    store.apply(second)
    with pytest.raises(RevocationOrderError):
        store.apply(first)  # replay
    with pytest.raises(RevocationOrderError):
        store.apply(second)
    assert store.sequence == 2


def test_older_full_list_refused() -> None:
    ledger = _ledger(2)
    old_full = ledger.full(issued_at=NOW)
    ledger.revoke("PASS-2")
    store = RevocationStore()
    store.apply(ledger.full(issued_at=NOW))
    with pytest.raises(RevocationOrderError):
        store.apply(old_full)  # would un-revoke PASS-2
    assert store.is_revoked("PASS-2")


def test_delta_net_effect_last_change_wins() -> None:
    ledger = _ledger(1)
    ledger.drop("PASS-0")
    ledger.revoke("PASS-0")
    ledger.revoke("PASS-5")
    ledger.drop("PASS-5")
    delta = ledger.delta_since(1, issued_at=NOW)
    assert delta.added == {revocation_hash("PASS-0")}
    assert delta.removed == {revocation_hash("PASS-5")}
    with pytest.raises(RevocationError):
        ledger.delta_since(99, issued_at=NOW)


def test_signed_updates_verify_and_tampering_is_refused() -> None:
    signer = generate_signing_key(unit="revocation")
    ledger = _ledger(5)
    signed = sign_update(ledger.full(issued_at=NOW), signing_key=signer)
    store = RevocationStore()
    store.apply_signed(signed, trust_keys=[signer.public_key])
    assert store.sequence == 5 and store.is_revoked("PASS-4")
    update = verify_update(signed, trust_keys=[signer.public_key])
    assert update == ledger.full(issued_at=NOW)
    for pos in range(0, len(signed), 3):
        forged = bytearray(signed)
        forged[pos] ^= 0x04
        with pytest.raises((cose.CoseError, RevocationError)):
            verify_update(bytes(forged), trust_keys=[signer.public_key])
    with pytest.raises(cose.UnknownKeyError):
        verify_update(signed, trust_keys=[generate_signing_key(unit="x").public_key])


def _update(
    *, full: bool, base_sequence: int, sequence: int, added=(), removed=()
) -> RevocationUpdate:
    return RevocationUpdate(
        full=full,
        base_sequence=base_sequence,
        sequence=sequence,
        added=frozenset(added),
        removed=frozenset(removed),
        issued_at=NOW,
    )


def test_update_invariants() -> None:
    h = revocation_hash("A")
    with pytest.raises(RevocationError):
        _update(full=True, base_sequence=1, sequence=2)  # full must start at 0
    with pytest.raises(RevocationError):
        _update(full=False, base_sequence=3, sequence=2)
    with pytest.raises(RevocationError):
        _update(full=False, base_sequence=0, sequence=1, added={h}, removed={h})
    with pytest.raises(RevocationError):
        _update(full=False, base_sequence=0, sequence=1, added={b"short"})


def test_large_list_round_trip() -> None:
    ledger = _ledger(20_000)
    update = ledger.full(issued_at=NOW)
    assert RevocationUpdate.from_payload(update.to_payload()) == update
    assert len(update.to_payload()) < 20_000 * (HASH_LEN + 2) + 64
