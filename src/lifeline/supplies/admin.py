"""Admin for the supplies reference data: item categories, items (with their packs inline),
units of measure and warehouses. Every write here is audited (``core.admin``); a warehouse
is saved through ``warehouse_save``, which keeps its place the area's and refuses to move a
warehouse that holds stock.

The stock ledger is append-only: its entries are shown and never added, changed or deleted
here, by anyone (a superuser included); stock moves only through the ledger's services.
Lots, counts, donors, pledges, needs, allocations, shipments and supply packages are shown
read-only: each changes only through its services, which check and audit what the generic
admin cannot."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from lifeline.core.admin import AuditedInline, AuditedModelAdmin, NeverChanged
from lifeline.core.errors import ServiceError
from lifeline.supplies.models import (
    Donor,
    Item,
    ItemCategory,
    LedgerEntry,
    Lot,
    MeasureUnit,
    Need,
    Pledge,
    Shipment,
    StockCount,
    SupplyPackage,
    Warehouse,
)
from lifeline.supplies.services.catalogue import warehouse_moves_with_stock, warehouse_save


@admin.register(ItemCategory)
class ItemCategoryAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "name_en")
    search_fields = ("code", "name", "name_en")


class PackInline(AuditedInline, admin.TabularInline):  # type: ignore[type-arg]
    model = MeasureUnit
    fk_name = "item"
    extra = 0
    fields = ("code", "name", "name_en", "dimension", "factor")
    verbose_name = _("pack of this item")
    verbose_name_plural = _("packs of this item")


@admin.register(Item)
class ItemAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "name_en", "category", "base_unit", "active")
    list_filter = ("category", "active", "tracks_expiry")
    search_fields = ("code", "name", "name_en")
    inlines = (PackInline,)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "base_unit":
            # A base unit is a general unit, never another item's pack.
            kwargs["queryset"] = MeasureUnit.objects.filter(item__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(MeasureUnit)
class MeasureUnitAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "name_en", "dimension", "factor", "item")
    list_filter = ("dimension",)
    search_fields = ("code", "name", "name_en")
    raw_id_fields = ("item",)


class WarehouseForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Warehouse
        fields = (
            "code",
            "name",
            "kind",
            "unit",
            "area",
            "address",
            "lat",
            "lng",
            "contact_name",
            "contact_phone",
            "active",
        )

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # the instance now holds what was typed
        if warehouse_moves_with_stock(self.instance):
            self.add_error(None, _("This warehouse holds stock: its area and unit cannot change."))


@admin.register(Warehouse)
class WarehouseAdmin(AuditedModelAdmin):
    form = WarehouseForm
    list_display = ("code", "name", "kind", "unit", "area", "active")
    list_filter = ("kind", "active")
    search_fields = ("code", "name", "unit__name", "area__name")
    raw_id_fields = ("unit", "area")
    readonly_fields = ("area_path",)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # The service sets the path, refuses a move with stock and audits the write.
        try:
            warehouse_save(actor=request.user, warehouse=obj, fields=form.changed_data)
        except ServiceError as error:  # pragma: no cover - the form's clean refuses first
            raise forms.ValidationError(str(error.message)) from error


# Read-only views ------------------------------------------------------------------------


@admin.register(LedgerEntry)
class LedgerEntryAdmin(NeverChanged):
    list_display = ("at", "kind", "item", "warehouse", "quantity", "balance_after", "reason")
    list_filter = ("kind", "warehouse")
    list_select_related = ("item", "warehouse")
    date_hierarchy = "at"
    raw_id_fields = ("lot", "warehouse", "unit", "item", "actor")


@admin.register(Lot)
class LotAdmin(NeverChanged):
    list_display = ("item", "warehouse", "lot_no", "expires_on", "on_hand", "received_at")
    list_filter = ("warehouse",)
    list_select_related = ("item", "warehouse")
    search_fields = ("lot_no", "item__code", "item__name")
    raw_id_fields = ("warehouse", "unit", "item", "pledge_line", "source_lot")


@admin.register(StockCount)
class StockCountAdmin(NeverChanged):
    list_display = ("warehouse", "status", "started_at", "reviewed_at")
    list_filter = ("status",)
    raw_id_fields = ("warehouse", "unit", "counted_by", "reviewed_by")


@admin.register(Donor)
class DonorAdmin(NeverChanged):
    # The contact's phone stays out of the list.
    list_display = ("name", "kind", "unit", "created_at")
    list_filter = ("kind",)
    search_fields = ("name",)
    exclude = ("contact_phone",)


@admin.register(Pledge)
class PledgeAdmin(NeverChanged):
    list_display = ("donor", "status", "warehouse", "value", "created_at")
    list_filter = ("status",)
    raw_id_fields = ("donor", "unit", "channel", "warehouse", "created_by")


@admin.register(Need)
class NeedAdmin(NeverChanged):
    # A need may be for a household: who and how to reach them stay out of the admin.
    list_display = ("item", "quantity", "allocated", "delivered", "area", "status", "needed_by")
    list_filter = ("status", "priority")
    list_select_related = ("item", "area")
    exclude = ("contact_phone", "household", "lat", "lng")


@admin.register(Shipment)
class ShipmentAdmin(NeverChanged):
    list_display = ("waybill_no", "status", "from_warehouse", "to_label", "created_at")
    list_filter = ("status",)
    search_fields = ("waybill_no",)
    exclude = ("contact_phone", "code_hash", "signature")
    raw_id_fields = ("from_warehouse", "unit", "to_warehouse", "to_area", "created_by")


@admin.register(SupplyPackage)
class SupplyPackageAdmin(NeverChanged):
    list_display = ("name", "unit", "area", "price", "daily_cap", "active")
    list_filter = ("active",)
