"""Admin for volunteers: shown, never written here. Volunteers, posts, shifts and
bookings change only through their services, which check the coordinator's area, keep
the sign-up counts under their locks and audit each change; a volunteer's phone stays out
of the admin (it is revealed, audited, on the coordinator's pages)."""

from __future__ import annotations

from django.contrib import admin

from lifeline.core.admin import NeverChanged
from lifeline.volunteers.models import Booking, Post, Shift, TaskGroup, Volunteer


@admin.register(Volunteer)
class VolunteerAdmin(NeverChanged):
    list_display = ("name", "org_kind", "status", "area", "created_at")
    list_filter = ("status", "org_kind")
    search_fields = ("name",)
    exclude = ("phone", "person", "user")


@admin.register(TaskGroup)
class TaskGroupAdmin(NeverChanged):
    list_display = ("name", "kind", "area")
    list_filter = ("kind",)


@admin.register(Post)
class PostAdmin(NeverChanged):
    list_display = ("name", "kind", "area", "group", "active")
    list_filter = ("kind", "active")


@admin.register(Shift)
class ShiftAdmin(NeverChanged):
    list_display = ("post", "starts_at", "ends_at", "capacity", "confirmed", "waiting")
    raw_id_fields = ("post", "created_by")


@admin.register(Booking)
class BookingAdmin(NeverChanged):
    list_display = ("shift", "status", "source", "position", "created_at")
    list_filter = ("status", "source")
    raw_id_fields = ("shift", "volunteer")
