"""The screening lists of an area and their counts: not tested today, not compliant,
pending recheck, yellow code, staying home; recheck tasks; the entry points of the lists.

Whatever names or counts people needs ``screening.view`` at the area asked for (404 when
no membership covers it, 403 when one does without it: ``registry.tree.area_get``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import scope_for, scoped
from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.errors import ServiceError
from lifeline.core.replica import reads_replica
from lifeline.health import selectors as health
from lifeline.health.models import HealthStatus
from lifeline.health.vocab import CodeColour
from lifeline.registry.models import Area, AreaLevel, Person
from lifeline.registry.tree import area_get
from lifeline.screening.models import Compliance, RecheckTask
from lifeline.screening.permissions import DENIED

VIEW = Perm.SCREENING_VIEW
# What a refusal says of an area no membership of the actor covers.
NO_AREA = _("No such area.")
# The lists read from compliance rows (the API offers these).
LIST_KINDS = ("not_tested_today", "not_compliant", "pending_recheck")
# The lists the pages offer: those, and the lists read from health statuses.
STATUS_LIST_KINDS = ("yellow_code", "staying_home")
PAGE_LIST_KINDS = (*LIST_KINDS, *STATUS_LIST_KINDS)


def root_areas(*, actor: Actor) -> list[Area]:
    """The top areas where the actor holds ``screening.view`` (their lists' entry points)."""
    paths = scope_for(actor).grant(VIEW).area_paths
    return list(Area.objects.filter(path__in=paths).order_by("path"))


def within(qs: QuerySet[Any], area: Area) -> QuerySet[Any]:
    """Rows of ``area``: a grid filter uses the (grid, ...) indexes (compliance has no path
    index); higher levels use the path prefix."""
    if area.level == AreaLevel.GRID:
        return qs.filter(grid_id=area.pk)
    return qs.filter(area_path__startswith=area.path)


@reads_replica
def screening_list(
    *, actor: Actor, area_id: int, kind: str, today: dt.date | None = None
) -> QuerySet[Person]:
    """People of the area on one list: not tested today, not compliant, pending recheck.

    People with no compliance row have never had a negative test, so they are on the first
    two lists. Callers show masked fields only.
    """
    if kind not in LIST_KINDS:
        raise ServiceError(_("Unknown list."), fields={"kind": [str(_("Unknown."))]})
    area = area_get(actor=actor, pk=area_id, perm=VIEW, missing=NO_AREA, denied=DENIED)
    today = today or clock.today()
    people = within(scoped(Person.objects.all(), actor, VIEW), area)
    rows = within(Compliance.objects.all(), area)
    if kind == "pending_recheck":
        return people.filter(pk__in=rows.filter(pending_recheck=True).values("person_id"))
    if kind == "not_tested_today":
        ok = rows.filter(last_tested_on=today)
    else:
        ok = rows.filter(compliant_until__gte=today)
    return people.exclude(pk__in=ok.values("person_id")).order_by("household_id", "pk")


def screening_counts(
    *, actor: Actor, area_id: int, today: dt.date | None = None
) -> list[dict[str, Any]]:
    """The area and each child area with people, tested today, compliant, pending recheck,
    rolled up the tree from per-grid counts."""
    area = area_get(actor=actor, pk=area_id, perm=VIEW, missing=NO_AREA, denied=DENIED)
    today = today or clock.today()
    people = dict(
        within(scoped(Person.objects.all(), actor, VIEW), area)
        .values_list("grid_id")
        .annotate(n=Count("pk"))
        .values_list("grid_id", "n")
    )
    per_grid = {
        row["grid_id"]: row
        for row in within(scoped(Compliance.objects.all(), actor, VIEW), area)
        .values("grid_id")
        .annotate(
            tested=Count("pk", filter=Q(last_tested_on=today)),
            compliant=Count("pk", filter=Q(compliant_until__gte=today)),
            pending=Count("pk", filter=Q(pending_recheck=True)),
        )
    }
    grid_paths = dict(
        Area.objects.filter(pk__in=set(people) | set(per_grid)).values_list("pk", "path")
    )
    children = list(scoped(Area.objects.filter(parent=area), actor, VIEW).order_by("path"))
    buckets: dict[str, dict[str, int]] = defaultdict(
        lambda: {"people": 0, "tested_today": 0, "compliant": 0, "pending_recheck": 0}
    )
    targets = [area.path] + [c.path for c in children]
    for grid_id, path in grid_paths.items():
        counts = per_grid.get(grid_id, {})
        for target in targets:
            if path.startswith(target):
                bucket = buckets[target]
                bucket["people"] += people.get(grid_id, 0)
                bucket["tested_today"] += counts.get("tested", 0)
                bucket["compliant"] += counts.get("compliant", 0)
                bucket["pending_recheck"] += counts.get("pending", 0)
    out = []
    for node in [area, *children]:
        b = buckets[node.path]
        out.append(
            {
                "area_id": node.pk,
                "name": node.name,
                "level": node.level,
                **b,
                "not_tested_today": b["people"] - b["tested_today"],
                "not_compliant": b["people"] - b["compliant"],
            }
        )
    return out


# Lists read from health statuses --------------------------------------------------------------


def _statuses(kind: str) -> QuerySet[HealthStatus]:
    """The statuses in force that put a person on a status list: a yellow code, or what
    keeps a person at home (a red code, home quarantine or monitoring: their household is
    supported there by the grid's worker)."""
    if kind == "yellow_code":
        return health.statuses_in_force().filter(colour=CodeColour.YELLOW)
    return health.staying_home()


def status_list(*, actor: Actor, area_id: int, kind: str) -> QuerySet[Person]:
    """People of the area on a status list (``STATUS_LIST_KINDS``), by household: yellow
    code (they sample at yellow-code sessions, apart from everyone else), staying home."""
    if kind not in STATUS_LIST_KINDS:
        raise ServiceError(_("Unknown list."), fields={"kind": [str(_("Unknown."))]})
    area = area_get(actor=actor, pk=area_id, perm=VIEW, missing=NO_AREA, denied=DENIED)
    statuses = _statuses(kind).filter(area_path__startswith=area.path)
    return (
        scoped(Person.objects.filter(area_path__startswith=area.path), actor, VIEW)
        .filter(pk__in=statuses.values("person_id"))
        .order_by("household_id", "pk")
    )


def yellow_code_list(*, actor: Actor, area_id: int) -> QuerySet[Person]:
    """People of the area whose code in force is yellow."""
    return status_list(actor=actor, area_id=area_id, kind="yellow_code")


def staying_home_list(*, actor: Actor, area_id: int) -> QuerySet[Person]:
    """People of the area who must stay home (a positive test's people among them)."""
    return status_list(actor=actor, area_id=area_id, kind="staying_home")


def status_counts(*, actor: Actor, area: Area, rows: list[dict[str, Any]]) -> None:
    """Add ``yellow_code`` and ``staying_home`` to rows of ``screening_counts`` (the area
    and its children)."""
    area_paths = dict(
        Area.objects.filter(pk__in=[row["area_id"] for row in rows]).values_list("pk", "path")
    )
    for kind in STATUS_LIST_KINDS:
        per_grid = dict(
            scoped(_statuses(kind).filter(area_path__startswith=area.path), actor, VIEW)
            .values_list("person__grid_id")
            .annotate(n=Count("pk"))
            .values_list("person__grid_id", "n")
        )
        paths = dict(Area.objects.filter(pk__in=list(per_grid)).values_list("pk", "path"))
        for row in rows:
            prefix = area_paths.get(row["area_id"], "\0")
            row[kind] = sum(n for g, n in per_grid.items() if paths[g].startswith(prefix))


# Recheck tasks ----------------------------------------------------------------------------------


def recheck_list(*, actor: Actor, area_id: int, status: str = "") -> QuerySet[RecheckTask]:
    area = area_get(actor=actor, pk=area_id, perm=VIEW, missing=NO_AREA, denied=DENIED)
    qs = scoped(RecheckTask.objects.select_related("person", "source_tube"), actor, VIEW)
    qs = qs.filter(area_path__startswith=area.path)
    return qs.filter(status=status) if status else qs
