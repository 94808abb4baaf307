"""Admin for reference data only (areas, units, facilities).

Households and people are not in the admin on purpose: their pages mask phones and ID
numbers and audit every reveal, which the generic admin cannot do. Every write here is
audited (``core.admin.AuditedModelAdmin``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from lifeline.core.admin import AuditedModelAdmin
from lifeline.registry.models import Area, Facility, Unit


@admin.register(Area)
class AreaAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "level", "path")
    list_filter = ("level",)
    search_fields = ("code", "name", "name_en")
    readonly_fields = ("path", "depth")
    raw_id_fields = ("parent",)

    def audit_area_path(self, obj: Any) -> str:
        return str(obj.path or "")


@admin.register(Unit)
class UnitAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)
    filter_horizontal = ("areas",)


@admin.register(Facility)
class FacilityAdmin(AuditedModelAdmin):
    list_display = ("name", "kind", "area", "phone")
    list_filter = ("kind",)
    search_fields = ("name", "address")
    raw_id_fields = ("area", "unit")
    readonly_fields = ("area_path",)
