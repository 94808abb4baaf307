"""Admin for lifeline units: shown, never written here. Units, figures, reports and
problems change only through their services, which check the unit's desk or the command
centre, open problems on the work-order clock and audit each change."""

from __future__ import annotations

from django.contrib import admin

from lifeline.continuity.models import (
    CriticalRole,
    Figure,
    FigureReport,
    LifelineUnit,
    Problem,
    Threshold,
)
from lifeline.core.admin import NeverChanged


@admin.register(LifelineUnit)
class LifelineUnitAdmin(NeverChanged):
    list_display = ("unit", "sector", "area", "created_at")
    list_filter = ("sector",)


@admin.register(Figure)
class FigureAdmin(NeverChanged):
    list_display = ("name", "lifeline_unit", "kind", "every_hours")


@admin.register(FigureReport)
class FigureReportAdmin(NeverChanged):
    list_display = ("figure", "value", "reported_at", "late")


@admin.register(Threshold)
class ThresholdAdmin(NeverChanged):
    list_display = ("title", "figure", "measure", "below")


@admin.register(CriticalRole)
class CriticalRoleAdmin(NeverChanged):
    list_display = ("name", "lifeline_unit", "minimum")


@admin.register(Problem)
class ProblemAdmin(NeverChanged):
    list_display = ("title", "lifeline_unit", "owner", "opened_at")
