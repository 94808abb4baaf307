"""Who is responsible (routing rules, the ladder up) and by when (clock policies)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from lifeline.core.errors import ServiceError
from lifeline.registry.models import Unit
from lifeline.workorders.models import Category, Priority, RoutingRule, SlaPolicyVersion, SlaTarget

# The supervision ladder above the grid (grid workers are staff of the community committee).
LADDER = [
    Unit.Kind.COMMUNITY_COMMITTEE,
    Unit.Kind.STREET_OFFICE,
    Unit.Kind.DISTRICT_BUREAU,
    Unit.Kind.COMMAND_CENTRE,
]

# Used only when the active policy has no target for a category and priority.
PRIORITY_FACTORS = {1: 0.25, 2: 0.5, 3: 1.0, 4: 2.0}


def ancestor_paths(path: str) -> list[str]:
    """``/a/b/c/`` -> ``['/a/b/c/', '/a/b/', '/a/']``, deepest first."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[:n]) + "/" for n in range(len(parts), 0, -1)]


def unit_of_kind_near(kind: str, area_path: str, *, exclude: int | None = None) -> Unit | None:
    """The unit of ``kind`` serving the deepest area on the way up from ``area_path``."""
    ancestors = ancestor_paths(area_path)
    rows = (
        Unit.objects.filter(kind=kind, areas__path__in=ancestors)
        .exclude(pk=exclude or 0)
        .values_list("pk", "areas__path")
    )
    best = sorted(rows, key=lambda row: (-len(row[1]), row[0]))
    return Unit.objects.get(pk=best[0][0]) if best else None


def route(*, category: Category, area_path: str) -> Unit:
    """The responsible unit: the deepest matching rule (a category rule beats an
    any-category rule at the same area), else the category's handler kind up the tree,
    else the nearest community committee (or higher) up the tree."""
    ancestors = ancestor_paths(area_path)
    rules = list(
        RoutingRule.objects.filter(active=True, area_path__in=ancestors).filter(
            category__in=[category]
        )
        | RoutingRule.objects.filter(active=True, area_path__in=ancestors, category__isnull=True)
    )
    if rules:
        rules.sort(key=lambda r: (-len(r.area_path), r.category_id is None))
        return rules[0].unit
    kinds = [category.handler_kind] if category.handler_kind else []
    for kind in [*kinds, *LADDER]:
        unit = unit_of_kind_near(kind, area_path)
        if unit is not None:
            return unit
    raise ServiceError(
        _(
            "No unit is responsible for this kind of request here; ask the command centre to "
            "add a routing rule."
        ),
        code="no_route",
    )


def next_unit_up(unit: Unit, area_path: str) -> Unit | None:
    """The unit one step up the ladder for an order at ``area_path``.

    Administrative units climb the ladder by kind (the unit of the next kind whose areas
    include an ancestor of the place); other units (utility teams, hospitals) go to their
    parent unit, and without one to the administrative ladder from the bottom.
    """
    if unit.kind in LADDER:
        for kind in LADDER[LADDER.index(Unit.Kind(unit.kind)) + 1 :]:
            found = unit_of_kind_near(kind, area_path, exclude=unit.pk)
            if found is not None:
                return found
        return unit.parent
    if unit.parent is not None:
        return unit.parent
    for kind in LADDER:
        found = unit_of_kind_near(kind, area_path, exclude=unit.pk)
        if found is not None:
            return found
    return None


@dataclass(frozen=True)
class ClockTarget:
    version: SlaPolicyVersion | None
    response_minutes: int
    resolution_minutes: int
    warning_percent: int = 80
    pause_statuses: tuple[str, ...] = field(default=("resolved",))

    def due(self, start: dt.datetime) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
        """Response due, resolution due, and the moment the warning fires."""
        response = start + dt.timedelta(minutes=self.response_minutes)
        resolution = start + dt.timedelta(minutes=self.resolution_minutes)
        warn = start + dt.timedelta(minutes=self.resolution_minutes * self.warning_percent / 100)
        return response, resolution, warn


def active_policy() -> SlaPolicyVersion | None:
    return SlaPolicyVersion.objects.filter(active=True).first()


def clock_target(*, category: Category, priority: int) -> ClockTarget:
    version = active_policy()
    target = (
        SlaTarget.objects.filter(version=version, category=category, priority=priority).first()
        if version
        else None
    )
    if target is not None:
        return ClockTarget(
            version,
            target.response_minutes,
            target.resolution_minutes,
            target.warning_percent,
            tuple(target.pause_statuses or ()),
        )
    factor = PRIORITY_FACTORS.get(priority, 1.0)
    return ClockTarget(
        version,
        max(5, round(category.response_minutes * factor)),
        max(30, round(category.resolution_minutes * factor)),
    )


def raised_priority(*, base: int, vulnerable: bool, medical: bool) -> int:
    version = active_policy()
    steps = 0
    if vulnerable:
        steps += version.vulnerable_steps if version else 1
    if medical:
        steps += version.medical_steps if version else 1
    return max(int(Priority.CRITICAL), base - steps)
