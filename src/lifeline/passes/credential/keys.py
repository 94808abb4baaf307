"""Signing keys per issuing unit, and the signed key list checkpoints trust.

Every issuing unit holds its own P-256 key pair. Its key id (kid) is the first 8 bytes of
SHA-256 over the DER SubjectPublicKeyInfo, so a kid is derived, never chosen, and a list
entry whose kid does not match its key is refused.

The published :class:`KeyList` maps kid → (public key, unit, validity window). The window is
about *issuing*: a pass is acceptable only if its ``issued_at`` falls in
``[not_before, not_after)`` of the key that signed it — that is how a key is retired in a
rotation without invalidating passes it issued while current. A compromised key is instead
removed from the list entirely. The list is itself a COSE_Sign1 signed by a root (trust) key
and carries a sequence number so verifiers can refuse rollbacks to an older list.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import cbor2
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from lifeline.passes.credential import cose

__all__ = [
    "KeyEntry",
    "KeyList",
    "KeyListError",
    "SigningKey",
    "generate_signing_key",
    "key_id",
    "public_key_from_b64der",
    "public_key_from_jwk",
    "public_key_to_b64der",
    "public_key_to_jwk",
    "signing_key_from_pem",
    "signing_key_to_pem",
]

KEYLIST_AAD = b"lifeline/keylist/v1"
_MAX_TIME = 2**40


class KeyListError(ValueError):
    """A key, key entry or key list is malformed or inconsistent."""


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _require_p256(key: ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey) -> None:
    if not isinstance(key.curve, ec.SECP256R1):
        raise KeyListError("only P-256 keys are accepted")


def _der(public_key: ec.EllipticCurvePublicKey) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def key_id(public_key: ec.EllipticCurvePublicKey) -> bytes:
    """The 8-byte kid: SHA-256(DER SubjectPublicKeyInfo)[:8]."""
    return hashlib.sha256(_der(public_key)).digest()[: cose.KID_LEN]


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A unit's private signing key; ``kid`` is derived from the public half."""

    unit: str
    private_key: ec.EllipticCurvePrivateKey
    kid: bytes = field(init=False)

    def __post_init__(self) -> None:
        _require_p256(self.private_key)
        object.__setattr__(self, "kid", key_id(self.private_key.public_key()))

    @property
    def public_key(self) -> ec.EllipticCurvePublicKey:
        return self.private_key.public_key()

    def entry(self, *, not_before: int, not_after: int | None = None) -> KeyEntry:
        """The public KeyEntry for this key with the given issuing window."""
        return KeyEntry(
            kid=self.kid,
            public_key=self.public_key,
            unit=self.unit,
            not_before=not_before,
            not_after=not_after,
        )


def generate_signing_key(*, unit: str) -> SigningKey:
    """Generate a fresh P-256 key pair for ``unit``."""
    return SigningKey(unit=unit, private_key=ec.generate_private_key(ec.SECP256R1()))


def signing_key_to_pem(key: SigningKey, *, passphrase: bytes | None = None) -> bytes:
    """PKCS#8 PEM of the private key, encrypted when a passphrase is given."""
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    return key.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def signing_key_from_pem(pem: bytes, *, unit: str, passphrase: bytes | None = None) -> SigningKey:
    """Load a PKCS#8 PEM private key; refuses anything but P-256."""
    key = serialization.load_pem_private_key(pem, password=passphrase)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise KeyListError("not an EC private key")
    return SigningKey(unit=unit, private_key=key)


def public_key_to_b64der(public_key: ec.EllipticCurvePublicKey) -> str:
    """Standard base64 of the DER SubjectPublicKeyInfo."""
    return base64.b64encode(_der(public_key)).decode("ascii")


def _load_der(der: bytes) -> ec.EllipticCurvePublicKey:
    try:
        key = serialization.load_der_public_key(der)
    except ValueError as exc:
        raise KeyListError("not a DER public key") from exc
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise KeyListError("not an EC public key")
    _require_p256(key)
    return key


def public_key_from_b64der(text: str) -> ec.EllipticCurvePublicKey:
    """Inverse of :func:`public_key_to_b64der`; refuses anything but P-256."""
    try:
        der = base64.b64decode(text, validate=True)
    except ValueError as exc:
        raise KeyListError("not base64") from exc
    return _load_der(der)


def public_key_to_jwk(
    public_key: ec.EllipticCurvePublicKey, *, kid: bytes | None = None
) -> dict[str, str]:
    """JWK (RFC 7517) for WebCrypto ``importKey('jwk', …)``; kid as base64url when given."""
    numbers = public_key.public_numbers()
    jwk = {
        "kty": "EC",
        "crv": "P-256",
        "x": _b64url(numbers.x.to_bytes(32, "big")),
        "y": _b64url(numbers.y.to_bytes(32, "big")),
        "alg": "ES256",
        "use": "sig",
    }
    if kid is not None:
        jwk["kid"] = _b64url(kid)
    return jwk


def public_key_from_jwk(jwk: Mapping[str, str]) -> ec.EllipticCurvePublicKey:
    """Inverse of :func:`public_key_to_jwk` (validates the point is on P-256)."""
    if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
        raise KeyListError("JWK must be an EC P-256 key")
    try:
        x = int.from_bytes(_b64url_decode(jwk["x"]), "big")
        y = int.from_bytes(_b64url_decode(jwk["y"]), "big")
        return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    except (KeyError, ValueError) as exc:
        raise KeyListError("JWK has a bad point") from exc


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyEntry:
    """A published public key. Invariant: ``kid == key_id(public_key)``.

    The key may issue passes at times t with ``not_before <= t < not_after`` (no upper bound
    when ``not_after`` is None, i.e. the key is current).
    """

    kid: bytes
    public_key: ec.EllipticCurvePublicKey
    unit: str
    not_before: int
    not_after: int | None = None

    def __post_init__(self) -> None:
        _require_p256(self.public_key)
        if self.kid != key_id(self.public_key):
            raise KeyListError("kid does not match the public key")
        if type(self.unit) is not str or not self.unit:
            raise KeyListError("unit must be a non-empty string")
        if type(self.not_before) is not int or not 0 <= self.not_before < _MAX_TIME:
            raise KeyListError("not_before must be epoch seconds")
        if self.not_after is not None and (
            type(self.not_after) is not int or not self.not_before < self.not_after < _MAX_TIME
        ):
            raise KeyListError("not_after must be epoch seconds after not_before")

    def valid_at(self, t: int) -> bool:
        """True when the key was allowed to issue at epoch second ``t``."""
        return self.not_before <= t and (self.not_after is None or t < self.not_after)


class KeyList:
    """Immutable kid → KeyEntry map. Public key objects are loaded once, here, and reused
    for every verification (loading a key costs more than verifying with it)."""

    __slots__ = ("_entries", "issued_at", "sequence")

    def __init__(
        self, entries: Iterable[KeyEntry], *, sequence: int = 0, issued_at: int = 0
    ) -> None:
        self._entries: dict[bytes, KeyEntry] = {}
        for entry in entries:
            if entry.kid in self._entries:
                raise KeyListError(f"duplicate kid {entry.kid.hex()}")
            self._entries[entry.kid] = entry
        if type(sequence) is not int or sequence < 0:
            raise KeyListError("sequence must be a non-negative integer")
        self.sequence = sequence
        self.issued_at = issued_at

    def __iter__(self) -> Iterator[KeyEntry]:
        return iter(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, kid: bytes) -> KeyEntry | None:
        """The entry for ``kid`` or None."""
        return self._entries.get(kid)

    def public_key(self, kid: bytes) -> ec.EllipticCurvePublicKey | None:
        """Resolver for :func:`cose.verify`."""
        entry = self._entries.get(kid)
        return entry.public_key if entry is not None else None

    def replace(self, entry: KeyEntry) -> KeyList:
        """A new list (sequence + 1) with ``entry`` added or replacing the same kid —
        e.g. the same key with a ``not_after`` set when it is retired."""
        entries = dict(self._entries)
        entries[entry.kid] = entry
        return KeyList(entries.values(), sequence=self.sequence + 1, issued_at=self.issued_at)

    def to_payload(self) -> bytes:
        """Canonical CBOR: {-1: sequence, 6: issued_at, -2: [[kid, der, unit, nbf, naf]]}."""
        rows = [
            [e.kid, _der(e.public_key), e.unit, e.not_before, e.not_after]
            for e in sorted(self._entries.values(), key=lambda e: e.kid)
        ]
        return cbor2.dumps({-1: self.sequence, 6: self.issued_at, -2: rows}, canonical=True)

    @classmethod
    def from_payload(cls, payload: bytes) -> KeyList:
        """Strict inverse of :meth:`to_payload` (only call on verified bytes)."""
        try:
            body = cbor2.loads(payload, allow_indefinite=False, allow_duplicate_keys=False)
            if not isinstance(body, dict) or set(body) != {-1, 6, -2}:
                raise KeyListError("key list must have exactly keys -1, 6, -2")
            entries = []
            for row in body[-2]:
                kid, der, unit, not_before, not_after = row
                entry = KeyEntry(
                    kid=kid,
                    public_key=_load_der(der),
                    unit=unit,
                    not_before=not_before,
                    not_after=not_after,
                )
                entries.append(entry)
            key_list = cls(entries, sequence=body[-1], issued_at=body[6])
        except KeyListError:
            raise
        except Exception as exc:
            raise KeyListError(f"malformed key list: {exc}") from exc
        if key_list.to_payload() != payload:
            raise KeyListError("key list is not canonically encoded")
        return key_list

    def sign(self, *, trust_key: SigningKey) -> bytes:
        """COSE_Sign1 of the list, signed by the root/trust key."""
        return cose.sign(
            self.to_payload(),
            private_key=trust_key.private_key,
            kid=trust_key.kid,
            external_aad=KEYLIST_AAD,
        )

    @classmethod
    def verify_signed(
        cls,
        data: bytes,
        *,
        trust_keys: Iterable[ec.EllipticCurvePublicKey],
        min_sequence: int = 0,
    ) -> KeyList:
        """Verify a signed list against the trust anchors; raises cose.CoseError or
        KeyListError. ``min_sequence`` refuses rollback to an older list."""
        anchors = {key_id(k): k for k in trust_keys}
        verified = cose.verify(data, resolve_key=anchors.get, external_aad=KEYLIST_AAD)
        key_list = cls.from_payload(verified.payload)
        if key_list.sequence < min_sequence:
            raise KeyListError(
                f"key list sequence {key_list.sequence} is older than {min_sequence}"
            )
        return key_list

    def to_json(self) -> dict[str, Any]:
        """The browser form consumed by verifier.js: kids as base64url, keys as JWK."""
        return {
            "sequence": self.sequence,
            "issued_at": self.issued_at,
            "keys": [
                {
                    "kid": _b64url(e.kid),
                    "unit": e.unit,
                    "not_before": e.not_before,
                    "not_after": e.not_after,
                    "jwk": public_key_to_jwk(e.public_key, kid=e.kid),
                }
                for e in sorted(self._entries.values(), key=lambda e: e.kid)
            ],
        }
