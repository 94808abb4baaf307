"""Admin for enterprises: shown, never written here. Enterprises, loops, staff and
vehicles change only through their services, which check the liaison's area and audit
each change; names and phones of staff stay out of the admin."""

from __future__ import annotations

from django.contrib import admin

from lifeline.core.admin import NeverChanged
from lifeline.enterprises.models import Bubble, Enterprise, SealedStaff, Vehicle


@admin.register(Enterprise)
class EnterpriseAdmin(NeverChanged):
    list_display = ("name", "kind", "status", "whitelist", "area", "created_at")
    list_filter = ("status", "kind", "whitelist")
    search_fields = ("name",)
    exclude = ("contact_phone",)


@admin.register(Bubble)
class BubbleAdmin(NeverChanged):
    list_display = ("name", "enterprise", "status")
    list_filter = ("status",)
    raw_id_fields = ("enterprise",)


@admin.register(SealedStaff)
class SealedStaffAdmin(NeverChanged):
    list_display = ("bubble", "critical_role", "active", "positive_at")
    exclude = ("name", "phone", "person")
    raw_id_fields = ("bubble",)


@admin.register(Vehicle)
class VehicleAdmin(NeverChanged):
    list_display = ("plate", "bubble", "stopped_at")
    raw_id_fields = ("bubble",)
