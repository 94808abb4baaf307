"""The area tree and the unit ladder: the one home of every walk over them.

Areas form a tree (city > district > street > community > grid) whose ``path`` holds the
codes from the top ("/city/district/.../"); units (the community committee, the street
office, a utility's team ...) serve areas and may have a parent unit. Every app asks here:

- ``ancestor_paths(path)``: the path and those above it, top first;
- ``district_path(path)``: the district a place lies in;
- ``area_get(actor=, pk=, perm=)``: one area by id, inside the actor's scope (cached);
- ``breadcrumbs(actor=, area=)``: the trail down to an area, as far up as the actor sees;
- ``units_below(unit_ids)``: each unit with the units under it (scoping uses this);
- ``LADDER``, ``unit_of_kind_near`` and ``next_unit_up``: who is one step up from a unit
  for something at a place (escalation of work orders and pass applications).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.utils.functional import Promise

from lifeline.accounts.scoping import ANY, require, scope_for, scoped
from lifeline.core.actors import Actor
from lifeline.core.config_cache import KeyedCache
from lifeline.core.errors import NotFound
from lifeline.registry.models import Area, Unit

# The supervision ladder above the grid (grid workers are staff of the community committee).
LADDER: list[str] = [
    Unit.Kind.COMMUNITY_COMMITTEE,
    Unit.Kind.STREET_OFFICE,
    Unit.Kind.DISTRICT_BUREAU,
    Unit.Kind.COMMAND_CENTRE,
]


def ancestor_paths(path: str, *, deepest_first: bool = False) -> list[str]:
    """``/a/b/c/`` -> ``['/a/', '/a/b/', '/a/b/c/']`` (reversed with ``deepest_first``)."""
    parts = [p for p in path.split("/") if p]
    paths = ["/" + "/".join(parts[: n + 1]) + "/" for n in range(len(parts))]
    return paths[::-1] if deepest_first else paths


def district_path(path: str) -> str:
    """The district of a path: the second level of the tree (city > district)."""
    above = ancestor_paths(path)
    return above[1] if len(above) >= 2 else ""


# Areas by id, per process, until an area changes (registry/apps.py). Intake looks one up
# on every request; the boundary (large, rarely needed) is left to load on first use.
AREAS_STAMP = "registry.areas"
_AREA_FIELDS = tuple(f.attname for f in Area._meta.concrete_fields if f.name != "boundary")
_areas: KeyedCache[tuple[Any, ...]] = KeyedCache(AREAS_STAMP, max_entries=50_000)


def _load_area(pk: Any) -> tuple[Any, ...] | None:
    return Area.objects.filter(pk=pk).values_list(*_AREA_FIELDS).first()


def area_get(
    *,
    actor: Actor,
    pk: Any,
    perm: str | None = None,
    missing: str | Promise | None = None,
    denied: str | Promise | None = None,
) -> Area:
    """The area ``pk`` when a membership of the actor covers it (NotFound otherwise, with
    ``missing`` as the message); with ``perm``, PermissionDenied (with ``denied``) unless
    that permission holds there."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise NotFound(missing) if missing else NotFound() from None
    row = _areas.get(key, _load_area)
    if row is None:
        raise NotFound(missing) if missing else NotFound()
    area = Area.from_db("default", _AREA_FIELDS, row)
    if not scope_for(actor).covers_path(area.path):
        raise NotFound(missing) if missing else NotFound()
    if perm is not None:
        require(actor, perm, path=area.path, message=denied)
    return area


def breadcrumbs(*, actor: Actor, area: Area) -> list[Area]:
    """``area`` and its ancestors from the highest one the actor may see, top first.

    Ancestors above the actor's own subtree are left out: a grid worker's trail starts
    at the grid, so the page shows no area the actor may not open.
    """
    qs = Area.objects.filter(path__in=ancestor_paths(area.path))
    return list(scoped(qs, actor, ANY).order_by("depth"))


def units_below(unit_ids: Iterable[int]) -> dict[int, set[int]]:
    """Each of ``unit_ids`` with the units under it (its own id included)."""
    roots = list(unit_ids)
    if not roots:
        return {}
    # Units number in the thousands at most: one query for the whole forest beats a
    # query per level of it.
    children: dict[int, list[int]] = {}
    for unit_id, parent_id in Unit.objects.exclude(parent=None).values_list("id", "parent_id"):
        if parent_id is not None:
            children.setdefault(parent_id, []).append(unit_id)
    result: dict[int, set[int]] = {}
    for root in roots:
        seen, frontier = {root}, [root]
        while frontier:
            frontier = [c for u in frontier for c in children.get(u, ()) if c not in seen]
            seen.update(frontier)
        result[root] = seen
    return result


def unit_of_kind_near(kind: str, area_path: str, *, exclude: int | None = None) -> Unit | None:
    """The unit of ``kind`` serving the deepest area on the way up from ``area_path`` (the
    lowest id among several at the same depth)."""
    qs = Unit.objects.filter(kind=kind, areas__path__in=ancestor_paths(area_path))
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs.order_by("-areas__depth", "pk").first()


Near = Callable[..., "Unit | None"]


def next_unit_up(unit: Unit, area_path: str, *, near: Near = unit_of_kind_near) -> Unit | None:
    """The unit one step up from ``unit`` for something at ``area_path``; None at the top.

    Administrative units climb the ladder by kind (the unit of the next kind serving the
    place or an area above it), and past its top go to their parent unit. Any other unit
    (a utility's team, a hospital) goes to its parent unit; a unit without a parent goes
    to the ladder from the bottom, so nothing escalated is ever left with no one above.
    ``near`` finds a unit of a kind near the place (workorders passes its cached routing
    table; the default asks the database)."""
    if unit.kind in LADDER:
        for kind in LADDER[LADDER.index(unit.kind) + 1 :]:
            found = near(kind, area_path, exclude=unit.pk)
            if found is not None:
                return found
        return unit.parent
    if unit.parent is not None:
        return unit.parent
    for kind in LADDER:
        found = near(kind, area_path, exclude=unit.pk)
        if found is not None:
            return found
    return None
