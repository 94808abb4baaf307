"""Reads that may be slightly old go to a streaming replica; everything else to the primary.

With ``DATABASE_REPLICA_URL`` set, ``DATABASES`` gets a second alias, ``replica``. Nothing
reads from it unless a selector or view says it can live with data a moment old, by
``@reads_replica`` (lists, dashboards, reports). Even then the primary answers:

- inside a transaction on the primary (a service reading what it is about to change);
- for a request that writes (any method but GET, HEAD, OPTIONS), and for the same browser
  for ``LIFELINE_REPLICA_PIN_SECONDS`` after it wrote (a cookie): a user sees their own
  write on the next page even when the replica has not replayed it yet;
- while the replica is more than ``LIFELINE_REPLICA_MAX_LAG`` seconds behind (measured at
  most every few seconds per process, not per query).

Without a replica the router answers nothing and Django uses ``default``, as before.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
PRIMARY = "default"
PIN_COOKIE = "lifeline_primary"
_LAG_CHECK_SECONDS = 5.0

log = logging.getLogger(__name__)

_stale_ok: contextvars.ContextVar[bool] = contextvars.ContextVar("stale_ok", default=False)
_pinned: contextvars.ContextVar[bool] = contextvars.ContextVar("pinned", default=False)

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Lag:
    """How far the replica is behind: seconds since the last replayed transaction while
    WAL is still waiting, and WAL bytes received but not replayed."""

    seconds: float
    bytes: int
    measured_at: float


_last_lag: Lag | None = None


def configured() -> bool:
    return REPLICA in settings.DATABASES


def _alias_for_read() -> str | None:
    if not _stale_ok.get() or _pinned.get() or not configured():
        return None
    if connections[PRIMARY].in_atomic_block:
        return None
    lag = replica_lag()
    if lag is None or lag.seconds > settings.LIFELINE_REPLICA_MAX_LAG:
        return None
    return REPLICA


class ReplicaRouter:
    """Django database router: see the module's docstring."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return _alias_for_read()

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # both aliases hold the same rows

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY


@contextmanager
def stale_reads() -> Iterator[None]:
    """Reads inside may come from the replica (when the rules above allow)."""
    token = _stale_ok.set(True)
    try:
        yield
    finally:
        _stale_ok.reset(token)


def reads_replica(fn: F) -> F:
    """Mark a selector or view whose reads may be a moment old. A queryset it returns is
    bound to the database chosen now, since it is evaluated after the call returns."""

    @functools.wraps(fn)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with stale_reads():
            result = fn(*args, **kwargs)
            alias = _alias_for_read()
        if alias and isinstance(result, QuerySet) and result._db is None:  # type: ignore[attr-defined]
            return result.using(alias)
        return result

    return cast(F, wrapped)


def measure_lag() -> Lag | None:
    """Ask the replica how far behind it is; None without a replica or when it does not
    answer. The time lag counts only while replayed WAL trails received WAL: a primary
    with nothing to write leaves an old replay time, not a lag."""
    if not configured():
        return None
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(),"
                " COALESCE(pg_wal_lsn_diff(pg_last_wal_receive_lsn(),"
                " pg_last_wal_replay_lsn()), 0),"
                " CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
                " ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END"
            )
            in_recovery, behind_bytes, seconds = cursor.fetchone()
    except DatabaseError:
        log.warning("replica lag: the replica did not answer", exc_info=True)
        return None
    if not in_recovery:  # promoted or misconfigured: not a replica of anything
        return None
    return Lag(float(seconds or 0), int(behind_bytes or 0), time.monotonic())


def replica_lag() -> Lag | None:
    """The last measure of the lag, taken again when older than a few seconds."""
    global _last_lag
    if _last_lag is None or time.monotonic() - _last_lag.measured_at > _LAG_CHECK_SECONDS:
        measured = measure_lag()
        _last_lag = measured or Lag(float("inf"), 0, time.monotonic())
    return None if _last_lag.seconds == float("inf") else _last_lag


class PinAfterWriteMiddleware:
    """Requests that write, and the same browser's requests for a few seconds after, read
    from the primary."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        writes = request.method not in ("GET", "HEAD", "OPTIONS")
        pinned = writes or _pin_valid(request.COOKIES.get(PIN_COOKIE, ""))
        token = _pinned.set(pinned)
        try:
            response = self.get_response(request)
        finally:
            _pinned.reset(token)
        if writes and configured():
            seconds = settings.LIFELINE_REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                f"{time.time() + seconds:.0f}",
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response


def _pin_valid(value: str) -> bool:
    try:
        return float(value) > time.time()
    except ValueError:
        return False
