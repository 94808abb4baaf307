"""The claims carried by a movement pass, and their compact CBOR form.

A pass is signed, not encrypted: anyone who scans the QR code can read every claim. So the
claims hold the minimum a checkpoint needs to decide "let through or not" — never health data,
never a full name (the holder is a masked name such as ``张*三`` or a vehicle plate).

Wire form: a CBOR map with small integer keys, like a CWT (RFC 8392). Standard keys 1 iss,
4 exp, 5 nbf, 6 iat; the rest are private (negative) keys. The encoding is canonical, and
decoding insists on it: a payload decodes only if re-encoding the decoded claims gives back
exactly the same bytes, which rejects duplicate keys, trailing bytes, non-minimal integers,
floats for integers and every other "same meaning, different bytes" variant.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import cbor2

__all__ = [
    "ClaimsError",
    "PassClaims",
    "decode_claims",
    "encode_claims",
    "new_pass_id",
]

# CWT registered claim keys (RFC 8392 §4).
KEY_ISS = 1
KEY_EXP = 4
KEY_NBF = 5
KEY_IAT = 6
# Private claim keys (negative integers are reserved for private use).
KEY_PASS_ID = -1
KEY_PASS_TYPE = -2
KEY_SCOPE = -3
KEY_HOLDER = -4
KEY_HOUSEHOLD = -5

_REQUIRED = frozenset(
    {KEY_ISS, KEY_EXP, KEY_NBF, KEY_IAT, KEY_PASS_ID, KEY_PASS_TYPE, KEY_SCOPE, KEY_HOLDER}
)
_KNOWN = _REQUIRED | {KEY_HOUSEHOLD}

# Epoch seconds must fit comfortably in CBOR/JS numbers; 2**40 s is year ~36800.
_MAX_TIME = 2**40
_CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-/]{0,31}")
_PASS_TYPE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,23}")
_HAS_DIGIT_RE = re.compile(r"[0-9]")
_MAX_SCOPE_AREAS = 32
_MAX_ROUTE_CHARS = 120
_MAX_HOLDER_CHARS = 24


class ClaimsError(ValueError):
    """The claims are malformed: bad field, missing/unknown key or non-canonical encoding."""


def new_pass_id() -> str:
    """Return a fresh random pass id (16 base32 chars, 80 bits).

    Random ids matter: the revocation list publishes hashes of pass ids, and guessable
    (sequential) ids would let anyone learn which passes were revoked.
    """
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(16))


def _check_text(value: object, *, field: str, max_chars: int) -> str:
    if type(value) is not str or not value or len(value) > max_chars:
        raise ClaimsError(f"{field} must be a non-empty string of at most {max_chars} chars")
    if value != value.strip() or not value.isprintable():
        raise ClaimsError(f"{field} has surrounding whitespace or unprintable characters")
    return value


def _check_code(value: object, *, field: str, pattern: re.Pattern[str] = _CODE_RE) -> str:
    if type(value) is not str or not pattern.fullmatch(value):
        raise ClaimsError(f"{field} must be a short code matching {pattern.pattern}")
    return value


def _check_time(value: object, *, field: str) -> int:
    # bool is an int subclass; True must not pass for "1970-01-01T00:00:01".
    if type(value) is not int or not 0 <= value < _MAX_TIME:
        raise ClaimsError(f"{field} must be an integer number of UTC epoch seconds")
    return value


@dataclass(frozen=True, slots=True, kw_only=True)
class PassClaims:
    """What a pass asserts. Construction validates every field; instances are always valid.

    Invariants: ``valid_from < valid_until``; ``issued_at <= valid_until``; ``scope`` is
    either a non-empty tuple of area codes or a route string; ``holder`` is masked (contains
    ``*``) or is a plate (contains a digit) — a bare full name is refused, since the QR is
    readable by anyone.
    """

    pass_id: str
    pass_type: str
    issuer: str
    valid_from: int
    valid_until: int
    issued_at: int
    scope: tuple[str, ...] | str
    holder: str
    household_ref: str | None = None

    def __post_init__(self) -> None:
        _check_code(self.pass_id, field="pass_id")
        _check_code(self.pass_type, field="pass_type", pattern=_PASS_TYPE_RE)
        _check_code(self.issuer, field="issuer")
        _check_time(self.valid_from, field="valid_from")
        _check_time(self.valid_until, field="valid_until")
        _check_time(self.issued_at, field="issued_at")
        if self.valid_from >= self.valid_until:
            raise ClaimsError("valid_from must be before valid_until")
        if self.issued_at > self.valid_until:
            raise ClaimsError("issued_at is after valid_until")
        scope: Any = self.scope
        if isinstance(scope, list | tuple):
            if not 0 < len(scope) <= _MAX_SCOPE_AREAS:
                raise ClaimsError(f"scope must list 1..{_MAX_SCOPE_AREAS} area codes")
            for area in scope:
                _check_code(area, field="scope area")
            # Normalise lists so instances stay hashable and equal to their decoded form.
            object.__setattr__(self, "scope", tuple(scope))
        else:
            _check_text(scope, field="scope route", max_chars=_MAX_ROUTE_CHARS)
        holder = _check_text(self.holder, field="holder", max_chars=_MAX_HOLDER_CHARS)
        if "*" not in holder and not _HAS_DIGIT_RE.search(holder):
            raise ClaimsError("holder must be a masked name (with '*') or a vehicle plate")
        if self.household_ref is not None:
            _check_code(self.household_ref, field="household_ref")

    @property
    def route(self) -> str | None:
        """The route string, or None when the scope is a list of area codes."""
        return self.scope if isinstance(self.scope, str) else None

    @property
    def areas(self) -> tuple[str, ...]:
        """The area codes, or () when the scope is a route string."""
        return () if isinstance(self.scope, str) else self.scope


def encode_claims(claims: PassClaims) -> bytes:
    """Encode to canonical CBOR. ``decode_claims(encode_claims(c)) == c`` for every valid c."""
    body: dict[int, Any] = {
        KEY_ISS: claims.issuer,
        KEY_EXP: claims.valid_until,
        KEY_NBF: claims.valid_from,
        KEY_IAT: claims.issued_at,
        KEY_PASS_ID: claims.pass_id,
        KEY_PASS_TYPE: claims.pass_type,
        KEY_SCOPE: claims.scope if isinstance(claims.scope, str) else list(claims.scope),
        KEY_HOLDER: claims.holder,
    }
    if claims.household_ref is not None:
        body[KEY_HOUSEHOLD] = claims.household_ref
    return cbor2.dumps(body, canonical=True)


def decode_claims(payload: bytes) -> PassClaims:
    """Decode strictly: exactly the canonical encoding of valid claims, or ClaimsError.

    Must only be called on a payload whose signature has already been verified.
    """
    try:
        body = cbor2.loads(payload, allow_indefinite=False, allow_duplicate_keys=False)
    except Exception as exc:  # cbor2 raises several unrelated types on garbage
        raise ClaimsError(f"claims are not valid CBOR: {exc}") from exc
    if not isinstance(body, dict):
        raise ClaimsError("claims must be a CBOR map")
    keys = set(body)
    if any(type(k) is not int for k in keys):
        raise ClaimsError("claim keys must be integers")
    if unknown := keys - _KNOWN:
        raise ClaimsError(f"unknown claim keys: {sorted(unknown)}")
    if missing := _REQUIRED - keys:
        raise ClaimsError(f"missing claim keys: {sorted(missing)}")
    scope = body[KEY_SCOPE]
    if not isinstance(scope, str | Sequence) or isinstance(scope, bytes):
        raise ClaimsError("scope must be a route string or an array of area codes")
    claims = PassClaims(
        pass_id=body[KEY_PASS_ID],
        pass_type=body[KEY_PASS_TYPE],
        issuer=body[KEY_ISS],
        valid_from=body[KEY_NBF],
        valid_until=body[KEY_EXP],
        issued_at=body[KEY_IAT],
        scope=scope if isinstance(scope, str) else tuple(scope),
        holder=body[KEY_HOLDER],
        household_ref=body.get(KEY_HOUSEHOLD),
    )
    if encode_claims(claims) != payload:
        raise ClaimsError("claims are not canonically encoded")
    return claims
