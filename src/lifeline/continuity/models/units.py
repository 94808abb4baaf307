"""Lifeline units (保供单位) and what they report: figures on a schedule, staff on site per
critical role. Rows are scoped by the unit's area (``area_path``) and its registry unit, so
a unit's duty desk (a membership of the unit) and the command centre (of the city) see it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm
from lifeline.registry.models import PATH_INDEX_OPCLASS


class Sector(models.TextChoices):
    POWER = "power", _("Power")
    WATER = "water", _("Water")
    GAS = "gas", _("Gas")
    TELECOM = "telecom", _("Telecom")
    HOSPITAL = "hospital", _("Hospital")
    PLANT = "plant", _("Plant")


class FigureKind(models.TextChoices):
    STOCK = "stock", _("Reserve (stock)")
    USE = "use", _("Daily use")
    OUTPUT = "output", _("Output")
    OTHER = "other", _("Other figure")


class LifelineUnit(models.Model):
    """A registry unit (power plant, water plant, utility, hospital) kept running."""

    SCOPE_PERMISSION = Perm.CONTINUITY_VIEW
    SCOPE_UNIT_FIELD = "unit"

    unit = models.OneToOneField(
        "registry.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    area = models.ForeignKey(
        "registry.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    area_path = models.CharField(max_length=255, editable=False)
    sector = models.CharField(_("sector"), max_length=12, choices=Sector.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("lifeline unit")
        verbose_name_plural = _("lifeline units")
        ordering = ["sector", "unit__name"]
        indexes = [
            models.Index(
                fields=["area_path"], name="lifelineunit_path_idx", opclasses=PATH_INDEX_OPCLASS
            )
        ]

    def __str__(self) -> str:
        return str(self.unit.name)


class _OfUnit(models.Model):
    SCOPE_PERMISSION = Perm.CONTINUITY_VIEW
    SCOPE_AREA_FIELD = "lifeline_unit__area_path"
    SCOPE_UNIT_FIELD = "lifeline_unit__unit"

    class Meta:
        abstract = True


class Figure(_OfUnit):
    """One key figure of a unit, reported every ``every_hours``. A reserve names the daily
    use it is spent at (``use``): reserve ÷ daily use is its days of cover."""

    lifeline_unit = models.ForeignKey(
        LifelineUnit, on_delete=models.CASCADE, related_name="figures", verbose_name=_("unit")
    )
    name = models.CharField(_("name"), max_length=60)
    unit_label = models.CharField(_("measured in"), max_length=20, blank=True)
    kind = models.CharField(_("kind"), max_length=8, choices=FigureKind.choices)
    use = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("spent at (daily use)"),
    )
    every_hours = models.PositiveSmallIntegerField(_("report every (hours)"), default=24)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("figure")
        verbose_name_plural = _("figures")
        ordering = ["lifeline_unit", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["lifeline_unit", "name"], name="figure_unique_name")
        ]

    def __str__(self) -> str:
        return str(self.name)

    @property
    def period(self) -> dt.timedelta:
        return dt.timedelta(hours=self.every_hours)


class FigureReport(_OfUnit):
    """A value of a figure as reported at a time; ``late`` when it came after the schedule
    said it was due."""

    SCOPE_AREA_FIELD = "figure__lifeline_unit__area_path"
    SCOPE_UNIT_FIELD = "figure__lifeline_unit__unit"

    figure = models.ForeignKey(
        Figure, on_delete=models.CASCADE, related_name="reports", verbose_name=_("figure")
    )
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=3)
    reported_at = models.DateTimeField(_("reported at"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    late = models.BooleanField(_("late"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("figure report")
        verbose_name_plural = _("figure reports")
        ordering = ["-reported_at", "-pk"]
        indexes = [models.Index(fields=["figure", "-reported_at"], name="figreport_latest_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(value__gte=0), name="figreport_nonneg")
        ]

    def __str__(self) -> str:
        return f"{self.figure} {self.value}"


class CriticalRole(_OfUnit):
    """A role the unit cannot run without, and how many must be on site."""

    lifeline_unit = models.ForeignKey(
        LifelineUnit, on_delete=models.CASCADE, related_name="roles", verbose_name=_("unit")
    )
    name = models.CharField(_("role"), max_length=60)
    minimum = models.PositiveIntegerField(_("minimum on site"))
    guidance = models.TextField(_("guidance"), blank=True)

    class Meta:
        verbose_name = _("critical role")
        verbose_name_plural = _("critical roles")
        ordering = ["lifeline_unit", "name"]
        constraints = [
            models.UniqueConstraint(fields=["lifeline_unit", "name"], name="critrole_unique_name")
        ]

    def __str__(self) -> str:
        return str(self.name)


class StaffReport(_OfUnit):
    """How many of a critical role are on site, as reported at a time."""

    SCOPE_AREA_FIELD = "role__lifeline_unit__area_path"
    SCOPE_UNIT_FIELD = "role__lifeline_unit__unit"

    role = models.ForeignKey(
        CriticalRole, on_delete=models.CASCADE, related_name="reports", verbose_name=_("role")
    )
    on_site = models.PositiveIntegerField(_("on site"))
    reported_at = models.DateTimeField(_("reported at"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("staff report")
        verbose_name_plural = _("staff reports")
        ordering = ["-reported_at", "-pk"]
        indexes = [models.Index(fields=["role", "-reported_at"], name="staffreport_latest_idx")]

    def __str__(self) -> str:
        return f"{self.role} {self.on_site}"


def days_of_cover(stock: Decimal | None, use: Decimal | None) -> Decimal | None:
    """Reserve ÷ daily use, to one decimal; None when either is missing or use is zero."""
    if stock is None or use is None or use <= 0:
        return None
    return (stock / use).quantize(Decimal("0.1"))
