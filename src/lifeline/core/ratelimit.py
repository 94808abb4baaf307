"""One rate limiter for every limit in the platform, shared by all processes.

A limit counts uses of a key (``login:user:42``, ``order:phone:<hash>``, ``idsearch:user:7``)
in fixed windows of ``period``. ``hit`` adds one use and says whether it was within the
limit; the count is one atomic upsert (``INSERT … ON CONFLICT DO UPDATE … RETURNING``), so
twenty threads or processes hitting the same key at once never get past it together.
``peek`` reads without counting (a login is refused while an account is locked out, and
the refusal itself is not counted again). Old windows are deleted by ``run_periodic``.

Keys never hold a personal value in clear: pass phones, addresses and ID numbers through
``key_digest`` first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction

from lifeline.core import clock
from lifeline.core.models import RateCounter

EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
# Counters older than this are deleted by the sweep; no limit may use a longer period.
KEEP = dt.timedelta(days=2)


@dataclass(frozen=True)
class Limit:
    """At most ``count`` uses of a key per ``period``."""

    count: int
    period: dt.timedelta


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    used: int
    limit: int
    retry_after: dt.timedelta

    @property
    def retry_after_seconds(self) -> int:
        return max(1, int(self.retry_after.total_seconds()))


def key_digest(value: str) -> str:
    """A keyed digest of a personal value, short enough for a counter key."""
    key = bytes.fromhex(settings.LOOKUP_HASH_KEY)
    return hmac.new(key, f"ratelimit|{value}".encode(), hashlib.sha256).hexdigest()[:32]


def _window(period: dt.timedelta, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    seconds = max(1, int(period.total_seconds()))
    elapsed = int((now - EPOCH).total_seconds())
    start = EPOCH + dt.timedelta(seconds=elapsed - elapsed % seconds)
    return start, start + dt.timedelta(seconds=seconds)


def hit(key: str, limit: Limit, *, cost: int = 1) -> Verdict:
    """Count ``cost`` uses of ``key`` now; ``allowed`` is False once the window is over the
    limit (the use is still counted, so hammering a closed door keeps it closed)."""
    now = clock.now()
    start, end = _window(limit.period, now)
    table = RateCounter._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, window_start, count) VALUES (%s, %s, %s) "  # noqa: S608
            f"ON CONFLICT (key, window_start) DO UPDATE SET count = {table}.count + %s "
            "RETURNING count",
            # As the ORM writes it: SQLite keeps text, and peek()/reset() must match it.
            [key[:200], connection.ops.adapt_datetimefield_value(start), cost, cost],
        )
        used = int(cursor.fetchone()[0])
    return Verdict(used <= limit.count, used, limit.count, end - now)


def peek(key: str, limit: Limit) -> Verdict:
    """The key's state in the current window, without counting a use."""
    now = clock.now()
    start, end = _window(limit.period, now)
    row = RateCounter.objects.filter(key=key[:200], window_start=start).values("count").first()
    used = row["count"] if row else 0
    return Verdict(used < limit.count, used, limit.count, end - now)


def reset(key: str) -> None:
    """Forget every window of ``key`` (an administrator unlocking an account)."""
    RateCounter.objects.filter(key=key[:200]).delete()


def run_periodic(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete counters whose windows ended long ago."""
    cutoff = (now or clock.now()) - KEEP
    deleted, _ = RateCounter.objects.filter(window_start__lt=cutoff).delete()
    return {"deleted": deleted}
