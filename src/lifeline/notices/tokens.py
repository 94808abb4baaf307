"""The short acknowledgement link a text carries: the household's row id with a signature
truncated to 16 characters (96 bits), made with ``django.core.signing`` under the project's
secret and a salt of its own. Short enough for one SMS; not guessable."""

from __future__ import annotations

from django.core import signing
from django.utils.crypto import constant_time_compare

SALT = "lifeline.notices.ack"
SIGNATURE_CHARS = 16


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
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
