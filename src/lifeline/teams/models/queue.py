"""What feeds a team's queue besides work orders: the hours a resident can be reached
(for a work order, on a day) and deliveries of supply packages."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm
from lifeline.registry.models import PATH_INDEX_OPCLASS
from lifeline.teams.models.team import Skill


class Appointment(models.Model):
    """When the resident of a work order can be reached on a day (the visit's time window)."""

    SCOPE_PERMISSION = (Perm.TEAMS_VIEW, Perm.WORKORDER_VIEW)
    work_order = models.ForeignKey(
        "workorders.WorkOrder", on_delete=models.CASCADE, related_name="+"
    )
    area_path = models.CharField(max_length=255, editable=False)
    day = models.DateField(_("day"))
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["day", "start"]
        constraints = [
            models.UniqueConstraint(fields=["work_order", "day"], name="appointment_order_day"),
            models.CheckConstraint(
                condition=models.Q(start__lt=models.F("end")), name="appointment_order"
            ),
        ]
        indexes = [models.Index(fields=["day"], name="appointment_day_idx")]
        verbose_name = _("time window")
        verbose_name_plural = _("time windows")

    def __str__(self) -> str:
        return f"{self.work_order_id} {self.day} {self.start}-{self.end}"


class Delivery(models.Model):
    """A supply package (or vegetables, medicine) to bring to a household on a day, or a
    shipment to bring to a place (a community store, a canteen, a post) given by its
    address and position."""

    SCOPE_PERMISSION = (Perm.TEAMS_VIEW, Perm.TEAMS_RIDE)
    SCOPE_UNIT_FIELD = "unit_id"

    class Status(models.TextChoices):
        OPEN = "open", _("To deliver")
        DELIVERED = "delivered", _("Delivered")
        CANCELLED = "cancelled", _("Cancelled")

    household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A place that is not a household (the household's building gives its own).
    address = models.CharField(_("address"), max_length=255, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    area_path = models.CharField(max_length=255, editable=False)
    unit = models.ForeignKey(
        "registry.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("delivered by")
    )
    day = models.DateField(_("day"))
    start = models.TimeField(_("from"), default=dt.time(8, 0))
    end = models.TimeField(_("until"), default=dt.time(20, 0))
    what = models.CharField(_("what"), max_length=100)
    size = models.PositiveSmallIntegerField(_("size"), default=1)
    skill = models.CharField(_("skill needed"), max_length=16, choices=Skill.choices, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["day", "id"]
        indexes = [
            models.Index(
                fields=["area_path"], name="delivery_path_idx", opclasses=PATH_INDEX_OPCLASS
            ),
            models.Index(fields=["unit", "status", "day"], name="delivery_unit_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__lt=models.F("end")), name="delivery_window"
            ),
            models.CheckConstraint(condition=models.Q(size__gte=1), name="delivery_size"),
            models.CheckConstraint(
                condition=models.Q(household__isnull=False)
                | (models.Q(lat__isnull=False) & models.Q(lng__isnull=False)),
                name="delivery_household_or_place",
            ),
        ]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self) -> str:
        return f"{self.what} → {self.household_id}"


class VisitKind(models.TextChoices):
    WORK_ORDER = "work_order", _("Work order")
    DELIVERY = "delivery", _("Delivery")
    RECHECK = "recheck", _("Positive-pool recheck at home")
    HOME_SAMPLING = "home_sampling", _("Home sampling")
