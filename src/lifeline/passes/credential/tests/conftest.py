"""Shared fixtures: a unit key, a key list, realistic claims, and an envelope forger."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from lifeline.passes.credential import (
    KeyList,
    PassClaims,
    RevocationStore,
    SigningKey,
    generate_signing_key,
)

UNIT = "310115-ZJ-07"
NOW = 1_760_000_000
DAY = 86_400


@pytest.fixture(scope="session")
def unit_key() -> SigningKey:
    return generate_signing_key(unit=UNIT)


@pytest.fixture(scope="session")
def key_list(unit_key: SigningKey) -> KeyList:
    return KeyList([unit_key.entry(not_before=NOW - 30 * DAY)], sequence=1, issued_at=NOW)


@pytest.fixture
def no_revocations() -> RevocationStore:
    return RevocationStore()


def make_claims(**overrides: Any) -> PassClaims:
    """A realistic vehicle pass: long Chinese route scope, plate, household ref."""
    fields: dict[str, Any] = {
        "pass_id": "K7MQ2XH9PRT4WZ3A",
        "pass_type": "VEH",
        "issuer": UNIT,
        "valid_from": NOW - DAY,
        "valid_until": NOW + 6 * DAY,
        "issued_at": NOW - DAY,
        "scope": "浦东新区张江镇应急物资保障组至徐汇区漕河泾开发区物资集散中心",
        "holder": "沪A·D12345",
        "household_ref": "HH-310115-0042",
    }
    fields.update(overrides)
    return PassClaims(**fields)


@pytest.fixture
def claims() -> PassClaims:
    return make_claims()


def forge_envelope(
    payload: bytes,
    *,
    private_key: ec.EllipticCurvePrivateKey,
    protected: dict[Any, Any],
    unprotected: dict[Any, Any] | None = None,
    external_aad: bytes = b"",
) -> bytes:
    """A COSE_Sign1 with arbitrary headers, *correctly* signed with ``private_key``.

    Signing correctly isolates the property under test: only the headers are wrong.
    """
    protected_bytes = cbor2.dumps(protected, canonical=True)
    to_sign = cbor2.dumps(["Signature1", protected_bytes, external_aad, payload])
    r, s = decode_dss_signature(private_key.sign(to_sign, ec.ECDSA(hashes.SHA256())))
    n = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
    s = min(s, n - s)
    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return cbor2.dumps(cbor2.CBORTag(18, [protected_bytes, unprotected or {}, payload, signature]))


@pytest.fixture
def forge() -> Callable[..., bytes]:
    return forge_envelope
