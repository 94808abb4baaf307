"""Continuity reads, scoped by the actor's memberships: a unit's duty desk (a membership of
its unit) sees its unit; the command centre (of the city) every unit of the city."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can, can_anywhere, scope_for, scoped
from lifeline.continuity.models import (
    SETTLED,
    CriticalRole,
    Figure,
    FigureKind,
    FigureReport,
    LifelineUnit,
    Problem,
    StaffReport,
    Threshold,
    days_of_cover,
)
from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.errors import NotFound
from lifeline.core.replica import reads_replica
from lifeline.registry import selectors as registry
from lifeline.registry.models import Area, AreaLevel, Unit

SERVED_LEVELS = (AreaLevel.CITY, AreaLevel.DISTRICT, AreaLevel.STREET, AreaLevel.COMMUNITY)


def lifeline_unit_list(*, actor: Actor, sector: str = "") -> QuerySet[LifelineUnit]:
    found = scoped(LifelineUnit.objects.all(), actor).select_related("unit", "area")
    return found.filter(sector=sector) if sector else found


def lifeline_unit_get(*, actor: Actor, unit_id: Any) -> LifelineUnit:
    try:
        wanted = int(unit_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    found = lifeline_unit_list(actor=actor).filter(pk=wanted).first()
    if found is None:
        raise NotFound()
    return found


@reads_replica
def problem_list(
    *, actor: Actor, lifeline_unit: LifelineUnit | None = None, open_only: bool = False
) -> QuerySet[Problem]:
    found = scoped(Problem.objects.all(), actor).select_related("lifeline_unit__unit", "work_order")
    if lifeline_unit is not None:
        found = found.filter(lifeline_unit=lifeline_unit)
    if open_only:
        found = found.exclude(work_order__status__in=SETTLED)
    return found


def problem_get(*, actor: Actor, problem_id: Any) -> Problem:
    try:
        wanted = int(problem_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    found = problem_list(actor=actor).filter(pk=wanted).first()
    if found is None:
        raise NotFound()
    return found


def threshold_list(*, actor: Actor, lifeline_unit: LifelineUnit) -> QuerySet[Threshold]:
    found = scoped(Threshold.objects.all(), actor).filter(figure__lifeline_unit=lifeline_unit)
    return found.select_related("figure").order_by("figure__sort_order", "figure_id", "pk")


def may_set_up(*, actor: Actor) -> bool:
    """Whether the actor sets lifeline units up anywhere (to show the link)."""
    return can_anywhere(actor, Perm.CONTINUITY_MANAGE)


def _manage_prefixes(actor: Actor) -> tuple[str, ...]:
    return scope_for(actor).grant(Perm.CONTINUITY_MANAGE).area_paths


def unit_choices(*, actor: Actor) -> QuerySet[Unit]:
    """Registry units serving an area where the actor sets lifeline units up, that are
    not lifeline units yet (read through the registry's ``unit_list``)."""
    prefixes = _manage_prefixes(actor)
    if not prefixes:
        return Unit.objects.none()
    ours = Unit.objects.none()
    for prefix in prefixes:
        ours = ours | registry.unit_list(actor=actor).filter(areas__path__startswith=prefix)
    taken = LifelineUnit.objects.values("unit_id")
    return ours.exclude(pk__in=taken).distinct().order_by("name", "pk")


def served_area_choices(*, actor: Actor) -> QuerySet[Area]:
    """The areas (city to community) a lifeline unit the actor sets up may supply."""
    prefixes = _manage_prefixes(actor)
    if not prefixes:
        return Area.objects.none()
    ours = Area.objects.none()
    for prefix in prefixes:
        ours = ours | registry.area_list(actor=actor).filter(path__startswith=prefix)
    return ours.filter(level__in=SERVED_LEVELS).order_by("path")


def figure_report_list(
    *, actor: Actor, lifeline_unit: LifelineUnit, limit: int = 100
) -> list[FigureReport]:
    found = scoped(FigureReport.objects.all(), actor).filter(figure__lifeline_unit=lifeline_unit)
    return list(
        found.select_related("figure", "reported_by").order_by("-reported_at", "-pk")[:limit]
    )


def staff_report_list(
    *, actor: Actor, lifeline_unit: LifelineUnit, limit: int = 100
) -> list[StaffReport]:
    found = scoped(StaffReport.objects.all(), actor).filter(role__lifeline_unit=lifeline_unit)
    return list(found.select_related("role").order_by("-reported_at", "-pk")[:limit])


def may_report(*, actor: Actor, lifeline_unit: LifelineUnit) -> bool:
    return can(actor, Perm.CONTINUITY_REPORT, unit_id=lifeline_unit.unit_id)


def may_manage(*, actor: Actor, lifeline_unit: LifelineUnit) -> bool:
    return can(actor, Perm.CONTINUITY_MANAGE, path=lifeline_unit.area_path)


@dataclass
class FigureLine:
    figure: Figure
    value: Decimal | None
    reported_at: Any
    overdue: bool
    days_of_cover: Decimal | None = None


@dataclass
class RoleLine:
    role: CriticalRole
    on_site: int | None
    short: bool


@dataclass
class UnitStatus:
    """A unit's board line: latest figures with days of cover, staffing, open problems."""

    unit: LifelineUnit
    figures: list[FigureLine] = field(default_factory=list)
    roles: list[RoleLine] = field(default_factory=list)
    open_problems: int = 0

    @property
    def least_cover(self) -> Decimal | None:
        covers = [f.days_of_cover for f in self.figures if f.days_of_cover is not None]
        return min(covers) if covers else None

    @property
    def short_roles(self) -> int:
        return sum(1 for r in self.roles if r.short)


def unit_status(*, units: list[LifelineUnit]) -> list[UnitStatus]:
    """The board lines of units the caller already holds (from ``lifeline_unit_list``)."""
    ids = [u.pk for u in units]
    now = clock.now()
    latest: dict[int, tuple[Decimal, Any]] = {}
    for report in (
        FigureReport.objects.filter(figure__lifeline_unit__in=ids)
        .order_by("figure_id", "-reported_at", "-pk")
        .values("figure_id", "value", "reported_at")
    ):
        latest.setdefault(report["figure_id"], (report["value"], report["reported_at"]))
    staffed: dict[int, int] = {}
    for row in (
        StaffReport.objects.filter(role__lifeline_unit__in=ids)
        .order_by("role_id", "-reported_at", "-pk")
        .values("role_id", "on_site")
    ):
        staffed.setdefault(row["role_id"], row["on_site"])
    open_counts: dict[int, int] = {}
    for pk in (
        Problem.objects.filter(lifeline_unit__in=ids)
        .exclude(work_order__status__in=SETTLED)
        .values_list("lifeline_unit_id", flat=True)
    ):
        open_counts[pk] = open_counts.get(pk, 0) + 1
    figures: dict[int, list[Figure]] = {}
    for figure in Figure.objects.filter(lifeline_unit__in=ids).order_by("sort_order", "pk"):
        figures.setdefault(figure.lifeline_unit_id, []).append(figure)
    roles: dict[int, list[CriticalRole]] = {}
    for role in CriticalRole.objects.filter(lifeline_unit__in=ids).order_by("name"):
        roles.setdefault(role.lifeline_unit_id, []).append(role)
    lines = []
    for unit in units:
        line = UnitStatus(unit=unit, open_problems=open_counts.get(unit.pk, 0))
        for figure in figures.get(unit.pk, []):
            value, at = latest.get(figure.pk, (None, None))
            cover = None
            if figure.kind == FigureKind.STOCK and figure.use_id:
                cover = days_of_cover(value, latest.get(figure.use_id, (None, None))[0])
            overdue = at is None or now > at + figure.period
            line.figures.append(FigureLine(figure, value, at, overdue, cover))
        for role in roles.get(unit.pk, []):
            on_site = staffed.get(role.pk)
            line.roles.append(
                RoleLine(role, on_site, on_site is not None and on_site < role.minimum)
            )
        lines.append(line)
    return lines
