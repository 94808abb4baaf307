"""Warehouses, lots and the stock ledger.

Stock is the sum of an append-only ledger: every receipt, transfer, issue, adjustment and
count is a ``LedgerEntry`` with its signed quantity. A lot's ``on_hand`` is that sum kept
beside it, changed only by :mod:`lifeline.supplies.services.ledger` in the same transaction
as the entry and under the lot's row lock, and never below zero (a check constraint too).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm
from lifeline.registry.models import PATH_INDEX_OPCLASS


class WarehouseKind(models.TextChoices):
    LOGISTICS = "logistics", _("Logistics group warehouse")
    RED_CROSS = "red_cross", _("Red Cross warehouse")
    STREET = "street", _("Street stock point")
    COMMUNITY = "community", _("Community store")
    CANTEEN = "canteen", _("Canteen store")
    SITE = "site", _("Post or site store")


# Where donations may be received: the logistics group (and the Red Cross channel).
DONATION_KINDS = (WarehouseKind.LOGISTICS, WarehouseKind.RED_CROSS)


class Warehouse(models.Model):
    """A warehouse or stock point of a unit, placed in the area tree."""

    SCOPE_PERMISSION = Perm.SUPPLIES_VIEW
    SCOPE_UNIT_FIELD = "unit"

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=16, choices=WarehouseKind.choices)
    unit = models.ForeignKey(
        "registry.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    area = models.ForeignKey(
        "registry.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    area_path = models.CharField(max_length=255, editable=False)
    address = models.CharField(_("address"), max_length=255, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        indexes = [
            models.Index(
                fields=["area_path"], name="warehouse_path_idx", opclasses=PATH_INDEX_OPCLASS
            )
        ]
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")

    def __str__(self) -> str:
        return self.name


class Lot(models.Model):
    """One batch of one item in one warehouse: where it came from (a donor's pledge line, a
    purchase, a transfer from another lot), its lot number and expiry, and what is left."""

    SCOPE_PERMISSION = Perm.SUPPLIES_VIEW
    SCOPE_UNIT_FIELD = "unit"

    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="lots")
    # The warehouse's unit and place, copied for scoping.
    unit = models.ForeignKey("registry.Unit", on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=255, editable=False)
    item = models.ForeignKey("supplies.Item", on_delete=models.PROTECT, related_name="lots")
    lot_no = models.CharField(_("lot number"), max_length=40, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    on_hand = models.DecimalField(_("on hand"), default=0, max_digits=14, decimal_places=3)
    # Where it came from: a donation line, or the lot it was moved from (trace upstream).
    pledge_line = models.ForeignKey(
        "supplies.PledgeLine", null=True, blank=True, on_delete=models.PROTECT, related_name="lots"
    )
    source_lot = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="moved_to"
    )
    received_at = models.DateTimeField(_("received"))

    class Meta:
        # First expired, first out; lots without an expiry after, oldest first.
        ordering = [models.F("expires_on").asc(nulls_last=True), "received_at", "pk"]
        indexes = [
            models.Index(fields=["warehouse", "item"], name="lot_wh_item_idx"),
            models.Index(fields=["item", "on_hand"], name="lot_item_onhand_idx"),
            models.Index(fields=["area_path"], name="lot_path_idx", opclasses=PATH_INDEX_OPCLASS),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(on_hand__gte=0), name="lot_never_negative")
        ]
        verbose_name = _("lot")
        verbose_name_plural = _("lots")

    def __str__(self) -> str:
        return f"{self.item} {self.lot_no}".strip()


class EntryKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    ISSUE = "issue", _("Issue")
    ADJUSTMENT = "adjustment", _("Adjustment")
    COUNT = "count", _("Count")


class LedgerEntry(models.Model):
    """One movement of one lot. Append-only: never changed, never deleted."""

    SCOPE_PERMISSION = Perm.SUPPLIES_VIEW
    SCOPE_UNIT_FIELD = "unit"

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="entries")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("registry.Unit", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey("supplies.Item", on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=255, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)  # signed
    balance_after = models.DecimalField(_("balance after"), max_digits=14, decimal_places=3)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    # What caused it ("supplies.shipment", "supplies.packageorder", ...) for the trace.
    ref_type = models.CharField(max_length=40, blank=True)
    ref_id = models.CharField(max_length=40, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["lot", "at"], name="ledger_lot_idx"),
            models.Index(fields=["ref_type", "ref_id"], name="ledger_ref_idx"),
            models.Index(fields=["warehouse", "at"], name="ledger_wh_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(quantity=0), name="ledger_entry_not_zero"),
            models.CheckConstraint(
                condition=models.Q(balance_after__gte=0), name="ledger_balance_not_negative"
            ),
        ]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity}"


class CountStatus(models.TextChoices):
    OPEN = "open", _("Counting")
    SUBMITTED = "submitted", _("Waiting for review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class StockCount(models.Model):
    """A count (盘点) of a warehouse: lines counted by one officer, differences applied as
    adjustments only when another reviews and approves them."""

    SCOPE_PERMISSION = Perm.SUPPLIES_VIEW
    SCOPE_UNIT_FIELD = "unit"

    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="counts")
    unit = models.ForeignKey("registry.Unit", on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=255, editable=False)
    status = models.CharField(max_length=10, choices=CountStatus.choices, default=CountStatus.OPEN)
    started_at = models.DateTimeField()
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("stock count")
        verbose_name_plural = _("stock counts")

    def __str__(self) -> str:
        return f"{self.warehouse_id} {self.started_at:%Y-%m-%d}"


class StockCountLine(models.Model):
    count = models.ForeignKey(StockCount, on_delete=models.CASCADE, related_name="lines")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="+")
    expected = models.DecimalField(_("expected"), max_digits=14, decimal_places=3)
    counted = models.DecimalField(
        _("counted"), null=True, blank=True, max_digits=14, decimal_places=3
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["count", "lot"], name="countline_once"),
            models.CheckConstraint(
                condition=models.Q(counted__isnull=True) | models.Q(counted__gte=0),
                name="countline_counted_not_negative",
            ),
        ]
        verbose_name = _("count line")
        verbose_name_plural = _("count lines")

    def __str__(self) -> str:
        return f"{self.lot_id}: {self.counted}"
