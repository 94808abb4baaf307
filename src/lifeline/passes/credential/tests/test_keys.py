"""Unit keys, serialisation, the signed key list, and rotation."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from lifeline.passes.credential import cose
from lifeline.passes.credential.keys import (
    KeyEntry,
    KeyList,
    KeyListError,
    SigningKey,
    generate_signing_key,
    key_id,
    public_key_from_b64der,
    public_key_from_jwk,
    public_key_to_b64der,
    public_key_to_jwk,
    signing_key_from_pem,
    signing_key_to_pem,
)
from lifeline.passes.credential.revocation import RevocationStore
from lifeline.passes.credential.tests.conftest import DAY, NOW, UNIT, make_claims
from lifeline.passes.credential.verify import Status, issue_pass, verify_pass


def test_kid_is_sha256_of_der_prefix(unit_key: SigningKey) -> None:
    der = unit_key.public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert unit_key.kid == hashlib.sha256(der).digest()[:8]
    assert key_id(unit_key.public_key) == unit_key.kid


@pytest.mark.parametrize("passphrase", [None, b"correct horse"])
def test_pem_round_trip(unit_key: SigningKey, passphrase: bytes | None) -> None:
    pem = signing_key_to_pem(unit_key, passphrase=passphrase)
    assert pem.startswith(b"-----BEGIN ")
    assert (b"ENCRYPTED" in pem) == (passphrase is not None)
    loaded = signing_key_from_pem(pem, unit=UNIT, passphrase=passphrase)
    assert loaded.kid == unit_key.kid


def test_non_p256_keys_refused() -> None:
    other = ec.generate_private_key(ec.SECP384R1())
    pem = other.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(KeyListError):
        signing_key_from_pem(pem, unit=UNIT)
    der = other.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    import base64

    with pytest.raises(KeyListError):
        public_key_from_b64der(base64.b64encode(der).decode())


def test_public_key_forms_round_trip(unit_key: SigningKey) -> None:
    pub = unit_key.public_key
    assert key_id(public_key_from_b64der(public_key_to_b64der(pub))) == unit_key.kid
    jwk = public_key_to_jwk(pub, kid=unit_key.kid)
    assert jwk["kty"] == "EC" and jwk["crv"] == "P-256" and jwk["alg"] == "ES256"
    assert len(jwk["x"]) == len(jwk["y"]) == 43  # 32 bytes, unpadded base64url
    assert key_id(public_key_from_jwk(jwk)) == unit_key.kid


def test_jwk_point_off_curve_refused(unit_key: SigningKey) -> None:
    jwk = public_key_to_jwk(unit_key.public_key)
    jwk["y"] = jwk["x"]
    with pytest.raises(KeyListError):
        public_key_from_jwk(jwk)


def test_entry_refuses_mismatched_kid(unit_key: SigningKey) -> None:
    other = generate_signing_key(unit=UNIT)
    with pytest.raises(KeyListError):
        KeyEntry(kid=unit_key.kid, public_key=other.public_key, unit=UNIT, not_before=0)


def test_key_list_sign_and_verify(unit_key: SigningKey) -> None:
    trust = generate_signing_key(unit="root")
    second = generate_signing_key(unit="310104-XH-01")
    kl = KeyList(
        [unit_key.entry(not_before=100), second.entry(not_before=50, not_after=500)],
        sequence=7,
        issued_at=NOW,
    )
    signed = kl.sign(trust_key=trust)
    back = KeyList.verify_signed(signed, trust_keys=[trust.public_key])
    assert back.sequence == 7 and back.issued_at == NOW and len(back) == 2
    entry = back.get(second.kid)
    assert entry is not None and entry.not_after == 500 and entry.unit == "310104-XH-01"
    assert back.to_payload() == kl.to_payload()
    assert {k["kid"] for k in back.to_json()["keys"]} == {k["kid"] for k in kl.to_json()["keys"]}


def test_key_list_tamper_wrong_trust_and_rollback(unit_key: SigningKey) -> None:
    trust = generate_signing_key(unit="root")
    kl = KeyList([unit_key.entry(not_before=0)], sequence=3)
    signed = kl.sign(trust_key=trust)
    with pytest.raises(cose.UnknownKeyError):
        KeyList.verify_signed(signed, trust_keys=[generate_signing_key(unit="x").public_key])
    for pos in range(len(signed)):
        forged = bytearray(signed)
        forged[pos] ^= 0x01
        with pytest.raises((cose.CoseError, KeyListError)):
            KeyList.verify_signed(bytes(forged), trust_keys=[trust.public_key])
    with pytest.raises(KeyListError, match="older"):
        KeyList.verify_signed(signed, trust_keys=[trust.public_key], min_sequence=4)


def test_key_list_payload_entries_must_match_keys(unit_key: SigningKey) -> None:
    import cbor2

    body = cbor2.loads(KeyList([unit_key.entry(not_before=0)]).to_payload())
    body[-2][0][0] = b"\x00" * 8  # kid that is not the key's
    with pytest.raises(KeyListError):
        KeyList.from_payload(cbor2.dumps(body, canonical=True))


def test_rotation_retired_key() -> None:
    """Old key retired at T: passes it issued before T stay good, after T are refused."""
    retire_at = NOW - 2 * DAY
    old = generate_signing_key(unit=UNIT)
    new = generate_signing_key(unit=UNIT)
    kl = KeyList([old.entry(not_before=NOW - 90 * DAY)])
    kl = kl.replace(new.entry(not_before=retire_at))
    kl = kl.replace(old.entry(not_before=NOW - 90 * DAY, not_after=retire_at))
    assert kl.sequence == 2
    store = RevocationStore()

    def check(key: SigningKey, issued_at: int) -> Status:
        c = make_claims(issued_at=issued_at, valid_from=issued_at, valid_until=NOW + DAY)
        text = issue_pass(c, signing_key=key)
        return verify_pass(text, key_list=kl, revocations=store, now=NOW).status

    assert check(old, retire_at - 1) is Status.OK
    assert check(old, retire_at) is Status.KEY_NOT_VALID_AT_ISSUE
    assert check(old, retire_at + DAY) is Status.KEY_NOT_VALID_AT_ISSUE
    assert check(new, retire_at) is Status.OK
    assert check(new, retire_at - 1) is Status.KEY_NOT_VALID_AT_ISSUE
