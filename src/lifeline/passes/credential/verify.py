"""Issue a pass, and verify one offline: the two calls the Django layer makes.

Verification order is fixed and security-relevant: text → COSE envelope → algorithm → kid →
signature, and only then are the claims decoded and looked at. A result carries claims only
when the signature checked out, so nothing unauthenticated can leak into a checkpoint screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from lifeline.passes.credential import claims as _claims
from lifeline.passes.credential import cose, encoding
from lifeline.passes.credential.claims import PassClaims
from lifeline.passes.credential.keys import KeyList, SigningKey

__all__ = [
    "PassTooLargeError",
    "RevocationCheck",
    "Status",
    "VerificationResult",
    "issue_pass",
    "verify_pass",
]


class Status(StrEnum):
    OK = "ok"
    INVALID_FORMAT = "invalid_format"
    UNKNOWN_KEY = "unknown_key"
    BAD_SIGNATURE = "bad_signature"
    WRONG_ALGORITHM = "wrong_algorithm"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    KEY_NOT_VALID_AT_ISSUE = "key_not_valid_at_issue"
    # Signed by a genuine key, but that key belongs to a different unit than the pass names.
    WRONG_ISSUER = "wrong_issuer"


class RevocationCheck(Protocol):
    """Anything that can say whether a pass id is revoked (e.g. RevocationStore)."""

    def is_revoked(self, pass_id: str) -> bool: ...


class PassTooLargeError(ValueError):
    """The claims would not fit a QR code of version MAX_QR_VERSION."""


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """Outcome of :func:`verify_pass`.

    Invariant: ``claims`` and ``kid`` are set iff the signature verified (so for every
    status from NOT_YET_VALID on, and for OK); ``reason`` is a short English explanation.
    """

    status: Status
    reason: str
    claims: PassClaims | None = None
    kid: bytes | None = None

    @property
    def ok(self) -> bool:
        return self.status is Status.OK


def issue_pass(claims: PassClaims, *, signing_key: SigningKey) -> str:
    """Sign ``claims`` and return the ``LL1:`` text.

    Refuses (ValueError) claims whose issuer is not the key's unit, and (PassTooLargeError)
    claims too large for a version-12 QR code.
    """
    if claims.issuer != signing_key.unit:
        raise ValueError(f"key of unit {signing_key.unit!r} cannot issue for {claims.issuer!r}")
    envelope = cose.sign(
        _claims.encode_claims(claims), private_key=signing_key.private_key, kid=signing_key.kid
    )
    text = encoding.encode_text(envelope)
    if len(text) > encoding.MAX_TEXT_CHARS:
        raise PassTooLargeError(
            f"pass text is {len(text)} chars, QR version {encoding.MAX_QR_VERSION} holds "
            f"{encoding.MAX_TEXT_CHARS}: shorten the scope or holder"
        )
    return text


def verify_pass(
    text: str, *, key_list: KeyList, revocations: RevocationCheck, now: int
) -> VerificationResult:
    """Verify a pass text at UTC epoch second ``now``. Never raises on bad input.

    A pass is OK iff: the text is canonical; the envelope is ES256 in the protected header;
    its kid is in ``key_list``; the signature verifies; the claims decode strictly; the key
    belongs to the claimed issuer and was valid at ``issued_at``;
    ``valid_from <= now < valid_until``; and the pass id is not revoked.
    """
    # Barcode scanners in keyboard mode append a line ending; nothing else is forgiven.
    text = text.rstrip("\r\n") if isinstance(text, str) else text
    try:
        envelope = encoding.decode_text(text)
    except encoding.EncodingError as exc:
        return VerificationResult(Status.INVALID_FORMAT, f"not a pass text: {exc}")
    try:
        verified = cose.verify(envelope, resolve_key=key_list.public_key)
    except cose.WrongAlgorithmError as exc:
        return VerificationResult(Status.WRONG_ALGORITHM, str(exc))
    except cose.UnknownKeyError as exc:
        return VerificationResult(Status.UNKNOWN_KEY, f"signed by a key we do not know: {exc}")
    except cose.BadSignatureError as exc:
        return VerificationResult(Status.BAD_SIGNATURE, f"forged or altered pass: {exc}")
    except cose.CoseError as exc:
        return VerificationResult(Status.INVALID_FORMAT, f"malformed pass: {exc}")

    # From here on the bytes are authentic: they were signed by a listed key.
    try:
        claims = _claims.decode_claims(verified.payload)
    except _claims.ClaimsError as exc:
        return VerificationResult(Status.INVALID_FORMAT, f"signed but malformed claims: {exc}")
    entry = key_list.get(verified.kid)
    assert entry is not None  # cose.verify resolved this kid a moment ago

    def result(status: Status, reason: str) -> VerificationResult:
        return VerificationResult(status, reason, claims=claims, kid=verified.kid)

    if entry.unit != claims.issuer:
        return result(
            Status.WRONG_ISSUER,
            f"pass names issuer {claims.issuer!r} but was signed by unit {entry.unit!r}",
        )
    if not entry.valid_at(claims.issued_at):
        return result(
            Status.KEY_NOT_VALID_AT_ISSUE,
            "the signing key was not in service when this pass says it was issued",
        )
    if now < claims.valid_from:
        return result(Status.NOT_YET_VALID, "the pass is not valid yet")
    if now >= claims.valid_until:
        return result(Status.EXPIRED, "the pass has expired")
    if revocations.is_revoked(claims.pass_id):
        return result(Status.REVOKED, "the pass has been revoked")
    return result(Status.OK, "valid pass")
