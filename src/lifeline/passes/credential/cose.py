"""A deliberately narrow COSE_Sign1 (RFC 9052 §4.2) with ES256 only.

Envelope: ``18([protected: bstr .cbor {1: -7, 4: kid}, unprotected: {}, payload: bstr,
signature: bstr(64) r||s])``; the signed bytes are the CBOR of
``["Signature1", protected, external_aad, payload]``.

We accept exactly one shape, the one we produce. Anything else is an error before any key is
looked up: the algorithm must be ES256 *in the protected header* (an attacker controls the
unprotected header, so an algorithm there is an attack, not a hint), the unprotected header
must be empty, and the whole envelope must be canonical CBOR. The payload is returned only
after the signature has verified; callers never see unauthenticated bytes.

``external_aad`` is how we separate domains: passes use ``b""`` (as COSE tooling expects),
key lists and revocation lists use their own strings, so a signature made for one kind of
document can never verify as another.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

__all__ = [
    "ALG_ES256",
    "BadSignatureError",
    "CoseError",
    "CoseFormatError",
    "UnknownKeyError",
    "Verified",
    "WrongAlgorithmError",
    "sign",
    "verify",
]

COSE_SIGN1_TAG = 18
HDR_ALG = 1
HDR_KID = 4
ALG_ES256 = -7
KID_LEN = 8
SIG_LEN = 64
# Order of the P-256 group; signatures are normalised to s <= n/2 (no malleability).
P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_ECDSA = ec.ECDSA(hashes.SHA256())

PublicKeyResolver = Callable[[bytes], ec.EllipticCurvePublicKey | None]


class CoseError(ValueError):
    """Base class: the envelope must not be trusted."""


class CoseFormatError(CoseError):
    """Not a canonical COSE_Sign1 of the one shape we accept."""


class WrongAlgorithmError(CoseError):
    """The protected header does not say exactly ES256, or an alg sits unprotected."""


class UnknownKeyError(CoseError):
    """The kid is not in the caller's key set."""

    def __init__(self, kid: bytes) -> None:
        super().__init__(f"unknown key id {kid.hex()}")
        self.kid = kid


class BadSignatureError(CoseError):
    """The signature does not verify under the key named by the kid."""


@dataclass(frozen=True, slots=True)
class Verified:
    """A verified envelope: ``payload`` was signed by the key ``kid``."""

    kid: bytes
    payload: bytes


def _protected_header(kid: bytes) -> bytes:
    return cbor2.dumps({HDR_ALG: ALG_ES256, HDR_KID: kid}, canonical=True)


def _sig_structure(protected: bytes, external_aad: bytes, payload: bytes) -> bytes:
    return cbor2.dumps(["Signature1", protected, external_aad, payload])


def sign(
    payload: bytes,
    *,
    private_key: ec.EllipticCurvePrivateKey,
    kid: bytes,
    external_aad: bytes = b"",
) -> bytes:
    """Return the tagged COSE_Sign1 bytes of ``payload`` signed with ES256.

    The signature is raw r||s (not DER) with low s, so each signed message has one encoding.
    """
    if not isinstance(private_key.curve, ec.SECP256R1):
        raise ValueError("ES256 needs a P-256 key")
    if len(kid) != KID_LEN:
        raise ValueError(f"kid must be {KID_LEN} bytes")
    protected = _protected_header(kid)
    der = private_key.sign(_sig_structure(protected, external_aad, payload), _ECDSA)
    r, s = decode_dss_signature(der)
    if s > P256_N // 2:
        s = P256_N - s
    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))


def _loads(data: bytes, what: str) -> object:
    try:
        return cbor2.loads(data, allow_indefinite=False, allow_duplicate_keys=False)
    except Exception as exc:  # cbor2 raises several unrelated types on garbage
        raise CoseFormatError(f"{what} is not valid CBOR") from exc


def verify(
    data: bytes,
    *,
    resolve_key: PublicKeyResolver,
    external_aad: bytes = b"",
) -> Verified:
    """Verify a COSE_Sign1 and return its payload; raise a CoseError subclass otherwise.

    Checks, in order: envelope shape and canonical encoding (CoseFormatError), protected
    alg == ES256 and no unprotected alg (WrongAlgorithmError), kid known to ``resolve_key``
    (UnknownKeyError), signature (BadSignatureError). The payload is not interpreted here.
    """
    obj = _loads(data, "envelope")
    if not isinstance(obj, cbor2.CBORTag) or obj.tag != COSE_SIGN1_TAG:
        raise CoseFormatError("not a tagged COSE_Sign1")
    parts = obj.value
    if not isinstance(parts, list | tuple) or len(parts) != 4:
        raise CoseFormatError("COSE_Sign1 must be an array of four items")
    protected, unprotected, payload, signature = parts
    if not (
        isinstance(protected, bytes)
        and isinstance(unprotected, Mapping)
        and isinstance(payload, bytes)
        and isinstance(signature, bytes)
    ):
        raise CoseFormatError("COSE_Sign1 items have the wrong types")

    header = _loads(protected, "protected header")
    if not isinstance(header, dict):
        raise CoseFormatError("protected header must be a map")
    if HDR_ALG in unprotected:
        raise WrongAlgorithmError("algorithm must be in the protected header only")
    alg = header.get(HDR_ALG)
    # type() not isinstance(): True/1.0/-7.0 must not pass for -7.
    if type(alg) is not int or alg != ALG_ES256:
        raise WrongAlgorithmError(f"protected algorithm is {alg!r}, only ES256 (-7) accepted")
    if set(header) != {HDR_ALG, HDR_KID} or unprotected:
        raise CoseFormatError("headers must be exactly {alg, kid} protected and {} unprotected")
    kid = header[HDR_KID]
    if not isinstance(kid, bytes) or len(kid) != KID_LEN:
        raise CoseFormatError(f"kid must be a {KID_LEN}-byte string")
    if protected != _protected_header(kid):
        raise CoseFormatError("protected header is not canonically encoded")
    canonical = cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))
    if canonical != data:
        raise CoseFormatError("envelope is not canonically encoded")

    public_key = resolve_key(kid)
    if public_key is None:
        raise UnknownKeyError(kid)
    if len(signature) != SIG_LEN:
        raise BadSignatureError("signature must be 64 bytes r||s")
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:], "big")
    if not (0 < r < P256_N and 0 < s <= P256_N // 2):
        raise BadSignatureError("signature scalars out of range")
    try:
        public_key.verify(
            encode_dss_signature(r, s), _sig_structure(protected, external_aad, payload), _ECDSA
        )
    except InvalidSignature as exc:
        raise BadSignatureError("signature does not verify") from exc
    return Verified(kid=kid, payload=payload)
