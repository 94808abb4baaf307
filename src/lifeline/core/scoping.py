"""The one scoping mechanism: what an actor may see, from their memberships only.

``scope_for(actor)`` is the actor's active memberships: the area subtrees (as path
prefixes) and the units (with their descendants). It is read once per process and kept
until a membership, user, token or unit changes (core/config_cache.py). ``scoped(qs, actor)``
filters any queryset whose model declares where its place is:

- ``area_path`` field (every registry row, work order, test...), matched by prefix;
- ``SCOPE_UNIT_FIELD`` (optional), the unit responsible, matched against the actor's units;
- ``SCOPE_PUBLIC_TO_MEMBERS = True`` for reference data (units) that every actor with any
  membership may read.

It fails closed: an anonymous actor, an actor with no membership, or a model that declares
neither field gets an empty queryset. Selectors, pages and endpoints all go through here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import models

from lifeline.core.config_cache import KeyedCache

M = TypeVar("M", bound=models.Model)

_CACHE_ATTR = "_lifeline_scope"
# Scopes by user id, per process, until the "accounts" stamp changes (accounts/apps.py).
_scopes: KeyedCache[Scope] = KeyedCache("accounts")


@dataclass(frozen=True)
class Scope:
    area_paths: tuple[str, ...] = ()
    unit_ids: frozenset[int] = field(default_factory=frozenset)
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_empty(self) -> bool:
        return not self.area_paths and not self.unit_ids

    def covers_path(self, path: str) -> bool:
        return any(path.startswith(prefix) for prefix in self.area_paths)

    def q(self, model: type[models.Model]) -> models.Q | None:
        """The filter for ``model``, or None when nothing of it is visible."""
        area_field = getattr(model, "SCOPE_AREA_FIELD", "area_path")
        unit_field = getattr(model, "SCOPE_UNIT_FIELD", None)
        has_area = area_field and _has_field(model, area_field)
        condition = models.Q(pk__in=[])
        any_clause = False
        if has_area:
            for prefix in self.area_paths:
                condition |= models.Q(**{f"{area_field}__startswith": prefix})
                any_clause = True
        if unit_field and self.unit_ids:
            condition |= models.Q(**{f"{unit_field}__in": sorted(self.unit_ids)})
            any_clause = True
        return condition if any_clause else None


def _has_field(model: type[models.Model], name: str) -> bool:
    head = name.split("__", 1)[0]
    try:
        model._meta.get_field(head)
    except Exception:
        return False
    return True


def _minimal_prefixes(paths: list[str]) -> tuple[str, ...]:
    """Drop paths already covered by an ancestor, so filters stay short."""
    kept: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return tuple(sorted(kept))


def scope_for(actor: Any) -> Scope:
    """The actor's scope: cached on the actor object for the request, and per process
    until a membership, user, token or unit changes (the "accounts" stamp)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return Scope()
    cached = getattr(actor, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    scope = _scopes.get(actor.pk, _load_scope) or Scope()
    setattr(actor, _CACHE_ATTR, scope)
    return scope


def _load_scope(user_id: Any) -> Scope:
    from lifeline.accounts.models import Membership
    from lifeline.registry.models import Unit

    rows = list(
        Membership.objects.filter(user_id=user_id, active=True).values_list(
            "role", "area__path", "unit_id"
        )
    )
    roles = frozenset(role for role, _, _ in rows)
    paths = [path for _, path, _ in rows if path]
    unit_ids = {unit for _, _, unit in rows if unit}
    if unit_ids:
        # Units number in the thousands at most: one query for the whole forest beats a
        # query per level of it.
        children: dict[int, list[int]] = {}
        for unit_id, parent_id in Unit.objects.exclude(parent=None).values_list("id", "parent"):
            if parent_id is not None:
                children.setdefault(parent_id, []).append(unit_id)
        frontier = list(unit_ids)
        while frontier:
            descendants = [c for u in frontier for c in children.get(u, ()) if c not in unit_ids]
            unit_ids.update(descendants)
            frontier = descendants
    return Scope(area_paths=_minimal_prefixes(paths), unit_ids=frozenset(unit_ids), roles=roles)


def forget_scope(actor: Any) -> None:
    if hasattr(actor, _CACHE_ATTR):
        delattr(actor, _CACHE_ATTR)


def scoped(qs: models.QuerySet[M], actor: Any) -> models.QuerySet[M]:
    """``qs`` restricted to what ``actor`` may see. Fails closed."""
    scope = scope_for(actor)
    if scope.is_empty:
        return qs.none()
    if getattr(qs.model, "SCOPE_PUBLIC_TO_MEMBERS", False):
        return qs
    condition = scope.q(qs.model)
    if condition is None:
        return qs.none()
    return qs.filter(condition)


def can_see_path(actor: Any, path: str) -> bool:
    return scope_for(actor).covers_path(path)


def has_role(actor: Any, *roles: str) -> bool:
    return bool(scope_for(actor).roles & set(roles))
