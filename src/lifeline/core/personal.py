"""Personal data: ID-number and phone validation, masking, encryption and keyed lookup.

ID numbers (居民身份证号, GB 11643-1999) are stored encrypted (AES-GCM) with a separate
HMAC for exact lookup; lists and pages only ever show the masked forms made here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def normalise_id_number(value: str) -> str:
    return value.strip().upper().replace(" ", "")


def id_number_check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def id_number_is_valid(value: str) -> bool:
    """True for an 18-character ID number with a valid birth date and check digit."""
    value = normalise_id_number(value)
    if not _ID_RE.match(value):
        return False
    try:
        dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return id_number_check_digit(value[:17]) == value[17]


def normalise_phone(value: str) -> str:
    return re.sub(r"[\s()+]", "", value.strip()).removeprefix("86")


def phone_is_valid(value: str) -> bool:
    value = normalise_phone(value)
    return bool(_PHONE_RE.match(value) or _LANDLINE_RE.match(value))


def mask_phone(value: str) -> str:
    """138****5678: enough to confirm with a caller, never enough to dial."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_id_number(value: str) -> str:
    """43****************: the province only, which the address already tells.

    Every other character is hidden on purpose. The region digits (3-6) are as good as
    known from the address, the birth date (7-14) is narrowed by the age band shown beside
    it, digit 17 is narrowed by sex, and the check digit (18) is fixed by the others: so
    showing the last four, as is common, would leave a few hundred candidates that an
    exact-ID search could try. With nothing of 7-18 shown, a ten-year age band and sex
    leave 3,652 birth dates x 500 sequence numbers = 1.8 million (docs/security.md).
    """
    if not value:
        return ""
    return value[:2] + "*" * (len(value) - 2)


AGE_BAND_YEARS = 10


def age_years(birth_date: dt.date | None, today: dt.date) -> int | None:
    if birth_date is None:
        return None
    return (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )


def age_band(birth_date: dt.date | None, today: dt.date) -> str:
    """ "60-69": the age in ten-year bands, as lists and pages show it (never the birth date,
    which with the sex and the address would narrow a hidden ID number too far)."""
    years = age_years(birth_date, today)
    if years is None or years < 0:
        return ""
    low = years - years % AGE_BAND_YEARS
    if low >= 90:
        return "90+"
    return f"{low}–{low + AGE_BAND_YEARS - 1}"


def mask_name(value: str) -> str:
    if len(value) <= 1:
        return value
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


@lru_cache(maxsize=4)
def _aead(key_hex: str) -> AESGCM:
    return AESGCM(hashlib.sha256(bytes.fromhex(key_hex)).digest())


def encrypt_value(plain: str) -> bytes:
    nonce = os.urandom(12)
    return nonce + _aead(settings.FIELD_ENCRYPTION_KEY).encrypt(nonce, plain.encode(), b"lifeline")


def decrypt_value(blob: bytes | memoryview) -> str:
    data = bytes(blob)
    return _aead(settings.FIELD_ENCRYPTION_KEY).decrypt(data[:12], data[12:], b"lifeline").decode()


def lookup_hash(value: str) -> str:
    """Keyed hash for exact lookup; without the key it cannot be brute-forced offline."""
    key = bytes.fromhex(settings.LOOKUP_HASH_KEY)
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


# Phone normalisation and validity as SQL (PostgreSQL), the same rules as
# ``normalise_phone`` and ``phone_is_valid``, for set-based statements over many rows.
PHONE_VALID_SQL_RE = r"^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$"


def normalised_phone_sql(column: str) -> str:
    """``normalise_phone`` of ``column`` (a trusted SQL expression) in PostgreSQL."""
    return f"regexp_replace(regexp_replace({column}, '[[:space:]()+]', '', 'g'), '^86', '')"


def hmac_sha256_pads(key: bytes) -> tuple[bytes, bytes]:
    """HMAC-SHA256's inner and outer padded keys: HMAC(key, m) is
    sha256(outer || sha256(inner || m)), which PostgreSQL's built-in ``sha256`` computes
    over many rows at once (no extension needed)."""
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def hmac_sha256_sql(message: str, inner: str, outer: str) -> str:
    """The SQL of HMAC-SHA256 (bytea) of the text expression ``message``, with the padded
    keys passed as the parameters named ``inner`` and ``outer`` (see ``hmac_sha256_pads``)."""
    return (
        f"sha256(%({outer})s::bytea || sha256(%({inner})s::bytea || convert_to({message}, 'UTF8')))"
    )


def lookup_hash_pads() -> tuple[bytes, bytes]:
    """The padded keys of :func:`lookup_hash`, for ``hmac_sha256_sql``."""
    return hmac_sha256_pads(bytes.fromhex(settings.LOOKUP_HASH_KEY))
