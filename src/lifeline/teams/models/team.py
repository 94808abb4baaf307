"""Teams, their vehicles, members and shifts."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm
from lifeline.core import clock
from lifeline.registry.models import PATH_INDEX_OPCLASS


def local_midnight(day: dt.date) -> dt.datetime:
    """Midnight starting ``day`` in the city's time zone: the zero of a plan's seconds."""
    return timezone.make_aware(
        dt.datetime.combine(day, dt.time(0)), timezone.get_default_timezone()
    )


class Skill(models.TextChoices):
    GAS_TOPUP = "gas_topup", _("Gas top-up")
    SAMPLING = "sampling", _("Sampling")
    MEDICINE = "medicine", _("Medicine")
    MEALS = "meals", _("Meals and supplies")
    HEAVY_GOODS = "heavy_goods", _("Heavy goods")


class Team(models.Model):
    """A field team (包片区 service group) of a unit."""

    SCOPE_PERMISSION = (Perm.TEAMS_VIEW, Perm.TEAMS_RIDE)
    SCOPE_UNIT_FIELD = "unit_id"

    unit = models.ForeignKey(
        "registry.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    name = models.CharField(_("name"), max_length=100)
    areas = models.ManyToManyField(
        "registry.Area", related_name="+", blank=True, verbose_name=_("service areas")
    )
    area_path = models.CharField(max_length=255, blank=True, editable=False)
    helps_neighbours = models.BooleanField(
        _("may help neighbouring areas"),
        default=False,
        help_text=_("When a plan asks for it, this team's vehicles also serve next-door areas."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["unit_id", "name"]
        indexes = [
            models.Index(fields=["area_path"], name="team_path_idx", opclasses=PATH_INDEX_OPCLASS)
        ]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="team_unit_name")]
        verbose_name = _("field team")
        verbose_name_plural = _("field teams")

    def __str__(self) -> str:
        return self.name


class Vehicle(models.Model):
    """A vehicle of a team. ``serves`` lists other teams whose areas it also covers (the
    gas company's 7 vehicles are shared by its 17 groups)."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="vehicles")
    serves = models.ManyToManyField(
        Team, related_name="shared_vehicles", blank=True, verbose_name=_("also serves")
    )
    name = models.CharField(_("name or plate"), max_length=40)
    capacity = models.PositiveIntegerField(_("capacity"), default=60)
    depot_lat = models.FloatField(_("depot latitude"))
    depot_lng = models.FloatField(_("depot longitude"))
    shift_start = models.TimeField(_("shift starts"), default=dt.time(8, 0))
    shift_end = models.TimeField(_("shift ends"), default=dt.time(18, 0))
    cost_per_km = models.DecimalField(_("cost per km"), max_digits=8, decimal_places=2, default=1)
    skills = models.JSONField(_("skills"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["team_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="vehicle_team_name"),
            models.CheckConstraint(
                condition=models.Q(shift_start__lt=models.F("shift_end")),
                name="vehicle_shift_order",
            ),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="vehicle_capacity"),
        ]
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    vehicle = models.ForeignKey(
        Vehicle,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="crew",
        verbose_name=_("rides in"),
    )
    skills = models.JSONField(_("skills"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["team_id", "id"]
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="member_team_user")]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")

    def __str__(self) -> str:
        return f"{self.team_id}:{self.user_id}"


class Shift(models.Model):
    """When a team works: on a weekday (0 = Monday) every week, or on one date (a date's
    shift overrides the weekday's). A team without any shift works its vehicles' hours."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="shifts")
    weekday = models.PositiveSmallIntegerField(_("weekday"), null=True, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    start = models.TimeField(_("starts"))
    end = models.TimeField(_("ends"))

    class Meta:
        ordering = ["team_id", "date", "weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(weekday__isnull=True) & models.Q(date__isnull=False))
                | (models.Q(weekday__isnull=False, weekday__lte=6) & models.Q(date__isnull=True)),
                name="shift_weekday_or_date",
            ),
            models.CheckConstraint(
                condition=models.Q(start__lt=models.F("end")), name="shift_start_before_end"
            ),
        ]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")

    def __str__(self) -> str:
        return f"{self.team_id} {self.date or self.weekday} {self.start}-{self.end}"
