"""Rosters and availability: a week of shifts staffed by the solver, then edited and
published by a coordinator; the times a volunteer cannot serve."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lifeline.accounts.permissions import Perm
from lifeline.registry.models import PATH_INDEX_OPCLASS
from lifeline.volunteers.models.people import Volunteer


class Unavailability(models.Model):
    """A time a volunteer cannot serve: the roster leaves it free and no booking takes it."""

    SCOPE_PERMISSION = Perm.VOLUNTEERS_VIEW

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="away")
    area_path = models.CharField(max_length=255, editable=False)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        ordering = ["volunteer_id", "starts_at"]
        indexes = [models.Index(fields=["volunteer", "starts_at"], name="away_volunteer_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")), name="away_ends_after"
            )
        ]
        verbose_name = _("time away")
        verbose_name_plural = _("times away")

    def __str__(self) -> str:
        return f"{self.volunteer_id} {self.starts_at:%Y-%m-%d %H:%M}"


class RosterStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting for the solver")
    RUNNING = "running", _("Being solved")
    PROPOSED = "proposed", pgettext_lazy("roster", "Proposed")
    PUBLISHING = "publishing", _("Being published")
    PUBLISHED = "published", _("Published")
    FAILED = "failed", _("Failed")
    DISCARDED = "discarded", _("Discarded")


class Roster(models.Model):
    """The solver's proposal for an area's shifts from ``starts_on`` for ``days`` days:
    ``assignments`` as [shift id, volunteer id] pairs, ``gaps`` with their reasons and
    ``figures`` (coverage, fairness, the solver's status and time). The coordinator edits
    the proposal (each edit checked against the rules) and publishes it as bookings."""

    SCOPE_PERMISSION = Perm.VOLUNTEERS_VIEW

    area = models.ForeignKey(
        "registry.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    area_path = models.CharField(max_length=255, editable=False)
    starts_on = models.DateField(_("first day"))
    days = models.PositiveSmallIntegerField(_("days"), default=7)
    status = models.CharField(
        _("status"), max_length=10, choices=RosterStatus.choices, default=RosterStatus.QUEUED
    )
    time_limit = models.FloatField(default=30.0)
    assignments = models.JSONField(default=list, blank=True)
    gaps = models.JSONField(default=list, blank=True)
    figures = models.JSONField(default=dict, blank=True)
    message = models.CharField(max_length=300, blank=True)
    language = models.CharField(max_length=10, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["area_path"], name="roster_path_idx", opclasses=PATH_INDEX_OPCLASS)
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(days__gte=1, days__lte=14), name="roster_days_range"
            )
        ]
        verbose_name = _("roster")
        verbose_name_plural = _("rosters")

    def __str__(self) -> str:
        return f"{self.area_id} {self.starts_on}"
