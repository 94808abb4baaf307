"""COSE_Sign1 envelope: structure, interop of the signature, strict verification."""

from __future__ import annotations

import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from lifeline.passes.credential import cose
from lifeline.passes.credential.keys import SigningKey, generate_signing_key

PAYLOAD = b"\xa1\x01\x63abc"


def _resolver(key: SigningKey):
    return {key.kid: key.public_key}.get


def test_structure_matches_rfc9052(unit_key: SigningKey) -> None:
    data = cose.sign(PAYLOAD, private_key=unit_key.private_key, kid=unit_key.kid)
    obj = cbor2.loads(data)
    assert isinstance(obj, cbor2.CBORTag) and obj.tag == 18
    protected, unprotected, payload, signature = obj.value
    assert cbor2.loads(protected) == {1: -7, 4: unit_key.kid}
    assert dict(unprotected) == {}
    assert payload == PAYLOAD
    assert len(signature) == 64


def test_signature_is_raw_r_s_over_sig_structure(unit_key: SigningKey) -> None:
    """Check the signature independently of cose.verify: hand-built Sig_structure, DER."""
    data = cose.sign(PAYLOAD, private_key=unit_key.private_key, kid=unit_key.kid)
    protected, _, _, signature = cbor2.loads(data).value
    sig_structure = (
        b"\x84"  # array(4)
        + b"\x6aSignature1"
        + bytes([0x40 + len(protected)])
        + protected
        + b"\x40"  # external_aad = h''
        + bytes([0x40 + len(PAYLOAD)])
        + PAYLOAD
    )
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    assert s <= cose.P256_N // 2  # low-s normalised
    unit_key.public_key.verify(encode_dss_signature(r, s), sig_structure, ec.ECDSA(hashes.SHA256()))


def test_verify_returns_payload_and_kid(unit_key: SigningKey) -> None:
    data = cose.sign(PAYLOAD, private_key=unit_key.private_key, kid=unit_key.kid)
    verified = cose.verify(data, resolve_key=_resolver(unit_key))
    assert verified.payload == PAYLOAD and verified.kid == unit_key.kid


def test_high_s_twin_is_rejected(unit_key: SigningKey) -> None:
    """(r, n-s) is the mathematically valid twin; we accept one encoding per message."""
    data = cose.sign(PAYLOAD, private_key=unit_key.private_key, kid=unit_key.kid)
    protected, _, payload, signature = cbor2.loads(data).value
    s = int.from_bytes(signature[32:], "big")
    twin = signature[:32] + (cose.P256_N - s).to_bytes(32, "big")
    forged = cbor2.dumps(cbor2.CBORTag(18, [protected, {}, payload, twin]))
    with pytest.raises(cose.BadSignatureError):
        cose.verify(forged, resolve_key=_resolver(unit_key))


def test_external_aad_separates_domains(unit_key: SigningKey) -> None:
    data = cose.sign(
        PAYLOAD, private_key=unit_key.private_key, kid=unit_key.kid, external_aad=b"other"
    )
    with pytest.raises(cose.BadSignatureError):
        cose.verify(data, resolve_key=_resolver(unit_key))
    cose.verify(data, resolve_key=_resolver(unit_key), external_aad=b"other")


def test_unknown_kid(unit_key: SigningKey) -> None:
    data = cose.sign(PAYLOAD, private_key=unit_key.private_key, kid=unit_key.kid)
    with pytest.raises(cose.UnknownKeyError):
        cose.verify(data, resolve_key=lambda kid: None)


def test_wrong_key_under_right_kid(unit_key: SigningKey) -> None:
    other = generate_signing_key(unit=unit_key.unit)
    data = cose.sign(PAYLOAD, private_key=other.private_key, kid=unit_key.kid)
    with pytest.raises(cose.BadSignatureError):
        cose.verify(data, resolve_key=_resolver(unit_key))


@pytest.mark.parametrize(
    ("protected", "unprotected"),
    [
        pytest.param({1: -35}, {}, id="es384"),
        pytest.param({1: -8}, {}, id="eddsa"),
        pytest.param({1: 0}, {}, id="zero"),
        pytest.param({1: "none"}, {}, id="none-string"),
        pytest.param({1: None}, {}, id="null"),
        pytest.param({1: -7.0}, {}, id="float-minus-seven"),
        pytest.param({}, {}, id="absent"),
        pytest.param({}, {1: -7}, id="moved-to-unprotected"),
        pytest.param({1: -7}, {1: -7}, id="also-in-unprotected"),
        pytest.param({1: -35}, {1: -7}, id="es384-protected-es256-unprotected"),
    ],
)
def test_algorithm_swaps_rejected(unit_key: SigningKey, forge, protected, unprotected) -> None:
    data = forge(
        PAYLOAD,
        private_key=unit_key.private_key,
        protected={**protected, 4: unit_key.kid},
        unprotected=unprotected,
    )
    with pytest.raises(cose.WrongAlgorithmError):
        cose.verify(data, resolve_key=_resolver(unit_key))


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda o: cbor2.CBORTag(98, o.value), id="other-tag"),
        pytest.param(lambda o: list(o.value), id="untagged"),
        pytest.param(lambda o: cbor2.CBORTag(18, list(o.value)[:3]), id="three-items"),
        pytest.param(lambda o: cbor2.CBORTag(18, [*o.value, b""]), id="five-items"),
        pytest.param(
            lambda o: cbor2.CBORTag(18, [o.value[0], {4: b"x" * 8}, o.value[2], o.value[3]]),
            id="unprotected-kid",
        ),
        pytest.param(
            lambda o: cbor2.CBORTag(18, [o.value[0], {}, "text", o.value[3]]),
            id="text-payload",
        ),
    ],
)
def test_malformed_envelopes(unit_key: SigningKey, mangle) -> None:
    good = cbor2.loads(cose.sign(PAYLOAD, private_key=unit_key.private_key, kid=unit_key.kid))
    with pytest.raises(cose.CoseFormatError):
        cose.verify(cbor2.dumps(mangle(good)), resolve_key=_resolver(unit_key))


def test_extra_protected_header_rejected(unit_key: SigningKey, forge) -> None:
    data = forge(
        PAYLOAD, private_key=unit_key.private_key, protected={1: -7, 4: unit_key.kid, 2: [1]}
    )
    with pytest.raises(cose.CoseFormatError):
        cose.verify(data, resolve_key=_resolver(unit_key))


def test_trailing_bytes_rejected(unit_key: SigningKey) -> None:
    data = cose.sign(PAYLOAD, private_key=unit_key.private_key, kid=unit_key.kid)
    with pytest.raises(cose.CoseFormatError):
        cose.verify(data + b"\x00", resolve_key=_resolver(unit_key))
