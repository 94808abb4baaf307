"""Route plans: per vehicle a route of stops, the visits left unserved with the reason,
the by-hand baseline's figures beside the optimised ones."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm
from lifeline.registry.models import PATH_INDEX_OPCLASS
from lifeline.teams.models.queue import VisitKind
from lifeline.teams.models.team import Skill, Team, Vehicle, local_midnight


class Plan(models.Model):
    """One day's routes for a team (or for every team of a unit).

    ``version`` is the optimistic-concurrency counter: every change by a dispatcher names the
    version it saw and bumps it, so of two dispatchers editing one plan the second is told.
    The baseline and optimised figures are those of the day as planned, side by side.
    """

    SCOPE_PERMISSION = (Perm.TEAMS_VIEW, Perm.TEAMS_RIDE)
    SCOPE_UNIT_FIELD = "unit_id"

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        SUPERSEDED = "superseded", _("Superseded")

    unit = models.ForeignKey("registry.Unit", on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="plans"
    )
    area_path = models.CharField(max_length=255, blank=True, editable=False)
    day = models.DateField(_("day"))
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    help_neighbours = models.BooleanField(_("teams may help neighbouring areas"), default=False)
    neighbours = models.JSONField(default=dict, blank=True)
    time_limit = models.FloatField(default=10.0)
    solver_seconds = models.FloatField(default=0.0)
    baseline_seconds = models.FloatField(default=0.0)
    visits = models.PositiveIntegerField(default=0)
    baseline_km = models.FloatField(default=0.0)
    baseline_missed = models.PositiveIntegerField(default=0)
    optimised_km = models.FloatField(default=0.0)
    optimised_missed = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-day", "-created_at", "-id"]
        indexes = [
            models.Index(fields=["area_path"], name="plan_path_idx", opclasses=PATH_INDEX_OPCLASS),
            models.Index(fields=["unit", "day"], name="plan_unit_day_idx"),
            models.Index(fields=["day", "status"], name="plan_day_status_idx"),
        ]
        verbose_name = _("route plan")
        verbose_name_plural = _("route plans")

    def __str__(self) -> str:
        return f"{self.team or self.unit} {self.day} v{self.version}"

    @property
    def km_saved(self) -> float:
        return round(self.baseline_km - self.optimised_km, 1)

    @property
    def missed_saved(self) -> int:
        return self.baseline_missed - self.optimised_missed

    def at(self, seconds: int) -> dt.datetime:
        """The moment ``seconds`` after local midnight of the plan's day."""
        return local_midnight(self.day) + dt.timedelta(seconds=seconds)


class PlanRoute(models.Model):
    """One vehicle's day in a plan, with the vehicle as it was planned (so the plan can be
    edited without reading the fleet again)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="routes")
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="+")
    depot_lat = models.FloatField()
    depot_lng = models.FloatField()
    capacity = models.PositiveIntegerField()
    shift_start = models.PositiveIntegerField()  # seconds after midnight
    shift_end = models.PositiveIntegerField()
    cost_per_km = models.FloatField(default=1.0)
    skills = models.JSONField(default=list, blank=True)
    areas = models.JSONField(default=list, blank=True)
    strict = models.BooleanField(default=True)
    end = models.PositiveIntegerField(default=0)  # back at the depot
    distance = models.PositiveIntegerField(default=0)  # metres, depot to depot
    load = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["plan_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "vehicle"], name="route_plan_vehicle")
        ]
        verbose_name = _("route")
        verbose_name_plural = _("routes")

    def __str__(self) -> str:
        return f"{self.plan_id}/{self.vehicle_id}"

    @property
    def km(self) -> float:
        return round(self.distance / 1000, 1)


class VisitSnapshot(models.Model):
    """What the planner knew of a visit; shared by stops and unserved visits."""

    SCOPE_PERMISSION = (Perm.TEAMS_VIEW, Perm.TEAMS_RIDE)
    kind = models.CharField(max_length=16, choices=VisitKind.choices)
    ref_id = models.PositiveBigIntegerField()
    label = models.CharField(max_length=150)
    address = models.CharField(max_length=255, blank=True)
    area_path = models.CharField(max_length=255, blank=True)
    lat = models.FloatField()
    lng = models.FloatField()
    earliest = models.PositiveIntegerField()  # seconds after midnight
    latest = models.PositiveIntegerField()
    service = models.PositiveIntegerField()  # seconds
    priority = models.SmallIntegerField(default=0)
    skill = models.CharField(max_length=16, choices=Skill.choices, blank=True)
    size = models.PositiveSmallIntegerField(default=1)

    class Meta:
        abstract = True

    @property
    def key(self) -> str:
        """The planner's id of the visit: unique within a day's queues."""
        return f"{self.kind}:{self.ref_id}"


class PlanStop(VisitSnapshot):
    """A planned visit on a route, and what happened there."""

    class Outcome(models.TextChoices):
        DONE = "done", _("Done")
        NOBODY_HOME = "nobody_home", _("Nobody at home")
        REFUSED = "refused", _("Refused")
        OTHER = "other", _("Other")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="stops")
    route = models.ForeignKey(PlanRoute, on_delete=models.CASCADE, related_name="stops")
    seq = models.IntegerField()  # 1, 2, ... (briefly negative while a route is renumbered)
    arrival = models.PositiveIntegerField()  # planned, seconds after midnight
    start = models.PositiveIntegerField()
    departure = models.PositiveIntegerField()
    cum_distance = models.PositiveIntegerField()  # planned metres from the depot
    arrived_at = models.DateTimeField(null=True, blank=True)
    arrived_km = models.FloatField(null=True, blank=True)  # trip meter reading on arrival
    completed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["route_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["route", "seq"], name="stop_route_seq"),
            models.UniqueConstraint(fields=["plan", "kind", "ref_id"], name="stop_plan_visit"),
        ]
        verbose_name = _("planned stop")
        verbose_name_plural = _("planned stops")

    def __str__(self) -> str:
        return f"{self.route_id}.{self.seq} {self.key}"

    @property
    def eta(self) -> dt.datetime:
        """When the crew is due at the door: the planned start of service (a crew early
        for a window waits, so the start, not the earliest arrival, is the time to keep)."""
        return self.plan.at(self.start)

    @property
    def planned_km(self) -> float:
        return round(self.cum_distance / 1000, 1)

    @property
    def late(self) -> bool:
        """Arrived after the window closed (the planned start always lies inside it)."""
        return self.arrived_at is not None and self.arrived_at > self.plan.at(self.latest)


class PlanUnserved(VisitSnapshot):
    """A visit the plan could not fit, and why."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="unserved")
    reason = models.CharField(max_length=32)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["plan_id", "-priority", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "kind", "ref_id"], name="unserved_plan_visit")
        ]
        verbose_name = _("unserved visit")
        verbose_name_plural = _("unserved visits")

    def __str__(self) -> str:
        return f"{self.plan_id} {self.key}: {self.reason}"
