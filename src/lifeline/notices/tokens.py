"""The short acknowledgement link a text carries: the household's row id with a signature
truncated to 16 characters (96 bits), made with ``django.core.signing`` under the project's
secret and a salt of its own. Short enough for one SMS; not guessable."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes

from lifeline.core.personal import hmac_sha256_pads, hmac_sha256_sql

SALT = "lifeline.notices.ack"
SIGNATURE_CHARS = 16
DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
# Row ids below 36**9 (10**14) have at most 9 base-36 digits.
SQL_DIGITS = 9


def _base36(number: int) -> str:
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = DIGITS[rest] + text
        if not number:
            return text


def _signature(value: str) -> str:
    return signing.Signer(salt=SALT).signature(value)[:SIGNATURE_CHARS]


def ack_token(recipient_id: int) -> str:
    value = _base36(recipient_id)
    return f"{value}-{_signature(value)}"


def ack_recipient_id(token: str) -> int | None:
    """The row a token names, or None for anything not made by :func:`ack_token`."""
    value, _sep, signature = (token or "")[:64].partition("-")
    if not value or not signature or not value.isalnum():
        return None
    if not constant_time_compare(signature, _signature(value)):
        return None
    try:
        return int(value, 36)
    except ValueError:
        return None


def signature_pads() -> tuple[bytes, bytes]:
    """The padded keys of the links' signature, as ``django.core.signing.Signer`` makes
    it (HMAC-SHA256 under sha256(salt + "signer" + SECRET_KEY)), for ``ack_token_sql``."""
    key = hashlib.sha256(force_bytes(SALT + "signer") + force_bytes(settings.SECRET_KEY))
    return hmac_sha256_pads(key.digest())


def ack_token_sql(column: str) -> str:
    """:func:`ack_token` of the positive bigint ``column`` (trusted SQL) in PostgreSQL; the
    keys of :func:`signature_pads` go in the parameters ``sig_inner`` and ``sig_outer``."""
    places = [
        f"substr('{DIGITS}', mod({column} / {36**k}, 36)::int + 1, 1)"
        for k in reversed(range(SQL_DIGITS))
    ]
    value = "ltrim(" + " || ".join(places) + ", '0')"
    mac = hmac_sha256_sql(value, "sig_inner", "sig_outer")
    # Django's url-safe base64 without padding; 16 of its 43 characters.
    signature = f"left(translate(encode({mac}, 'base64'), '+/', '-_'), {SIGNATURE_CHARS})"
    return f"({value} || '-' || {signature})"
