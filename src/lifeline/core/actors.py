"""Who does something: a signed-in person, or the system itself with a stated reason.

Every service takes ``actor``. A person is the request's user (``accounts.User``). A sweep,
a scheduled task, a management command or any other write nobody clicked passes a
``SystemActor`` naming why ("escalation sweep", "policy sweep" ...): the audit records it
as "system" with that reason as the purpose, and timelines show "System: <reason>".
``actor=None`` is refused by nothing yet but is no longer written: pass ``system(...)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from django.utils.translation import gettext_lazy as _

SYSTEM_LABEL = "system"


@runtime_checkable
class Actor(Protocol):
    """What services read of an actor: identity, whether signed in, and a label."""

    @property
    def pk(self) -> Any: ...

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def is_active(self) -> bool: ...


@dataclass(frozen=True)
class SystemActor:
    """The system acting on its own, for ``reason`` (shown on timelines, kept in the audit).

    It holds no membership, so ``scoped``/``can`` give it nothing: a system write is
    allowed by the service calling it, never by a permission check."""

    reason: str

    pk = None
    id = None
    is_authenticated = False
    is_active = False
    is_staff = False
    is_superuser = False
    username = SYSTEM_LABEL

    def __str__(self) -> str:
        return SYSTEM_LABEL


def system(reason: str) -> SystemActor:
    """The system actor for ``reason`` (a short English phrase, e.g. "escalation sweep")."""
    return SystemActor(reason=reason)


def is_system(actor: Any) -> bool:
    return actor is None or isinstance(actor, SystemActor)


def reason_of(actor: Any) -> str:
    return actor.reason if isinstance(actor, SystemActor) else ""


def actor_label(actor: Any) -> str:
    """What a record stores as who did it: the username, or "system"."""
    if is_system(actor) or not getattr(actor, "is_authenticated", False):
        return SYSTEM_LABEL
    return str(getattr(actor, "username", "") or SYSTEM_LABEL)[:150]


def display_label(label: str) -> str:
    """A stored actor label as shown to people: "system" in the page's language."""
    return str(_("System")) if label in ("", SYSTEM_LABEL) else label


def user_of(actor: Actor | None) -> Any:
    """The signed-in user behind ``actor`` for a "done by" foreign key, or None for the
    system, a resident without an account, or anyone not signed in."""
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None
