"""Account writes: API tokens and memberships. Each runs in one transaction and audits.

The system itself (``core.actors.system(reason)``: a management command run by an operator
with shell access to the server; ``None`` is still read the same way) may do anything here;
every other actor is checked here, not by the caller.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from lifeline.accounts.models import ApiToken, Membership, Role, User
from lifeline.accounts.permissions import Perm, permissions_of
from lifeline.accounts.scoping import can_anywhere, forget_scope, require, scope_for
from lifeline.core import clock
from lifeline.core.actors import Actor, is_system
from lifeline.core.audit import audit_log
from lifeline.core.config_cache import KeyedCache
from lifeline.core.errors import NotFound, PermissionDenied, ServiceError

TOKEN_PREFIX = "ll_"
TOKEN_PREFIX_LENGTH = 10
# A token's last use is written at most this often, so a busy machine client does not
# turn every read into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def _is_system_or_admin(actor: Actor) -> bool:
    if is_system(actor):
        return True
    if getattr(actor, "is_superuser", False):
        return True
    return can_anywhere(actor, Perm.ACCOUNTS_MANAGE)


def _may_grant(actor: Actor, role: str, area: Any, unit: Any) -> None:
    """Staff with ``Perm.MEMBERSHIP_GRANT`` grant area memberships inside that grant, and
    only of a role whose every permission they hold there themselves: nobody hands out
    more than they have."""
    if unit is not None or area is None or role == Role.ADMIN:
        raise PermissionDenied(_("Your role may not grant this membership."))
    require(
        actor,
        Perm.MEMBERSHIP_GRANT,
        path=area.path,
        message=_("Your role may not grant this membership."),
    )
    scope = scope_for(actor)
    if not all(scope.can(perm, path=area.path) for perm in permissions_of(role)):
        raise PermissionDenied(_("You may not grant a role with more rights than your own."))


def token_hash(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


def token_create(*, actor: Actor, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a machine token for ``user``; the plain token is returned once, never stored.

    Only the user themself, an administrator or the system may create it.
    """
    if not _is_system_or_admin(actor) and getattr(actor, "pk", None) != user.pk:
        raise PermissionDenied(_("You may only create tokens for yourself."))
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ServiceError(
            _("A token needs a name of at most 100 characters."),
            fields={"name": [_("A name is required.")]},
        )
    if not user.is_active:
        raise ServiceError(_("This user is not active."), code="inactive")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, prefix=plain[:TOKEN_PREFIX_LENGTH], token_hash=token_hash(plain)
        )
        audit_log(actor=actor, action="token.create", obj=token, fields=["name"])
    return token, plain


def token_revoke(*, actor: Actor, prefix: str) -> ApiToken:
    """Revoke the one live token whose prefix is ``prefix``; refuses when it is ambiguous."""
    candidates = ApiToken.objects.filter(prefix=prefix.strip(), revoked_at__isnull=True)
    if not _is_system_or_admin(actor):
        candidates = candidates.filter(user_id=actor.pk)
    with transaction.atomic():
        found = list(candidates.select_for_update()[:2])
        if not found:
            raise NotFound(_("No live token has this prefix."))
        if len(found) > 1:
            raise ServiceError(_("Several tokens share this prefix."), code="ambiguous")
        token = found[0]
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
        audit_log(actor=actor, action="token.revoke", obj=token)
    return token


@dataclass
class _LiveToken:
    token_id: int
    user_fields: tuple[str, ...]
    user_values: tuple[Any, ...]
    last_used_at: dt.datetime | None


# Live tokens by hash, with their user's row, kept per process until a token, user,
# membership or unit changes (the "accounts" stamp; accounts/apps.py).
ACCESS_STAMP = "accounts"
_live_tokens: KeyedCache[_LiveToken] = KeyedCache(ACCESS_STAMP)


def _load_token(digest: Any) -> _LiveToken | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=digest, revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    names = tuple(f.attname for f in User._meta.concrete_fields)
    values = tuple(getattr(token.user, name) for name in names)
    return _LiveToken(token.pk, names, values, token.last_used_at)


def token_authenticate(*, plain: str) -> User | None:
    """The active user owning the live token ``plain``, or None. Touches ``last_used_at``.

    Each call returns a fresh ``User`` (requests may annotate it), built from the process's
    copy of the row; a revoked token or a deactivated user is refused by the next request
    in every process, because revoking or deactivating bumps the stamp of that copy.
    """
    if not plain.startswith(TOKEN_PREFIX):
        return None
    live = _live_tokens.get(token_hash(plain), _load_token)
    if live is None:
        return None
    now = clock.now()
    if live.last_used_at is None or live.last_used_at < now - LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=live.token_id).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
        live.last_used_at = now
    return User.from_db("default", live.user_fields, live.user_values)


def membership_grant(
    *, actor: Actor, user: User, role: str, area: Any = None, unit: Any = None
) -> Membership:
    """Give ``user`` a role over an area subtree and/or a unit.

    Administrators (and the system) grant anything; command, district, street and community
    staff grant area memberships inside their own subtree, never the admin role.
    """
    if role not in Role.values:
        raise ServiceError(_("Unknown role."), fields={"role": [_("Unknown.")]})
    if area is None and unit is None:
        raise ServiceError(
            _("A membership needs an area or a unit."),
            fields={"area": [_("An area or a unit is required.")]},
        )
    if not _is_system_or_admin(actor):
        _may_grant(actor, role, area, unit)
    with transaction.atomic():
        membership = Membership.objects.create(user=user, role=role, area=area, unit=unit)
        audit_log(
            actor=actor,
            action="membership.grant",
            obj=membership,
            area_path=area.path if area else "",
            fields=["role", "area" if area else "unit"],
        )
    forget_scope(user)
    return membership


def membership_revoke(*, actor: Actor, membership: Membership) -> Membership:
    """Deactivate a membership (kept for the record); same permission rule as granting."""
    area = membership.area
    if not _is_system_or_admin(actor):
        if membership.unit_id is not None or area is None:
            raise PermissionDenied(_("Your role may not revoke this membership."))
        require(
            actor,
            Perm.MEMBERSHIP_GRANT,
            path=area.path,
            message=_("Your role may not revoke this membership."),
        )
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.active:
            locked.active = False
            locked.save(update_fields=["active"])
            audit_log(
                actor=actor,
                action="membership.revoke",
                obj=locked,
                area_path=area.path if area else "",
                fields=["active"],
            )
    forget_scope(membership.user)
    return locked
