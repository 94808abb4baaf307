"""The command centre's counters and alerts.

``AreaFigure`` holds one figure of one area for one day, written by the worker's sweep
(``services/refresh.py``) from each app's grouped query and rolled up the area tree; the
dashboard reads these rows only, never the domain tables. ``AlertRule`` is a threshold on
a figure at one level of the tree; ``Alert`` is one rule broken at one area on one day,
raised once and shown until acknowledged.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm
from lifeline.core import clock
from lifeline.registry.models import PATH_INDEX_OPCLASS, AreaLevel, Unit


class AreaFigure(models.Model):
    SCOPE_PERMISSION = Perm.COMMAND_VIEW

    area_path = models.CharField(max_length=255)
    level = models.CharField(max_length=10, choices=AreaLevel.choices)
    day = models.DateField()
    key = models.CharField(max_length=64)
    value = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["area_path", "day", "key"], name="areafigure_once")
        ]
        indexes = [
            models.Index(
                fields=["area_path", "day"],
                name="areafigure_path_day_idx",
                opclasses=[*PATH_INDEX_OPCLASS, "date_ops"],
            ),
            models.Index(fields=["day", "key"], name="areafigure_day_key_idx"),
        ]
        verbose_name = _("area figure")
        verbose_name_plural = _("area figures")

    def __str__(self) -> str:
        return f"{self.area_path} {self.day} {self.key}={self.value}"


class RefreshState(models.Model):
    """When the figures of a day were last computed (one row per day): the sweep refreshes
    at most every few minutes, whichever worker gets there first (compare-and-set)."""

    day = models.DateField(primary_key=True)
    refreshed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("figure refresh")
        verbose_name_plural = _("figure refreshes")

    def __str__(self) -> str:
        return f"{self.day} @ {self.refreshed_at:%H:%M}"


class Comparison(models.TextChoices):
    BELOW = "below", _("below")
    ABOVE = "above", _("above")


class AlertRule(models.Model):
    SCOPE_PERMISSION = Perm.COMMAND_VIEW

    area_path = models.CharField(max_length=255, editable=False)
    key = models.CharField(_("figure"), max_length=64)
    level = models.CharField(_("level"), max_length=10, choices=AreaLevel.choices)
    comparison = models.CharField(_("comparison"), max_length=5, choices=Comparison.choices)
    threshold = models.BigIntegerField(_("threshold"))
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit to notify")
    )
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["area_path", "key", "level"]
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")

    def __str__(self) -> str:
        return f"{self.key} {self.comparison} {self.threshold} @ {self.level}"

    def broken_by(self, value: int) -> bool:
        if self.comparison == Comparison.BELOW:
            return value < self.threshold
        return value > self.threshold


class Alert(models.Model):
    SCOPE_PERMISSION = Perm.COMMAND_VIEW

    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="alerts")
    area_path = models.CharField(max_length=255)
    day = models.DateField()
    value = models.BigIntegerField()
    raised_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "area_path", "day"], name="alert_once_a_day")
        ]
        indexes = [
            models.Index(fields=["area_path"], name="alert_path_idx", opclasses=PATH_INDEX_OPCLASS)
        ]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")

    def __str__(self) -> str:
        return f"{self.rule_id} @ {self.area_path} {self.day}"
