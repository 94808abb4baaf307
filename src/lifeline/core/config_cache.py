"""Rows read on every request, kept in memory until they change.

Categories, routing rules, clock policies, the units' areas, API tokens, memberships and
areas change a few times a day but are read by nearly every request. A process keeps what
it built from them tagged with the *stamp* of their group (a ``ConfigStamp`` row); writers
of the underlying tables call ``bump`` (in the same transaction, from model signals), which
stores a new random stamp. Readers compare the current stamp with their tag and rebuild on
any difference.

A request reads all stamps once, in one query, at its first use of any cache (the stamps
are kept for the rest of the request; a request that bumps a stamp sees its own change).
Outside a request (workers, commands, tests) each use reads them afresh.

Random stamps rather than a counter: after a rolled-back transaction (or a test's
rollback) the table goes back to the old stamp, which still names exactly the state it was
built from, and two different states can never share a stamp. A missing stamp row (a new
or flushed database) is created by the first reader.
"""

from __future__ import annotations

import contextvars
import secrets
import threading
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from django.db import connection

from lifeline.core.models import ConfigStamp

T = TypeVar("T")
V = TypeVar("V")

_lock = threading.Lock()
_built: dict[str, tuple[int, Any]] = {}
_keyed: list[KeyedCache[Any]] = []
# The stamps read by the running request: None outside a request (read on every use).
_request_stamps: contextvars.ContextVar[dict[str, int] | None] = contextvars.ContextVar(
    "config_stamps", default=None
)


def request_started(**kwargs: Any) -> None:
    """Connected to Django's ``request_started``: stamps are read once per request."""
    _request_stamps.set({})


def request_finished(**kwargs: Any) -> None:
    _request_stamps.set(None)


def bump(name: str) -> None:
    """Mark ``name`` changed; call inside the transaction that changes its tables."""
    value = secrets.randbits(62)
    if not ConfigStamp.objects.filter(name=name).update(value=value):
        ConfigStamp.objects.update_or_create(name=name, defaults={"value": value})
    held = _request_stamps.get()
    if held:
        held[name] = value


def stamp(name: str) -> int:
    """The current stamp of ``name`` (as of this request's first read)."""
    held = _request_stamps.get()
    if held is None or not held:
        fresh = _read_all()
        if held is None:
            held = fresh
        else:
            held.update(fresh)
    value = held.get(name)
    if value is None:
        row, _ = ConfigStamp.objects.get_or_create(
            name=name, defaults={"value": secrets.randbits(62)}
        )
        value = held[name] = row.value
    return value


def _read_all() -> dict[str, int]:
    # Plain SQL: this runs on nearly every request.
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, value FROM core_configstamp")
        return {name: int(value) for name, value in cursor.fetchall()}


def cached(name: str, build: Callable[[], T]) -> T:
    """The value of ``build()`` for the current state of ``name``'s tables."""
    current = stamp(name)
    held = _built.get(name)
    if held is not None and held[0] == current:
        return held[1]  # type: ignore[no-any-return]
    value = build()
    with _lock:
        _built[name] = (current, value)
    return value


_MISSING = object()


class KeyedCache(Generic[V]):
    """Values looked up one key at a time (a token, an area), each kept with the stamp of
    ``name`` it was read under and used only while that stamp holds. Misses (None) are not
    kept, so unknown keys cannot fill it; past ``max_entries`` it starts again empty."""

    def __init__(self, name: str, *, max_entries: int = 20_000) -> None:
        self.name = name
        self.max_entries = max_entries
        self._values: dict[Hashable, tuple[int, V]] = {}
        _keyed.append(self)

    def get(self, key: Hashable, load: Callable[[Hashable], V | None]) -> V | None:
        current = stamp(self.name)
        held = self._values.get(key, _MISSING)
        if held is not _MISSING and held[0] == current:  # type: ignore[index]
            return held[1]  # type: ignore[index,no-any-return]
        value = load(key)
        if value is not None:
            if len(self._values) >= self.max_entries:
                self._values.clear()
            self._values[key] = (current, value)
        return value

    def clear(self) -> None:
        self._values.clear()


def forget_all() -> None:
    """Drop every built value (tests that rewrite tables behind the signals' back)."""
    with _lock:
        _built.clear()
        for cache in _keyed:
            cache.clear()
