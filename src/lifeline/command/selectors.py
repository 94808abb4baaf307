"""The command centre's reads. The dashboard reads the counters (``AreaFigure``), the
area tree and the alerts: never a domain table, whatever the size of the city. Daily
reports and review meetings are read here too; an action's status is its work order's,
read through the work orders' selector."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import get_for, scope_for, scoped
from lifeline.command.catalogue import Figure, figures
from lifeline.command.models import (
    Alert,
    AlertRule,
    AreaFigure,
    DailyReport,
    ReviewAction,
    ReviewMeeting,
)
from lifeline.command.naming import area_titles
from lifeline.core.actors import Actor
from lifeline.core.replica import reads_replica
from lifeline.registry.models import Area
from lifeline.registry.tree import area_get, breadcrumbs
from lifeline.workorders.models import WorkOrder
from lifeline.workorders.selectors import workorder_list

SERIES_DAYS = 14


@dataclass(frozen=True)
class Tile:
    figure: Figure
    today: int | None
    yesterday: int | None

    @property
    def delta(self) -> int | None:
        if self.today is None or self.yesterday is None:
            return None
        return self.today - self.yesterday

    @property
    def trend(self) -> str:
        """ "up", "down" or "same"."""
        delta = self.delta or 0
        return "up" if delta > 0 else "down" if delta < 0 else "same"

    @property
    def verdict(self) -> str:
        """ "good", "bad" or "" (no change), by the figure's ``higher_is_better``."""
        if self.trend == "same" or self.figure.higher_is_better is None:
            return ""
        return "good" if (self.trend == "up") == self.figure.higher_is_better else "bad"

    @property
    def shown(self) -> str:
        return self.figure.show(self.today)

    @property
    def delta_shown(self) -> str:
        if self.delta is None:
            return ""
        text = self.figure.show(abs(self.delta))
        return ("+" if self.delta > 0 else "−" if self.delta < 0 else "±") + text


@dataclass(frozen=True)
class ChildRow:
    area: Area
    title: str
    value: int | None
    shown: str


def dashboard_area(*, actor: Actor, pk: Any) -> Area:
    """The area ``pk`` where the actor may see the dashboard (NotFound/PermissionDenied)."""
    return area_get(actor=actor, pk=pk, perm=Perm.COMMAND_VIEW)


def top_area_for(*, actor: Actor) -> Area | None:
    """The highest area of the actor's memberships that show the dashboard."""
    paths = scope_for(actor).grant(Perm.COMMAND_VIEW).area_paths
    if not paths:
        return None
    return Area.objects.filter(path__in=paths).order_by("depth", "path").first()


def _values(paths: Sequence[str], days: Sequence[dt.date]) -> dict[tuple[str, dt.date, str], int]:
    rows = AreaFigure.objects.filter(area_path__in=list(paths), day__in=list(days))
    return {(p, d, k): v for p, d, k, v in rows.values_list("area_path", "day", "key", "value")}


def _value(figure: Figure, found: dict[Any, int], place: tuple[str, dt.date]) -> int | None:
    value = found.get((*place, figure.key))
    if value is None and not figure.is_ratio:
        return 0  # a count with no row is zero (the refresh writes no zero rows)
    return value


def figure_values(
    paths: Sequence[str], days: Sequence[dt.date]
) -> dict[tuple[str, dt.date, str], int]:
    """The stored counters of ``paths`` on ``days``, by (path, day, key), in one query."""
    return _values(paths, days) if paths else {}


def figure_value(figure: Figure, found: dict[Any, int], path: str, day: dt.date) -> int | None:
    """One figure's value from ``figure_values``: a count with no row is 0, a ratio None."""
    return _value(figure, found, (path, day))


@reads_replica
def area_tiles(*, area: Area, day: dt.date) -> list[Tile]:
    """Every figure of the area for ``day`` beside the day before (one query)."""
    before = day - dt.timedelta(days=1)
    found = _values([area.path], [day, before])
    return [
        Tile(f, _value(f, found, (area.path, day)), _value(f, found, (area.path, before)))
        for f in figures()
    ]


@reads_replica
def children_rows(*, area: Area, day: dt.date, figure: Figure) -> list[ChildRow]:
    """The area's children with one figure of ``day`` each, named with their parents."""
    children = list(Area.objects.filter(parent=area).order_by("code"))
    paths = [c.path for c in children]
    found = _values(paths, [day]) if paths else {}
    titles = area_titles(paths)
    rows = []
    for child in children:
        value = _value(figure, found, (child.path, day))
        rows.append(ChildRow(child, titles.get(child.path, child.name), value, figure.show(value)))
    return rows


@reads_replica
def own_row(*, area: Area, day: dt.date, figure: Figure) -> ChildRow:
    """The area itself as a row (the map of a grid, which has no areas below it)."""
    found = _values([area.path], [day])
    value = _value(figure, found, (area.path, day))
    title = area_titles([area.path]).get(area.path, area.name)
    return ChildRow(area, title, value, figure.show(value))


@reads_replica
def children_table(*, area: Area, day: dt.date) -> tuple[list[Area], dict[str, dict[str, Any]]]:
    """The children and every figure of each for ``day`` (for exports and the API)."""
    children = list(Area.objects.filter(parent=area).order_by("code"))
    found = _values([c.path for c in children], [day]) if children else {}
    table = {c.path: {f.key: _value(f, found, (c.path, day)) for f in figures()} for c in children}
    return children, table


@reads_replica
def series(*, area: Area, figure: Figure, last: dt.date, days: int = SERIES_DAYS) -> list[Any]:
    """``(day, value)`` for the ``days`` days up to ``last`` (a count with no row is 0)."""
    first = last - dt.timedelta(days=days - 1)
    rows = dict(
        AreaFigure.objects.filter(
            area_path=area.path, key=figure.key, day__gte=first, day__lte=last
        ).values_list("day", "value")
    )
    out = []
    for n in range(days):
        day = first + dt.timedelta(days=n)
        value = rows.get(day)
        out.append((day, value if value is not None or figure.is_ratio else 0))
    return out


def trail(*, actor: Actor, area: Area) -> list[Area]:
    return breadcrumbs(actor=actor, area=area)


@reads_replica
def alert_list(
    *, actor: Actor, area: Area | None = None, open_only: bool = True
) -> QuerySet[Alert]:
    qs = scoped(Alert.objects.select_related("rule", "rule__unit"), actor, Perm.COMMAND_VIEW)
    if area is not None:
        qs = qs.filter(area_path__startswith=area.path)
    if open_only:
        qs = qs.filter(acknowledged_at__isnull=True)
    return qs.order_by("-raised_at", "-id")


def alert_get(*, actor: Actor, pk: Any) -> Alert:
    return get_for(Alert.objects.select_related("rule"), actor, Perm.COMMAND_VIEW, pk=pk)


def rule_list(*, actor: Actor, area: Area | None = None) -> QuerySet[AlertRule]:
    qs = scoped(AlertRule.objects.select_related("unit"), actor, Perm.COMMAND_VIEW)
    if area is not None:
        qs = qs.filter(area_path__startswith=area.path)
    return qs.filter(active=True)


def rule_get(*, actor: Actor, pk: Any) -> AlertRule:
    return get_for(AlertRule.objects.select_related("unit"), actor, Perm.COMMAND_VIEW, pk=pk)


def action_orders(*, actor: Actor, actions: Sequence[ReviewAction]) -> dict[int, WorkOrder]:
    """The work orders of review ``actions`` the actor may see, read live through the
    work orders' own selector (an order out of the actor's sight is left out)."""
    ids = [a.work_order_id for a in actions]
    if not ids:
        return {}
    return {o.pk: o for o in workorder_list(actor=actor).filter(pk__in=ids)}


@reads_replica
def report_list(
    *, actor: Actor, area: Area | None = None, day: dt.date | None = None
) -> QuerySet[DailyReport]:
    """Daily reports where the actor holds COMMAND_VIEW; with ``area``, the area's own and
    those of the areas below it."""
    qs = scoped(DailyReport.objects.select_related("area"), actor, Perm.COMMAND_VIEW)
    if area is not None:
        qs = qs.filter(area_path__startswith=area.path)
    if day is not None:
        qs = qs.filter(day=day)
    return qs.order_by("-day", "area_path")


def report_get(*, actor: Actor, pk: Any) -> DailyReport:
    return get_for(
        DailyReport.objects.select_related("area", "signed_by"), actor, Perm.COMMAND_VIEW, pk=pk
    )


def report_of(*, actor: Actor, area: Area, day: dt.date) -> DailyReport | None:
    return report_list(actor=actor, area=area, day=day).filter(area=area).first()


@reads_replica
def meeting_list(
    *, actor: Actor, area: Area | None = None, day: dt.date | None = None
) -> QuerySet[ReviewMeeting]:
    qs = scoped(ReviewMeeting.objects.select_related("area"), actor, Perm.COMMAND_VIEW)
    if area is not None:
        qs = qs.filter(area_path__startswith=area.path)
    if day is not None:
        qs = qs.filter(day=day)
    return qs.order_by("-day", "area_path")


def meeting_get(*, actor: Actor, pk: Any) -> ReviewMeeting:
    return get_for(ReviewMeeting.objects.select_related("area"), actor, Perm.COMMAND_VIEW, pk=pk)


def meeting_of(*, actor: Actor, area: Area, day: dt.date) -> ReviewMeeting | None:
    return meeting_list(actor=actor, area=area, day=day).filter(area=area).first()


def meeting_actions(*, meeting: ReviewMeeting) -> list[ReviewAction]:
    return list(meeting.actions.select_related("owner").order_by("due_at", "pk"))
