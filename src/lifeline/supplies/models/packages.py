"""Supply packages a community sells to its residents, with a daily cap and an order
window; orders per household; one pick list per building for its building head."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm
from lifeline.registry.models import PATH_INDEX_OPCLASS


class SupplyPackage(models.Model):
    """A package offered by a community (its committee) to the households in its area."""

    SCOPE_PERMISSION = Perm.SUPPLIES_VIEW
    SCOPE_UNIT_FIELD = "unit"

    unit = models.ForeignKey(
        "registry.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("sold by")
    )
    area = models.ForeignKey(
        "registry.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("offered in")
    )
    area_path = models.CharField(max_length=255, editable=False)
    name = models.CharField(_("name"), max_length=100)
    contents = models.CharField(_("contents"), max_length=500)
    price = models.DecimalField(_("price (yuan)"), max_digits=14, decimal_places=2)
    daily_cap = models.PositiveIntegerField(_("packages a day"))
    per_household = models.PositiveSmallIntegerField(_("orders per household a day"), default=1)
    opens_at = models.TimeField(_("orders open at"), default=dt.time(7, 0))
    closes_at = models.TimeField(_("orders close at"), default=dt.time(14, 0))
    deliver_from = models.TimeField(_("delivered from"), default=dt.time(18, 0))
    active = models.BooleanField(_("on sale"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["area_path", "name"]
        indexes = [
            models.Index(
                fields=["area_path"], name="package_path_idx", opclasses=PATH_INDEX_OPCLASS
            )
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(daily_cap__gt=0), name="package_cap_pos"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="package_price_ok"),
            models.CheckConstraint(
                condition=models.Q(opens_at__lt=models.F("closes_at")), name="package_window"
            ),
        ]
        verbose_name = _("supply package")
        verbose_name_plural = _("supply packages")

    def __str__(self) -> str:
        return self.name


class PackageDay(models.Model):
    """One day of a package: the cap and the live count of orders, changed only by a
    compare-and-set (``ordered < cap``), so the cap holds under any burst."""

    SCOPE_PERMISSION = Perm.SUPPLIES_VIEW
    SCOPE_UNIT_FIELD = "unit"

    package = models.ForeignKey(SupplyPackage, on_delete=models.PROTECT, related_name="days")
    unit = models.ForeignKey("registry.Unit", on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=255, editable=False)
    day = models.DateField(_("day"))
    cap = models.PositiveIntegerField(_("cap"))
    ordered = models.PositiveIntegerField(_("ordered"), default=0)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-day", "package_id"]
        constraints = [
            models.UniqueConstraint(fields=["package", "day"], name="packageday_once"),
            models.CheckConstraint(
                condition=models.Q(ordered__lte=models.F("cap")), name="packageday_within_cap"
            ),
        ]
        verbose_name = _("package day")
        verbose_name_plural = _("package days")

    def __str__(self) -> str:
        return f"{self.package_id} {self.day}"


class OrderStatus(models.TextChoices):
    ORDERED = "ordered", _("Ordered")
    DELIVERED = "delivered", _("Delivered")
    REFUSED = "refused", _("Not delivered")
    CANCELLED = "cancelled", _("Cancelled")


class Payment(models.TextChoices):
    UNPAID = "unpaid", _("Unpaid")
    PAID = "paid", _("Paid")
    WAIVED = "waived", _("Waived")


class PickList(models.Model):
    """A building's orders of one package day, for its building head to deliver."""

    SCOPE_PERMISSION = (Perm.SUPPLIES_VIEW, Perm.SUPPLIES_DELIVER)

    day = models.ForeignKey(PackageDay, on_delete=models.PROTECT, related_name="pick_lists")
    building = models.ForeignKey("registry.Building", on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=255, editable=False)
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("building head"),
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["day", "building_id"]
        constraints = [
            models.UniqueConstraint(fields=["day", "building"], name="picklist_once"),
        ]
        verbose_name = _("pick list")
        verbose_name_plural = _("pick lists")

    def __str__(self) -> str:
        return f"{self.day_id} {self.building_id}"


class PackageOrder(models.Model):
    SCOPE_PERMISSION = (Perm.SUPPLIES_VIEW, Perm.SUPPLIES_DELIVER)

    day = models.ForeignKey(PackageDay, on_delete=models.PROTECT, related_name="orders")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    pick_list = models.ForeignKey(PickList, on_delete=models.PROTECT, related_name="orders")
    area_path = models.CharField(max_length=255, editable=False)
    # The proven phone it was placed from (the resident's proof of who ordered).
    phone = models.CharField(max_length=20)
    seq = models.PositiveSmallIntegerField(default=1)  # the household's n-th order that day
    status = models.CharField(
        max_length=10, choices=OrderStatus.choices, default=OrderStatus.ORDERED
    )
    payment = models.CharField(max_length=8, choices=Payment.choices, default=Payment.UNPAID)
    ordered_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    refusal = models.CharField(_("why not delivered"), max_length=200, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pick_list_id", "household_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["day", "household", "seq"], name="order_household_seq"),
        ]
        indexes = [models.Index(fields=["phone", "day"], name="order_phone_idx")]
        verbose_name = _("package order")
        verbose_name_plural = _("package orders")

    def __str__(self) -> str:
        return f"{self.day_id} {self.household_id} #{self.seq}"
