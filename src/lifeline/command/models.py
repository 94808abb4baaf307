"""The command centre's counters and alerts.

``AreaFigure`` holds one figure of one area for one day, written by the worker's sweep
(``services/refresh.py``) from each app's grouped query and rolled up the area tree; the
dashboard reads these rows only, never the domain tables. ``AlertRule`` is a threshold on
a figure at one level of the tree; ``Alert`` is one rule broken at one area on one day,
raised once and shown until acknowledged.

``DailyReport`` is an area's report of one day (日报): a frozen snapshot of the figures,
alerts, problems and review actions as canonical JSON with its SHA-256, the narrative
written by the district, and the sign-off. ``ReviewMeeting`` records a day's review
meeting (复盘会); each ``ReviewAction`` of it is a work order filed to its owner unit.
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


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")


class DailyReport(models.Model):
    """One area's report of one day. A draft's snapshot is taken again on request; once
    signed, its ``content`` (and so ``content_hash``) never changes."""

    SCOPE_PERMISSION = Perm.COMMAND_VIEW

    area = models.ForeignKey("registry.Area", on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=255, editable=False)
    day = models.DateField(_("day"))
    cutoff = models.DateTimeField(_("cut-off"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    # Canonical JSON (sorted keys, no spaces, UTF-8) of the snapshot and the narrative.
    content = models.TextField()
    content_hash = models.CharField(max_length=64)
    taken_at = models.DateTimeField(_("figures taken at"))
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)
    signed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signer_name = models.CharField(_("signed by"), max_length=150, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)

    class Meta:
        ordering = ["-day", "area_path"]
        constraints = [
            models.UniqueConstraint(fields=["area", "day"], name="dailyreport_once_a_day")
        ]
        indexes = [
            models.Index(
                fields=["area_path", "day"],
                name="dailyreport_path_day_idx",
                opclasses=[*PATH_INDEX_OPCLASS, "date_ops"],
            )
        ]
        verbose_name = _("daily report")
        verbose_name_plural = _("daily reports")

    def __str__(self) -> str:
        return f"{self.area_path} {self.day} {self.status}"

    @property
    def is_signed(self) -> bool:
        return self.status == ReportStatus.SIGNED


class ReviewMeeting(models.Model):
    """The review meeting (复盘会) of an area on a day: who came and what was said."""

    SCOPE_PERMISSION = Perm.COMMAND_VIEW

    area = models.ForeignKey("registry.Area", on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=255, editable=False)
    day = models.DateField(_("day"))
    attendees = models.TextField(_("attendees"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-day", "area_path"]
        constraints = [
            models.UniqueConstraint(fields=["area", "day"], name="reviewmeeting_once_a_day")
        ]
        indexes = [
            models.Index(
                fields=["area_path", "day"],
                name="reviewmeeting_path_day_idx",
                opclasses=[*PATH_INDEX_OPCLASS, "date_ops"],
            )
        ]
        verbose_name = _("review meeting")
        verbose_name_plural = _("review meetings")

    def __str__(self) -> str:
        return f"{self.area_path} {self.day}"


class ReviewAction(models.Model):
    """An action the meeting decided: a work order filed to its owner unit, due by
    ``due_at``. Its status is the work order's."""

    SCOPE_PERMISSION = Perm.COMMAND_VIEW

    meeting = models.ForeignKey(ReviewMeeting, on_delete=models.CASCADE, related_name="actions")
    area_path = models.CharField(max_length=255, editable=False)
    text = models.CharField(_("action"), max_length=500)
    owner = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    due_at = models.DateTimeField(_("due"))
    work_order = models.OneToOneField(
        "workorders.WorkOrder", on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(
                fields=["area_path"], name="reviewaction_path_idx", opclasses=PATH_INDEX_OPCLASS
            )
        ]
        verbose_name = _("review action")
        verbose_name_plural = _("review actions")

    def __str__(self) -> str:
        return self.text
