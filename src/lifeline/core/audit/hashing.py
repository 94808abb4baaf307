"""What an audit record's hash covers, and the keys it is made with.

Each record's hash is HMAC-SHA256 under ``settings.AUDIT_KEY``, read from the environment
and never from the database, so a copy of the database alone cannot be rewritten and still
verify. Each record stores the key's id (a keyed fingerprint, not the key), so records made
under an earlier key (``settings.AUDIT_PREVIOUS_KEYS``) still verify after a rotation.

Records written before the chain was keyed have an empty key id and a plain SHA-256 hash.
The migration that keyed the log sealed each chain's last such record: its chain row holds
``unkeyed_until`` (that seq) and an HMAC of the seq and the record's hash. Unkeyed records
are accepted only up to a sealed boundary, so they can be neither rewritten nor added by
someone without the key (a whole chain recomputed as "old" unkeyed records included).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from lifeline.core.models import AuditRecord

GENESIS = "0" * 64
_KEY_ID_LABEL = b"lifeline audit key id"
# Kept in step with core/migrations/0006_audit_seal_unkeyed.py, which made the seals.
UNKEYED_SEAL_LABEL = "lifeline audit unkeyed until"


@dataclass(frozen=True)
class ChainKey:
    """An HMAC-SHA256 key with its inner and outer hash states computed once (RFC 2104),
    so a record's HMAC costs two hash copies rather than re-keying: appends are on every
    write's path."""

    key_id: str
    inner: Any  # hashlib's sha256 state after the key xor ipad
    outer: Any  # and after the key xor opad

    @classmethod
    def from_secret(cls, secret: str) -> ChainKey:
        raw = secret.strip().encode()
        if len(raw) < 32:
            raise ImproperlyConfigured("an audit key must be at least 32 characters long")
        if len(raw) > 64:  # HMAC hashes keys longer than the block first
            raw = hashlib.sha256(raw).digest()
        block = raw.ljust(64, b"\0")
        inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))
        key = cls(key_id="", inner=inner, outer=outer)
        return cls(key_id=key.mac(_KEY_ID_LABEL)[:16], inner=inner, outer=outer)

    def mac(self, data: bytes) -> str:
        inner = self.inner.copy()
        inner.update(data)
        outer = self.outer.copy()
        outer.update(inner.digest())
        return str(outer.hexdigest())


_current: tuple[str, ChainKey] | None = None
_all: tuple[tuple[str, ...], dict[str, ChainKey]] | None = None


def current_key() -> ChainKey:
    """The key new records are hashed with (kept while the setting stays the same)."""
    global _current
    secret = settings.AUDIT_KEY
    cached = _current
    if cached is None or cached[0] != secret:
        cached = (secret, ChainKey.from_secret(secret))
        _current = cached
    return cached[1]


def known_keys() -> dict[str, ChainKey]:
    """Every key verification accepts, by key id: the current one and the previous ones."""
    global _all
    secrets = (settings.AUDIT_KEY, *settings.AUDIT_PREVIOUS_KEYS)
    cached = _all
    if cached is None or cached[0] != secrets:
        keys = {k.key_id: k for k in map(ChainKey.from_secret, secrets)}
        cached = (secrets, keys)
        _all = cached
    return cached[1]


def record_digest(*, key: ChainKey | None, prev_hash: str, content: dict[str, Any]) -> str:
    """The hash of one record: HMAC under ``key``, or plain SHA-256 for unkeyed records."""
    blob = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    data = f"{prev_hash}|{blob}".encode()
    if key is None:
        return hashlib.sha256(data).hexdigest()
    return key.mac(data)


def record_content(record: AuditRecord) -> dict[str, Any]:
    """What a record's hash covers. Unkeyed records (written before the chain was keyed)
    keep exactly the content they were hashed with, so they still verify."""
    content = {
        "chain": record.chain,
        "seq": record.seq,
        # In UTC, as it reads back from the database: a record made under a clock frozen at
        # a local time (+08:00) must hash the same before and after storing.
        "at": record.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": record.actor_id,
        "actor_label": record.actor_label,
        "action": record.action,
        "object_type": record.object_type,
        "object_id": record.object_id,
        "area_path": record.area_path,
        "purpose": record.purpose,
        "request_id": record.request_id,
        "fields": list(record.fields or []),
    }
    if record.key_id:
        content["key_id"] = record.key_id
        content["client_request_id"] = record.client_request_id
    return content


def unkeyed_seal_matches(*, chain: int, seq: int, hash: str, seal: str) -> bool:
    """Whether ``seal`` is the sealing migration's HMAC of (chain, seq, hash) under any
    known key."""
    message = f"{UNKEYED_SEAL_LABEL}|{chain}|{seq}|{hash}".encode()
    return any(hmac.compare_digest(k.mac(message), seal) for k in known_keys().values())
