"""Shipments: approved allocations leaving a warehouse with a waybill, delivered to the
need's contact, who confirms what arrived (a one-time code or a signature on a phone)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm
from lifeline.registry.models import PATH_INDEX_OPCLASS


class ShipmentStatus(models.TextChoices):
    PREPARED = "prepared", _("Prepared")
    DISPATCHED = "dispatched", _("On its way")
    DELIVERED = "delivered", _("Delivered")
    DISCREPANCY = "discrepancy", _("Delivered with a discrepancy")
    CANCELLED = "cancelled", _("Cancelled")


class Shipment(models.Model):
    """What goes from one warehouse to one place (a street, a community, a canteen) for
    one or more needs with the same contact. Its area is the destination's; the sending
    warehouse's unit reads it too."""

    SCOPE_PERMISSION = Perm.SUPPLIES_VIEW
    SCOPE_UNIT_FIELD = "unit"

    waybill_no = models.CharField(_("waybill"), max_length=24, unique=True)
    from_warehouse = models.ForeignKey(
        "supplies.Warehouse", on_delete=models.PROTECT, related_name="shipments_out"
    )
    unit = models.ForeignKey("registry.Unit", on_delete=models.PROTECT, related_name="+")
    # Received into a stock point (a community store), or handed over where it is needed.
    to_warehouse = models.ForeignKey(
        "supplies.Warehouse",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="shipments_in",
    )
    to_area = models.ForeignKey("registry.Area", on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=255, editable=False)
    to_label = models.CharField(_("to"), max_length=150)
    contact_name = models.CharField(_("receiving contact"), max_length=50)
    contact_phone = models.CharField(_("receiving phone"), max_length=20)
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=ShipmentStatus.choices, default=ShipmentStatus.PREPARED
    )
    # The hash of the one-time code texted to the receiving contact.
    code_hash = models.CharField(max_length=64, blank=True)
    # The route planner's visit for it (a teams delivery), when one was made.
    delivery_id = models.BigIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    dispatched_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    received_by = models.CharField(_("received by"), max_length=50, blank=True)
    # A signature drawn on the phone (a PNG data URL), when one was given instead of a code.
    signature = models.TextField(blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["area_path"], name="shipment_path_idx", opclasses=PATH_INDEX_OPCLASS
            ),
            models.Index(fields=["status", "created_at"], name="shipment_status_idx"),
        ]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")

    def __str__(self) -> str:
        return self.waybill_no


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    need = models.ForeignKey(
        "supplies.Need", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lot = models.ForeignKey("supplies.Lot", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey("supplies.Item", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity sent"), max_digits=14, decimal_places=3)
    received = models.DecimalField(
        _("received"), null=True, blank=True, max_digits=14, decimal_places=3
    )
    discrepancy = models.CharField(_("discrepancy"), max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="shipline_positive"),
            models.CheckConstraint(
                condition=models.Q(received__isnull=True) | models.Q(received__gte=0),
                name="shipline_received_not_negative",
            ),
        ]
        verbose_name = _("shipment line")
        verbose_name_plural = _("shipment lines")

    def __str__(self) -> str:
        return f"{self.item_id} × {self.quantity}"
