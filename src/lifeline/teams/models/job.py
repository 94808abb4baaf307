"""A plan being solved by the worker: what was asked, how far it is, and the plan made."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm
from lifeline.core import clock
from lifeline.registry.models import PATH_INDEX_OPCLASS
from lifeline.teams.models.plan import Plan
from lifeline.teams.models.team import Team

# Seconds the worker needs beside the solver (reading the queues, the by-hand plan,
# storing): the progress bar's guess of the rest of the work.
OVERHEAD_SECONDS = 3.0


class PlanJob(models.Model):
    """A dispatcher's request for a plan, solved by ``lifeline worker`` (``teams.tasks``).

    Read by those who read plans at its place (its unit, or its area); the worker solves
    it as the dispatcher who asked, so every permission is checked again then.
    """

    SCOPE_PERMISSION = Perm.TEAMS_VIEW
    SCOPE_UNIT_FIELD = "unit_id"

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the planner")
        RUNNING = "running", _("Planning")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    unit = models.ForeignKey("registry.Unit", on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    area_path = models.CharField(max_length=255, blank=True, editable=False)
    day = models.DateField(_("day"))
    time_limit = models.FloatField(default=10.0)
    help_neighbours = models.BooleanField(default=False)
    language = models.CharField(max_length=12, default="zh-hans")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    error = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["area_path"], name="planjob_path_idx", opclasses=PATH_INDEX_OPCLASS
            ),
            models.Index(fields=["unit", "status"], name="planjob_unit_status_idx"),
        ]
        verbose_name = _("planning job")
        verbose_name_plural = _("planning jobs")

    def __str__(self) -> str:
        return f"{self.team or self.unit} {self.day} {self.status}"

    @property
    def final(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def progress_percent(self) -> int:
        """How far along: the solver's share is its time limit, so the bar moves with the
        clock while it runs (the solver reports nothing on the way)."""
        if self.final:
            return 100
        if self.status == self.Status.QUEUED or self.started_at is None:
            return 0
        spent = (clock.now() - self.started_at).total_seconds()
        return max(1, min(99, round(100 * spent / (self.time_limit + OVERHEAD_SECONDS))))
