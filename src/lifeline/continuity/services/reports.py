"""A unit's duty desk reports its figures and staff on site. Each report is checked
against the unit's thresholds and critical roles at once, in the same transaction: a
breach opens the command centre's problem (once while open)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from lifeline.continuity.models import (
    CriticalRole,
    Figure,
    FigureReport,
    LifelineUnit,
    Measure,
    Problem,
    StaffReport,
    Threshold,
    days_of_cover,
)
from lifeline.continuity.services.common import invalid, number, require_report, text, whole
from lifeline.continuity.services.problems import open_once
from lifeline.core import clock
from lifeline.core.actors import Actor, user_of
from lifeline.core.audit import audit_log


def latest_value(figure: Figure | None) -> Decimal | None:
    if figure is None:
        return None
    found = figure.reports.order_by("-reported_at", "-pk").values_list("value", flat=True).first()
    return found


def measured(threshold: Threshold) -> Decimal | None:
    """The threshold's measure now: the latest value, or reserve ÷ daily use."""
    figure = threshold.figure
    value = latest_value(figure)
    if threshold.measure == Measure.DAYS_OF_COVER:
        return days_of_cover(value, latest_value(figure.use))
    return value


def check_figure(*, actor: Actor, figure: Figure) -> list[Problem]:
    """Open the problems of every threshold this figure trips (its own, and those of the
    reserves it is the daily use of)."""
    thresholds = Threshold.objects.filter(figure=figure) | Threshold.objects.filter(
        figure__use=figure, measure=Measure.DAYS_OF_COVER
    )
    opened = []
    for threshold in thresholds.select_related("figure__use").order_by("pk"):
        value = measured(threshold)
        if value is not None and value < threshold.below:
            problem = open_once(
                actor=actor, unit=figure.lifeline_unit, threshold=threshold, role=None
            )
            if problem is not None:
                opened.append(problem)
    return opened


def check_role(*, actor: Actor, role: CriticalRole) -> Problem | None:
    latest = role.reports.order_by("-reported_at", "-pk").values_list("on_site", flat=True).first()
    if latest is None or latest >= role.minimum:
        return None
    return open_once(actor=actor, unit=role.lifeline_unit, threshold=None, role=role)


def _figure_of(unit: LifelineUnit, figure_id: Any, fields: dict[str, list[str]]) -> Figure | None:
    try:
        wanted = int(figure_id)
    except (TypeError, ValueError):
        wanted = 0
    figure = Figure.objects.filter(pk=wanted, lifeline_unit=unit).first()
    if figure is None:
        fields["figure"] = [str(_("Choose a figure of this unit."))]
    return figure


def _is_late(figure: Figure, at: dt.datetime) -> bool:
    before = figure.reports.order_by("-reported_at").values_list("reported_at", flat=True).first()
    return before is not None and at > before + figure.period


def figure_report(
    *, actor: Actor, lifeline_unit: LifelineUnit, figure_id: Any, value: Any, note: str = ""
) -> FigureReport:
    """One value of one of the unit's figures, now. Refused, writing nothing, for a figure
    of another unit or a value that is not a non-negative number. Flagged ``late`` when the
    previous report is older than the figure's period."""
    require_report(actor, lifeline_unit)
    fields: dict[str, list[str]] = {}
    figure = _figure_of(lifeline_unit, figure_id, fields)
    amount = number(value, "value", fields)
    note = text(note, "note", fields, limit=200, needed=False)
    if fields or figure is None or amount is None:
        raise invalid(fields)
    now = clock.now()
    with transaction.atomic():
        Figure.objects.select_for_update().filter(pk=figure.pk).first()
        report = FigureReport.objects.create(
            figure=figure,
            value=amount,
            reported_at=now,
            reported_by=user_of(actor),
            late=_is_late(figure, now),
            note=note,
        )
        audit_log(
            actor=actor,
            action="continuity.figure_report",
            obj=report,
            area_path=lifeline_unit.area_path,
            fields=["value"],
        )
        check_figure(actor=actor, figure=figure)
    return report


def staff_report(
    *, actor: Actor, lifeline_unit: LifelineUnit, role_id: Any, on_site: Any
) -> StaffReport:
    """How many of a critical role are on site now; below its minimum opens a problem."""
    require_report(actor, lifeline_unit)
    fields: dict[str, list[str]] = {}
    try:
        wanted = int(role_id)
    except (TypeError, ValueError):
        wanted = 0
    role = CriticalRole.objects.filter(pk=wanted, lifeline_unit=lifeline_unit).first()
    if role is None:
        fields["role"] = [str(_("Choose a role of this unit."))]
    count = whole(on_site, "on_site", fields)
    if fields or role is None:
        raise invalid(fields)
    with transaction.atomic():
        report = StaffReport.objects.create(
            role=role, on_site=count, reported_at=clock.now(), reported_by=user_of(actor)
        )
        audit_log(
            actor=actor,
            action="continuity.staff_report",
            obj=report,
            area_path=lifeline_unit.area_path,
            fields=["on_site"],
        )
        check_role(actor=actor, role=role)
    return report
