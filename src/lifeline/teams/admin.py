"""Admin for setting teams up: teams, their vehicles, members and shifts. Plans are shown
read-only: they change only through the services, which check versions and audit. Every
write here is audited (``core.admin.AuditedModelAdmin``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from lifeline.core.admin import AuditedInline, AuditedModelAdmin
from lifeline.teams.models import Plan, Shift, Team, TeamMember, Vehicle
from lifeline.teams.problem import common_path


class VehicleInline(AuditedInline, admin.TabularInline):  # type: ignore[type-arg]
    model = Vehicle
    fk_name = "team"
    extra = 0
    fields = ("name", "capacity", "depot_lat", "depot_lng", "shift_start", "shift_end", "active")


class MemberInline(AuditedInline, admin.TabularInline):  # type: ignore[type-arg]
    model = TeamMember
    extra = 0
    raw_id_fields = ("user", "vehicle")
    fields = ("user", "vehicle", "skills", "active")


class ShiftInline(AuditedInline, admin.TabularInline):  # type: ignore[type-arg]
    model = Shift
    extra = 0


@admin.register(Team)
class TeamAdmin(AuditedModelAdmin):
    list_display = ("name", "unit", "area_path", "helps_neighbours", "active")
    list_filter = ("helps_neighbours", "active")
    search_fields = ("name", "unit__name", "unit__code")
    raw_id_fields = ("unit",)
    filter_horizontal = ("areas",)
    readonly_fields = ("area_path",)
    inlines = (VehicleInline, MemberInline, ShiftInline)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        team = form.instance
        # The path the team is seen by follows its service areas.
        team.area_path = common_path([a.path for a in team.areas.all()])
        team.save(update_fields=["area_path"])


@admin.register(Vehicle)
class VehicleAdmin(AuditedModelAdmin):
    list_display = ("name", "team", "capacity", "shift_start", "shift_end", "active")
    list_filter = ("active",)
    search_fields = ("name", "team__name")
    raw_id_fields = ("team",)
    filter_horizontal = ("serves",)


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "day",
        "unit",
        "team",
        "status",
        "version",
        "visits",
        "baseline_km",
        "optimised_km",
        "baseline_missed",
        "optimised_missed",
    )
    list_filter = ("status", "day")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
