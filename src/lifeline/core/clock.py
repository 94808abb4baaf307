"""One injectable clock: every SLA, validity window and test window reads ``now()``.

Tests move time with ``frozen_at(dt)``; nothing else in the code calls ``timezone.now``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

from django.utils import timezone

_frozen: list[dt.datetime] = []


def now() -> dt.datetime:
    return _frozen[-1] if _frozen else timezone.now()


def today() -> dt.date:
    return timezone.localdate(now())


@contextlib.contextmanager
def frozen_at(moment: dt.datetime) -> Iterator[None]:
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    _frozen.append(moment)
    try:
        yield
    finally:
        _frozen.pop()
