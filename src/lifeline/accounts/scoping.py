"""The one scoping mechanism: where an actor may do what, from their memberships only.

A membership grants its role's permissions (``lifeline.accounts.permissions``) inside its
area subtree and/or its unit (with the units below it), and nowhere else. ``scope_for(actor)``
holds, for every permission, the area prefixes and unit ids where it holds; it is read once
per process and kept until a membership, user, token or unit changes
(core/config_cache.py).

- ``scoped(qs, actor, perm)`` filters a queryset to the rows inside the grant of ``perm``.
  Without ``perm`` the model's own ``SCOPE_PERMISSION`` applies (a permission, or a tuple
  of permissions any of which will do). A model says where its rows are with an
  ``area_path`` field (or ``SCOPE_AREA_FIELD``) matched by prefix, and optionally
  ``SCOPE_UNIT_FIELD``, the unit responsible, matched against the grant's units.
  ``SCOPE_PUBLIC_TO_MEMBERS = True`` marks reference data any member may read.
- ``can(actor, perm, path=..., unit_id=...)`` answers for one place; ``require`` raises
  NotFound when the actor may not even see the place and PermissionDenied when they may
  see it but not do this; ``can_anywhere`` is for navigation (does the link show at all).

Everything fails closed: an anonymous or inactive actor, an actor without memberships, a
permission no membership grants, or a model that declares no permission gets nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import models

from lifeline.accounts.models import Membership
from lifeline.accounts.permissions import permissions_of
from lifeline.core.actors import Actor
from lifeline.core.config_cache import KeyedCache
from lifeline.core.errors import NotFound, PermissionDenied

M = TypeVar("M", bound=models.Model)

ANY = "*"  # any permission at all: the area tree, reference data
_CACHE_ATTR = "_lifeline_scope"
# Scopes by user id, per process, until the "accounts" stamp changes (accounts/apps.py).
_scopes: KeyedCache[Scope] = KeyedCache("accounts")


@dataclass(frozen=True)
class Grant:
    """Where one permission holds: area subtrees (path prefixes) and units."""

    area_paths: tuple[str, ...] = ()
    unit_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_empty(self) -> bool:
        return not self.area_paths and not self.unit_ids

    def covers_path(self, path: str) -> bool:
        return bool(path) and any(path.startswith(prefix) for prefix in self.area_paths)

    def covers(self, *, path: str = "", unit_id: int | None = None) -> bool:
        return self.covers_path(path) or (unit_id is not None and unit_id in self.unit_ids)

    def q(self, model: type[models.Model]) -> models.Q | None:
        """The filter for ``model``, or None when nothing of it is visible."""
        area_field = getattr(model, "SCOPE_AREA_FIELD", "area_path")
        unit_field = getattr(model, "SCOPE_UNIT_FIELD", None)
        condition = models.Q(pk__in=[])
        any_clause = False
        if area_field and _has_field(model, area_field):
            for prefix in self.area_paths:
                condition |= models.Q(**{f"{area_field}__startswith": prefix})
                any_clause = True
        if unit_field and self.unit_ids:
            condition |= models.Q(**{f"{unit_field}__in": sorted(self.unit_ids)})
            any_clause = True
        return condition if any_clause else None


_NOWHERE = Grant()


@dataclass(frozen=True)
class Scope:
    """Every permission of one actor with where it holds; ``ANY`` is the union of all."""

    grants: Mapping[str, Grant] = field(default_factory=dict)
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_empty(self) -> bool:
        return self.grant(ANY).is_empty

    @property
    def area_paths(self) -> tuple[str, ...]:
        """The area subtrees of all memberships (the area tree the actor may walk)."""
        return self.grant(ANY).area_paths

    @property
    def unit_ids(self) -> frozenset[int]:
        return self.grant(ANY).unit_ids

    def covers_path(self, path: str) -> bool:
        """True when some membership covers ``path`` (whatever it grants there)."""
        return self.grant(ANY).covers_path(path)

    def grant(self, perm: str | Iterable[str]) -> Grant:
        """Where ``perm`` holds (for several permissions: where any of them holds)."""
        if isinstance(perm, str):
            return self.grants.get(perm, _NOWHERE)
        found = [self.grants[p] for p in perm if p in self.grants]
        if len(found) <= 1:
            return found[0] if found else _NOWHERE
        return Grant(
            _minimal_prefixes([p for g in found for p in g.area_paths]),
            frozenset().union(*(g.unit_ids for g in found)),
        )

    def can(self, perm: str | Iterable[str], *, path: str = "", unit_id: int | None = None) -> bool:
        return self.grant(perm).covers(path=path, unit_id=unit_id)

    def anywhere(self, perm: str | Iterable[str]) -> bool:
        return not self.grant(perm).is_empty


def _has_field(model: type[models.Model], name: str) -> bool:
    head = name.split("__", 1)[0]
    try:
        model._meta.get_field(head)
    except Exception:
        return False
    return True


def _minimal_prefixes(paths: Iterable[str]) -> tuple[str, ...]:
    """Drop paths already covered by an ancestor, so filters stay short."""
    kept: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return tuple(sorted(kept))


def scope_for(actor: Actor | None) -> Scope:
    """The actor's scope: cached on the actor object for the request, and per process
    until a membership, user, token or unit changes (the "accounts" stamp)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return Scope()
    cached: Scope | None = getattr(actor, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    scope = _scopes.get(actor.pk, _load_scope) or Scope()
    setattr(actor, _CACHE_ATTR, scope)
    return scope


def _load_scope(user_id: Any) -> Scope:
    rows = list(
        Membership.objects.filter(user_id=user_id, active=True).values_list(
            "role", "area__path", "unit_id"
        )
    )
    below = _units_below([unit for _, _, unit in rows if unit])
    paths: dict[str, list[str]] = {}
    units: dict[str, set[int]] = {}
    for role, path, unit in rows:
        perms = permissions_of(role)
        for perm in (*perms, ANY) if perms else ():
            if path:
                paths.setdefault(perm, []).append(path)
            if unit:
                units.setdefault(perm, set()).update(below[unit])
    grants = {
        perm: Grant(_minimal_prefixes(paths.get(perm, ())), frozenset(units.get(perm, ())))
        for perm in set(paths) | set(units)
    }
    return Scope(grants=grants, roles=frozenset(role for role, _, _ in rows))


# Where the units under a unit come from: the unit tree lives in the registry, above this
# layer, which registers its walk when the apps are ready (registry/apps.py). Until then,
# or without it, a unit membership covers that unit alone (failing closed).
UnitTree = Callable[[list[int]], dict[int, set[int]]]
_unit_tree: UnitTree | None = None


def register_unit_tree(walk: UnitTree) -> None:
    """Install the walk that gives each unit with the units below it."""
    global _unit_tree
    _unit_tree = walk


def _units_below(unit_ids: list[int]) -> dict[int, set[int]]:
    if not unit_ids:
        return {}
    if _unit_tree is None:
        return {unit: {unit} for unit in unit_ids}
    return _unit_tree(unit_ids)


def forget_scope(actor: Actor | None) -> None:
    if hasattr(actor, _CACHE_ATTR):
        delattr(actor, _CACHE_ATTR)


def model_permission(model: type[models.Model]) -> str | tuple[str, ...] | None:
    return getattr(model, "SCOPE_PERMISSION", None)


def scoped(
    qs: models.QuerySet[M], actor: Actor | None, perm: str | Iterable[str] | None = None
) -> models.QuerySet[M]:
    """``qs`` restricted to where ``actor`` holds ``perm`` (default: the model's own
    ``SCOPE_PERMISSION``). Fails closed."""
    scope = scope_for(actor)
    if scope.is_empty:
        return qs.none()
    if perm is None and getattr(qs.model, "SCOPE_PUBLIC_TO_MEMBERS", False):
        return qs
    wanted = perm if perm is not None else model_permission(qs.model)
    if wanted is None:
        return qs.none()
    condition = scope.grant(wanted).q(qs.model)
    if condition is None:
        return qs.none()
    return qs.filter(condition)


def can(
    actor: Actor | None, perm: str | Iterable[str], *, path: str = "", unit_id: int | None = None
) -> bool:
    """True when a membership granting ``perm`` covers the place (area path or unit)."""
    return scope_for(actor).can(perm, path=path, unit_id=unit_id)


def can_anywhere(actor: Actor | None, perm: str | Iterable[str]) -> bool:
    """True when some membership grants ``perm`` somewhere (to show a page or a link)."""
    return scope_for(actor).anywhere(perm)


def require(
    actor: Actor | None,
    perm: str | Iterable[str],
    *,
    path: str = "",
    unit_id: int | None = None,
    message: Any = None,
) -> None:
    """Refuse unless ``perm`` holds at the place: NotFound when no membership of the actor
    covers the place at all (nothing leaks about what exists there), PermissionDenied
    when one does but grants something else."""
    scope = scope_for(actor)
    if scope.can(perm, path=path, unit_id=unit_id):
        return
    if not scope.can(ANY, path=path, unit_id=unit_id):
        raise NotFound()
    raise PermissionDenied(message) if message else PermissionDenied()


def get_for(
    qs: models.QuerySet[M],
    actor: Actor | None,
    perm: str | Iterable[str],
    *,
    missing: Any = None,
    denied: Any = None,
    place: Callable[[Any], str] | None = None,
    **lookup: Any,
) -> M:
    """The one object of ``qs`` matching ``lookup``, for something that needs ``perm`` at
    its place: NotFound (with ``missing`` as the message) unless a membership of the
    actor covers the object's place, PermissionDenied when one does but none covering it
    grants ``perm`` (with ``denied`` as the message). ``place`` gives the object's area
    path (default: its ``area_path``, or ``path`` for an area)."""
    obj = scoped(qs, actor, ANY).filter(**lookup).first()
    if obj is None:
        raise NotFound(missing) if missing else NotFound()
    where = place(obj) if place else str(getattr(obj, "area_path", "") or getattr(obj, "path", ""))
    unit_field = getattr(type(obj), "SCOPE_UNIT_FIELD", None)
    unit_id = getattr(obj, f"{unit_field}_id", None) if unit_field else None
    require(actor, perm, path=where, unit_id=unit_id, message=denied)
    return obj
