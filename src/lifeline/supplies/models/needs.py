"""Needs for supplies, recurring needs (a canteen's daily vegetables), and the allocation
runs that match stock to them.

A need is placed in the area tree (``area_path``) and raised by a unit, for someone (a
household, a building, a post, a canteen, a community), with a named contact. Quantities
allocated and delivered are kept on the need by the services that change them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lifeline.accounts.permissions import Perm
from lifeline.registry.models import PATH_INDEX_OPCLASS


class Priority(models.IntegerChoices):
    CRITICAL = 1, _("Critical")
    HIGH = 2, _("High")
    NORMAL = 3, _("Normal")


class ForWhom(models.TextChoices):
    HOUSEHOLD = "household", _("A household")
    BUILDING = "building", _("A building")
    POST = "post", _("A post or checkpoint")
    CANTEEN = "canteen", _("A canteen")
    COMMUNITY = "community", _("A community")
    STREET = "street", _("A street")
    UNIT = "unit", _("A unit or enterprise")


class NeedStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("need", "Open")
    PARTLY = "partly", _("Partly allocated")
    ALLOCATED = "allocated", _("Allocated")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


class RecurringNeed(models.Model):
    """A standing daily need (the sealed canteen: 100 people, 200 jin of vegetables and 50
    jin of meat a day), kept at a stock point whose days of cover are watched."""

    SCOPE_PERMISSION = Perm.SUPPLIES_VIEW

    unit = models.ForeignKey(
        "registry.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    area = models.ForeignKey("registry.Area", on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=255, editable=False)
    label = models.CharField(_("for (who or where)"), max_length=150)
    for_whom = models.CharField(
        _("for whom"), max_length=12, choices=ForWhom.choices, default=ForWhom.CANTEEN
    )
    people = models.PositiveIntegerField(_("people fed"), null=True, blank=True)
    item = models.ForeignKey("supplies.Item", on_delete=models.PROTECT, related_name="+")
    per_day = models.DecimalField(_("per day"), max_digits=14, decimal_places=3)
    # The stock point it is eaten from: its stock of the item gives the days of cover.
    warehouse = models.ForeignKey(
        "supplies.Warehouse", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    alert_below_days = models.DecimalField(
        _("alert below (days of cover)"), max_digits=5, decimal_places=1, default=2
    )
    priority = models.IntegerField(_("priority"), choices=Priority.choices, default=Priority.HIGH)
    contact_name = models.CharField(_("contact person"), max_length=50)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    # When the last low-cover alert was raised (one alert per fall below the threshold).
    alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["area_path", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(per_day__gt=0), name="recurring_per_day_pos")
        ]
        verbose_name = _("recurring need")
        verbose_name_plural = _("recurring needs")

    def __str__(self) -> str:
        return f"{self.label}: {self.item} × {self.per_day}/d"


class Need(models.Model):
    SCOPE_PERMISSION = Perm.SUPPLIES_VIEW

    unit = models.ForeignKey(
        "registry.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("raised by")
    )
    area = models.ForeignKey("registry.Area", on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=255, editable=False)
    item = models.ForeignKey("supplies.Item", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    allocated = models.DecimalField(_("allocated"), default=0, max_digits=14, decimal_places=3)
    delivered = models.DecimalField(_("delivered"), default=0, max_digits=14, decimal_places=3)
    needed_by = models.DateField(_("needed by"))
    priority = models.IntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    vulnerable = models.BooleanField(_("for vulnerable people"), default=False)
    for_whom = models.CharField(_("for whom"), max_length=12, choices=ForWhom.choices)
    for_label = models.CharField(_("for (who or where)"), max_length=150, blank=True)
    household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    building = models.ForeignKey(
        "registry.Building", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Where to deliver (for distance in matching and for the route planner).
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    status = models.CharField(max_length=10, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    recurring = models.ForeignKey(
        RecurringNeed, null=True, blank=True, on_delete=models.PROTECT, related_name="needs"
    )
    # A work order (food, supplies, medicine) this need answers.
    work_order_id = models.BigIntegerField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["priority", "needed_by", "created_at", "pk"]
        indexes = [
            models.Index(fields=["area_path"], name="need_path_idx", opclasses=PATH_INDEX_OPCLASS),
            models.Index(fields=["status", "item"], name="need_open_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="need_positive"),
            models.CheckConstraint(
                condition=models.Q(allocated__gte=0)
                & models.Q(allocated__lte=models.F("quantity")),
                name="need_never_over_allocated",
            ),
        ]
        verbose_name = _("need")
        verbose_name_plural = _("needs")

    def __str__(self) -> str:
        return f"{self.item} × {self.quantity} → {self.for_label}"


class RunStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    DISCARDED = "discarded", _("Discarded")


class AllocationRun(models.Model):
    """One matching of available stock to open needs by the solver: a proposal the
    logistics group edits and approves (or discards)."""

    SCOPE_PERMISSION = Perm.SUPPLIES_VIEW
    SCOPE_UNIT_FIELD = "unit"

    unit = models.ForeignKey(
        "registry.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("run by")
    )
    area_path = models.CharField(max_length=255, editable=False)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.PROPOSED)
    # What the solver said: its status, objective, bound/gap, sizes and time.
    solver = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("allocation run")
        verbose_name_plural = _("allocation runs")

    def __str__(self) -> str:
        return f"run {self.pk}"


class Allocation(models.Model):
    """So much of one lot to one need, proposed by a run (and possibly edited)."""

    SCOPE_PERMISSION = Perm.SUPPLIES_VIEW

    run = models.ForeignKey(AllocationRun, on_delete=models.CASCADE, related_name="allocations")
    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="allocations")
    lot = models.ForeignKey("supplies.Lot", on_delete=models.PROTECT, related_name="allocations")
    area_path = models.CharField(max_length=255, editable=False)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    proposed = models.DecimalField(_("proposed"), max_digits=14, decimal_places=3)
    # The shipment it went out with, once approved.
    shipment = models.ForeignKey(
        "supplies.Shipment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="allocations",
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=0), name="allocation_not_neg"),
            models.UniqueConstraint(fields=["run", "need", "lot"], name="allocation_once"),
        ]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")

    def __str__(self) -> str:
        return f"{self.lot_id} → {self.need_id}: {self.quantity}"
