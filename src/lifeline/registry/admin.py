"""Admin for reference data only (areas, units, facilities).

Households and people are not in the admin on purpose: their pages mask phones and ID
numbers and audit every reveal, which the generic admin cannot do.
"""

from __future__ import annotations

from django.contrib import admin

from lifeline.registry.models import Area, Facility, Unit


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "level", "path")
    list_filter = ("level",)
    search_fields = ("code", "name", "name_en")
    readonly_fields = ("path", "depth")
    raw_id_fields = ("parent",)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)
    filter_horizontal = ("areas",)


@admin.register(Facility)
class FacilityAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "kind", "area", "phone")
    list_filter = ("kind",)
    search_fields = ("name", "address")
    raw_id_fields = ("area", "unit")
    readonly_fields = ("area_path",)
