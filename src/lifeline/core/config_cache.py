"""Configuration read on every request, kept in memory until it changes.

Categories, routing rules, clock policies and the units' areas change a few times a day
but are read for every work order. A process keeps one built value per name, tagged with
the stamp it was built under; writers of the underlying tables call ``bump`` (in the same
transaction, from model signals), which stores a new random stamp. Readers compare one
single-row read with their tag and rebuild on any difference.

Random stamps rather than a counter: after a rolled-back transaction (or a test's
rollback) the table goes back to the old stamp, which still names exactly the state it was
built from, and two different states can never share a stamp. A missing stamp row (a new
or flushed database) is created by the first reader.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from lifeline.core.models import ConfigStamp

T = TypeVar("T")

_lock = threading.Lock()
_built: dict[str, tuple[int, Any]] = {}


def bump(name: str) -> None:
    """Mark ``name`` changed; call inside the transaction that changes its tables."""
    value = secrets.randbits(62)
    if not ConfigStamp.objects.filter(name=name).update(value=value):
        ConfigStamp.objects.update_or_create(name=name, defaults={"value": value})


def cached(name: str, build: Callable[[], T]) -> T:
    """The value of ``build()`` for the current state of ``name``'s tables."""
    stamp = ConfigStamp.objects.filter(name=name).values_list("value", flat=True).first()
    if stamp is None:
        row, _ = ConfigStamp.objects.get_or_create(
            name=name, defaults={"value": secrets.randbits(62)}
        )
        stamp = row.value
    held = _built.get(name)
    if held is not None and held[0] == stamp:
        return held[1]  # type: ignore[no-any-return]
    value = build()
    with _lock:
        _built[name] = (stamp, value)
    return value


def forget_all() -> None:
    """Drop every built value (tests that rewrite tables behind the signals' back)."""
    with _lock:
        _built.clear()
