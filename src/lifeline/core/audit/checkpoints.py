"""Signed checkpoints of the audit chain heads, written outside the database.

A checkpoint is one line of JSON: the time, every chain's head (id, seq, hash), and an
Ed25519 signature (key ``settings.AUDIT_SIGNING_KEY``) over the rest. Lines are appended to
``<settings.AUDIT_CHECKPOINT_DIR>/<database>.jsonl`` (one file per database, so the
benchmarks' and tests' databases never meet the real one's checkpoints), by the worker's
sweep every ``settings.AUDIT_CHECKPOINT_INTERVAL`` seconds when a head has moved, and by
``lifeline audit checkpoint``.

Each line is a signed statement "chain c had hash h at seq s". Whoever later rewrites a
chain, even with the chain key, contradicts every such statement made before, which is
what ``verify`` checks. The file only helps where the database's attacker cannot reach
it: in production it is copied off to another machine or to WORM storage.

Writers take an exclusive ``flock`` on the file, read the heads under it, and append one
line with one ``write`` on an ``O_APPEND`` descriptor, then ``fsync``: any number of
workers and threads leave whole lines, in the order of the heads they saw. Readers take a
shared lock only to learn how far the lines are whole. The file is made with mode 0600,
in a directory made with mode 0700.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from lifeline.core import clock

log = logging.getLogger(__name__)

FORMAT = 1
Heads = dict[int, tuple[int, str]]  # chain -> (seq, hash)


@dataclass(frozen=True)
class Checkpoint:
    at: dt.datetime
    heads: Heads
    where: str  # file:line, for reports


@dataclass(frozen=True)
class BadLine:
    where: str
    reason: str


# Keys --------------------------------------------------------------------------------------


def signing_key() -> Ed25519PrivateKey:
    try:
        return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(settings.AUDIT_SIGNING_KEY))
    except ValueError as exc:
        raise ImproperlyConfigured(
            "LIFELINE_AUDIT_SIGNING_KEY must be 32 bytes in hex (64 characters)"
        ) from exc


def public_key_hex(key: Ed25519PublicKey) -> str:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def trusted_public_keys() -> dict[str, Ed25519PublicKey]:
    """Keys whose checkpoints count: this installation's own and the listed earlier ones."""
    own = signing_key().public_key()
    trusted = {public_key_hex(own): own}
    for value in settings.AUDIT_TRUSTED_PUBLIC_KEYS:
        try:
            trusted[value.lower()] = Ed25519PublicKey.from_public_bytes(bytes.fromhex(value))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"LIFELINE_AUDIT_TRUSTED_PUBLIC_KEYS: not an Ed25519 public key: {value!r}"
            ) from exc
    return trusted


# Writing -----------------------------------------------------------------------------------


def checkpoint_path() -> Path:
    """This database's checkpoint file."""
    name = str(connection.settings_dict.get("NAME") or "default")
    if connection.vendor == "sqlite":
        name = Path(name).name
    label = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{connection.vendor}-{name}")[:120]
    return Path(settings.AUDIT_CHECKPOINT_DIR) / f"{label}.jsonl"


def checkpoint_write(*, now: dt.datetime, due_after: float | None = None) -> Checkpoint | None:
    """Append a signed checkpoint of every chain head; returns it.

    With ``due_after`` (seconds), only when a head has moved since the file's last
    checkpoint and that one is at least that old; returns None when nothing was written.
    """
    path = checkpoint_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with _locked(path, fcntl.LOCK_EX, write=True) as fd:
        # Read under the lock, so that lines follow each other in the chains' own order.
        heads = chain_heads()
        if due_after is not None:
            if not heads:
                return None
            last = _last_checkpoint(fd, path)
            if last is not None and (
                last.heads == heads or (now - last.at).total_seconds() < due_after
            ):
                return None
        at = now.astimezone(dt.UTC).replace(microsecond=0)
        line = _signed_line(at, heads)
        written = os.write(fd, line)
        if written != len(line):  # a full disk; never leave half a line unfinished
            os.write(fd, b"\n")
            raise OSError(f"audit checkpoint not written whole to {path}")
        os.fsync(fd)
    return Checkpoint(at=at, heads=heads, where=str(path))


def run_periodic(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The worker's sweep: a checkpoint when one is due. Safe from several workers."""
    written = checkpoint_write(now=now or clock.now(), due_after=settings.AUDIT_CHECKPOINT_INTERVAL)
    return {"written": int(written is not None), "chains": len(written.heads) if written else 0}


def chain_heads() -> Heads:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT id, last_seq, last_hash FROM core_auditchain WHERE last_seq > 0 ORDER BY id"
        )
        return {int(c): (int(s), str(h)) for c, s, h in cur.fetchall()}


def _signed_line(at: dt.datetime, heads: Heads) -> bytes:
    key = signing_key()
    payload: dict[str, Any] = {
        "v": FORMAT,
        "db": checkpoint_path().stem,
        "at": at.isoformat(),
        "heads": [[c, s, h] for c, (s, h) in sorted(heads.items())],
        "key": public_key_hex(key.public_key()),
    }
    payload["sig"] = key.sign(_canonical(payload)).hex()
    return _canonical(payload) + b"\n"


def _canonical(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


@contextlib.contextmanager
def _locked(path: Path, how: int, *, write: bool) -> Iterator[int]:
    flags = os.O_CLOEXEC | (os.O_RDWR | os.O_APPEND | os.O_CREAT if write else os.O_RDONLY)
    fd = os.open(path, flags, 0o600)
    try:
        fcntl.flock(fd, how)
        if write and os.fstat(fd).st_mode & 0o777 != 0o600:
            os.fchmod(fd, 0o600)  # a file made by hand, or under another umask
        yield fd
    finally:
        os.close(fd)  # releases the lock


def _last_checkpoint(fd: int, path: Path) -> Checkpoint | None:
    """The file's last line, if it is a checkpoint this installation signed."""
    size = os.fstat(fd).st_size
    block = 65536
    while True:
        start = max(0, size - block)
        tail = os.pread(fd, size - start, start).rstrip(b"\n")
        if b"\n" in tail or start == 0:
            break
        block *= 4
    if not tail:
        return None
    parsed = _parse(tail.rsplit(b"\n", 1)[-1], f"{path}:last", trusted_public_keys())
    if isinstance(parsed, BadLine):
        # A bad last line must not stop checkpoints: a new, good one follows it.
        log.warning("audit checkpoint file %s: last line refused: %s", path, parsed.reason)
        return None
    return parsed


# Reading -----------------------------------------------------------------------------------


def read_checkpoints(paths: Sequence[Path]) -> tuple[list[Checkpoint], list[BadLine]]:
    """Every checkpoint in ``paths`` whose signature verifies under a trusted key, and
    every line that is not one (unreadable, forged, or signed by an unknown key)."""
    good: list[Checkpoint] = []
    bad: list[BadLine] = []
    for item in iter_checkpoints(paths):
        if isinstance(item, BadLine):
            bad.append(item)
        else:
            good.append(item)
    return good, bad


def iter_checkpoints(paths: Sequence[Path]) -> Iterator[Checkpoint | BadLine]:
    """``read_checkpoints`` one line at a time, in file order (files are years long)."""
    trusted = trusted_public_keys()
    for path in paths:
        # The size is read under the lock, so no line is half written up to it; the rest
        # is read without the lock, so a long verify never holds up the worker's writes.
        with _locked(path, fcntl.LOCK_SH, write=False) as fd:
            size = os.fstat(fd).st_size
        with path.open("rb") as fh:
            read = 0
            for lineno, raw in enumerate(fh, start=1):
                read += len(raw)
                if read > size:
                    break
                if raw.strip():
                    yield _parse(raw.rstrip(b"\n"), f"{path}:{lineno}", trusted)


def _parse(raw: bytes, where: str, trusted: dict[str, Ed25519PublicKey]) -> Checkpoint | BadLine:
    try:
        payload = json.loads(raw)
        signature = bytes.fromhex(payload.pop("sig"))
        key = trusted.get(str(payload["key"]).lower())
        at = dt.datetime.fromisoformat(payload["at"])
        heads = {int(c): (int(s), str(h)) for c, s, h in payload["heads"]}
    except (ValueError, TypeError, KeyError, AttributeError):
        return BadLine(where, "unreadable checkpoint")
    if key is None:
        return BadLine(where, "checkpoint signed by an untrusted key")
    try:
        key.verify(signature, _canonical(payload))
    except InvalidSignature:
        return BadLine(where, "checkpoint signature does not verify")
    if at.tzinfo is None:
        return BadLine(where, "unreadable checkpoint")
    return Checkpoint(at=at, heads=heads, where=where)
