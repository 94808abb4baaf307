"""Work-order figures by area, rolled up the tree: for one area, a row per child area
(district -> street -> community -> grid) and a total row for the area itself.

One aggregate query per view, bounded by the area (``area_path`` prefix, on its index) and
the period, grouped by the orders' own ``area_path``; the groups (at most one per place
below the area, not one per order) are summed up to the children here. Counts add up;
rates are computed from the summed counts, never averaged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, Sum

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import scope_for, scoped
from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.registry.models import Area
from lifeline.registry.tree import ancestor_paths
from lifeline.workorders.models import OPEN_STATUSES, Status, WorkOrder

COUNTS = (
    "total",
    "open",
    "responded_on_time",
    "response_due",
    "resolved_on_time",
    "resolution_due",
    "rated",
    "rating_sum",
)


@dataclass
class RollupRow:
    """The figures of one area (``area`` None: orders at the parent area itself)."""

    area: Area | None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    has_children: bool = False

    def add(self, row: Mapping[str, Any]) -> None:
        for name in COUNTS:
            self.counts[name] += int(row.get(name) or 0)

    @property
    def total(self) -> int:
        return self.counts["total"]

    @property
    def open(self) -> int:
        return self.counts["open"]

    @property
    def response_rate(self) -> float | None:
        return _rate(self.counts["responded_on_time"], self.counts["response_due"])

    @property
    def on_time_resolution_rate(self) -> float | None:
        return _rate(self.counts["resolved_on_time"], self.counts["resolution_due"])

    @property
    def satisfaction(self) -> float | None:
        rated = self.counts["rated"]
        return round(self.counts["rating_sum"] / rated, 2) if rated else None


@dataclass
class Rollup:
    parent: Area | None
    trail: list[Area]
    total: RollupRow
    rows: list[RollupRow]


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def default_parent(actor: Actor) -> Area | None:
    """The highest area the actor sees work orders in (the city for the command centre);
    for staff seeing orders only through their unit, the top of the tree."""
    paths = scope_for(actor).grant(Perm.WORKORDER_VIEW).area_paths
    if paths:
        return Area.objects.filter(path__in=paths).order_by("depth", "path").first()
    return Area.objects.filter(parent__isnull=True).order_by("path").first()


def workorder_area_rollup(
    *, actor: Actor, parent: Area | None, since: dt.datetime | None = None
) -> Rollup:
    """Figures for ``parent`` and for each of its child areas, in the actor's scope."""
    now = clock.now()
    qs = scoped(WorkOrder.objects.exclude(status=Status.CANCELLED), actor, Perm.WORKORDER_VIEW)
    if parent is not None:
        qs = qs.filter(area_path__startswith=parent.path)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    groups = qs.values("area_path").annotate(
        total=Count("id"),
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        responded_on_time=Count("id", filter=Q(responded_at__lte=F("due_response_at"))),
        response_due=Count(
            "id", filter=Q(responded_at__isnull=False) | Q(due_response_at__lte=now)
        ),
        resolved_on_time=Count("id", filter=Q(resolved_at__lte=F("due_resolution_at"))),
        resolution_due=Count(
            "id", filter=Q(resolved_at__isnull=False) | Q(due_resolution_at__lte=now)
        ),
        rated=Count("id", filter=Q(satisfaction__isnull=False)),
        rating_sum=Sum("satisfaction"),
    )
    depth = parent.depth + 1 if parent is not None else 0
    children = Area.objects.filter(depth=depth)
    if parent is not None:
        children = children.filter(parent=parent)
    rows = {a.path: RollupRow(a) for a in children.order_by("code", "path")}
    total, here = RollupRow(parent), RollupRow(None)
    for group in groups:
        total.add(group)
        above = ancestor_paths(group["area_path"])
        child_path = above[depth] if len(above) > depth else ""
        (rows.get(child_path) or here).add(group)
    with_children = set(
        Area.objects.filter(parent__path__in=list(rows)).values_list("parent__path", flat=True)
    )
    for path, row in rows.items():
        row.has_children = path in with_children
    shown = [r for r in rows.values() if r.total]
    if here.total:
        shown.append(here)
    trail = (
        list(Area.objects.filter(path__in=ancestor_paths(parent.path)).order_by("depth"))
        if parent is not None
        else []
    )
    return Rollup(parent=parent, trail=trail, total=total, rows=shown)


def area_trail_labels(paths: list[str]) -> dict[str, list[Area]]:
    """Each path with its areas from the top (for labelling a place by its whole path)."""
    wanted = {p for path in paths for p in ancestor_paths(path)}
    areas = {a.path: a for a in Area.objects.filter(path__in=wanted)}
    return {path: [areas[p] for p in ancestor_paths(path) if p in areas] for path in paths}
