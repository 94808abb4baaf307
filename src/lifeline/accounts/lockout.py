"""Failed log-ins and bad API tokens, counted in the shared rate limiter (``core.ratelimit``),
so every app server and worker process sees the same counts.

- Staff log-in (the login page and the admin's): ``LIFELINE_LOGIN_FAILURES_PER_USER``
  wrong passwords for one username within a ``LIFELINE_LOGIN_WINDOW_MINUTES`` window lock
  that username, and ``LIFELINE_LOGIN_FAILURES_PER_ADDRESS`` from one client address lock
  that address, until the window ends. While locked, no password is checked, not even the
  right one, and the refusal is not counted again. A username that names nobody is counted
  and locked the same way, so the answer never tells whether an account exists.
- API tokens (the JSON API and Open311's ``api_key``): ``LIFELINE_TOKEN_FAILURES_PER_ADDRESS``
  unknown or revoked tokens from one address within the window answer 429 until it ends. A
  valid token is never refused by this limit: tokens carry 256 random bits, so the limit
  is against probing and noise in the audit log, not guessing, and a client sharing an
  address with a prober keeps working.

Each failure and each lock leaves an audit record: the user's id when the username names
an account, else nothing of the username; never a password; of a token, at most its
public prefix. Counter keys hold keyed digests of usernames and addresses, never the
values. ``login_unlock`` (``lifeline unlock``, the user admin's action) lifts a lock.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import ngettext

from lifeline.accounts.models import User
from lifeline.accounts.services import TOKEN_PREFIX, TOKEN_PREFIX_LENGTH
from lifeline.core import ratelimit
from lifeline.core.actors import Actor
from lifeline.core.audit import AuditEntry, audit_log_many
from lifeline.core.ratelimit import Limit, key_digest

USER = "user"
ADDRESS = "address"
TOKEN = "token"


@dataclass(frozen=True)
class Refusal:
    """Why an attempt is refused, and for how long."""

    reason: str  # USER, ADDRESS or TOKEN
    retry_after: dt.timedelta

    @property
    def retry_after_seconds(self) -> int:
        return max(1, math.ceil(self.retry_after.total_seconds()))

    def message(self) -> str:
        minutes = max(1, math.ceil(self.retry_after.total_seconds() / 60))
        if self.reason == USER:
            text = ngettext(
                "This account is locked after too many failed log-ins. Try again in "
                "%(minutes)d minute, or ask an administrator to unlock it.",
                "This account is locked after too many failed log-ins. Try again in "
                "%(minutes)d minutes, or ask an administrator to unlock it.",
                minutes,
            )
        elif self.reason == ADDRESS:
            text = ngettext(
                "Too many failed log-ins from your network address. Try again in "
                "%(minutes)d minute.",
                "Too many failed log-ins from your network address. Try again in "
                "%(minutes)d minutes.",
                minutes,
            )
        else:
            text = ngettext(
                "Too many invalid API tokens from your network address. Try again in "
                "%(minutes)d minute.",
                "Too many invalid API tokens from your network address. Try again in "
                "%(minutes)d minutes.",
                minutes,
            )
        return text % {"minutes": minutes}


def client_address(request: HttpRequest | None) -> str:
    # REMOTE_ADDR only, as the resident form: a forwarded header is the client's to forge
    # unless a trusted proxy rewrites it, and the proxy's address is then what this holds.
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.LIFELINE_LOGIN_WINDOW_MINUTES)


def _user_limit() -> Limit:
    return Limit(settings.LIFELINE_LOGIN_FAILURES_PER_USER, _window())


def _address_limit() -> Limit:
    return Limit(settings.LIFELINE_LOGIN_FAILURES_PER_ADDRESS, _window())


def _token_limit() -> Limit:
    return Limit(settings.LIFELINE_TOKEN_FAILURES_PER_ADDRESS, _window())


def _account(username: str) -> User | None:
    return User.objects.filter(username=username).first() if username else None


def _user_key(username: str, user: User | None) -> str:
    if user is not None:
        return f"login:user:{user.pk}"
    return f"login:name:{key_digest(username)}"


def _address_key(kind: str, address: str) -> str:
    return f"{kind}:addr:{key_digest(address)}"


def _refused_by(key: str, limit: Limit, reason: str) -> Refusal | None:
    verdict = ratelimit.peek(key, limit)
    return None if verdict.allowed else Refusal(reason, verdict.retry_after)


def login_refusal(*, username: str, address: str) -> Refusal | None:
    """A lock standing against this username or address, checked before any password."""
    refusal = _refused_by(_user_key(username, _account(username)), _user_limit(), USER)
    if refusal is None and address:
        refusal = _refused_by(_address_key("login", address), _address_limit(), ADDRESS)
    return refusal


def _account_entry(action: str, user: User | None, purpose: str) -> AuditEntry:
    if user is None:
        return AuditEntry(action, purpose=purpose)
    return AuditEntry(action, object_type="accounts.user", object_id=user.pk, purpose=purpose)


def login_failure_record(
    *, actor: Actor | None = None, username: str, address: str, channel: str
) -> Refusal | None:
    """Count one wrong password and audit it (``login.failed``); the failure that reaches
    a limit also audits ``login.locked``, once per lock even under concurrent attempts.

    Returns the lock now standing, if any. ``actor`` is the system (nobody is logged in):
    the forms pass ``system("login lockout")``; ``None`` is read the same way.
    """
    user = _account(username)
    entries = [_account_entry("login.failed", user, channel)]
    refusal: Refusal | None = None
    with transaction.atomic():
        limit = _user_limit()
        verdict = ratelimit.hit(_user_key(username, user), limit)
        if verdict.used == limit.count:
            entries.append(_account_entry("login.locked", user, channel))
        if not verdict.allowed or verdict.used == limit.count:
            refusal = Refusal(USER, verdict.retry_after)
        if address:
            limit = _address_limit()
            verdict = ratelimit.hit(_address_key("login", address), limit)
            if verdict.used == limit.count:
                entries.append(AuditEntry("login.locked", purpose=f"{channel}; address"))
            if refusal is None and (not verdict.allowed or verdict.used == limit.count):
                refusal = Refusal(ADDRESS, verdict.retry_after)
        audit_log_many(actor=actor, entries=entries)
    return refusal


def login_unlock(*, actor: Actor | None, username: str = "", address: str = "") -> bool:
    """Lift the log-in lock of ``username`` and/or the log-in and token limits of
    ``address``; audited (``login.unlock``). False when the username names nobody."""
    user = _account(username)
    if username and user is None:
        return False
    entries: list[AuditEntry] = []
    with transaction.atomic():
        if user is not None:
            ratelimit.reset(_user_key(username, user))
            entries.append(_account_entry("login.unlock", user, "account"))
        if address:
            ratelimit.reset(_address_key("login", address))
            ratelimit.reset(_address_key("token", address))
            entries.append(AuditEntry("login.unlock", purpose="address"))
        if entries:
            audit_log_many(actor=actor, entries=entries)
    return True


def token_refusal(*, address: str) -> Refusal | None:
    """The limit standing against bad tokens from ``address``, if reached."""
    if not address:
        return None
    return _refused_by(_address_key("token", address), _token_limit(), TOKEN)


def token_failure_record(
    *, actor: Actor | None = None, plain: str, address: str, channel: str
) -> Refusal | None:
    """Count one unknown or revoked token from ``address`` and audit it (``token.failed``,
    with the token's public prefix when it has our shape, never more); reaching the limit
    also audits ``token.throttled``. Returns the limit now standing, if any."""
    prefix = plain[:TOKEN_PREFIX_LENGTH] if plain.startswith(TOKEN_PREFIX) else ""
    purpose = f"{channel}; prefix {prefix}" if prefix else channel
    entries = [AuditEntry("token.failed", object_type="accounts.apitoken", purpose=purpose)]
    refusal: Refusal | None = None
    with transaction.atomic():
        if address:
            limit = _token_limit()
            verdict = ratelimit.hit(_address_key("token", address), limit)
            if verdict.used == limit.count:
                entries.append(AuditEntry("token.throttled", purpose=channel))
            if not verdict.allowed or verdict.used == limit.count:
                refusal = Refusal(TOKEN, verdict.retry_after)
        audit_log_many(actor=actor, entries=entries)
    return refusal
