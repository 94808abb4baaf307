"""Admin views of the audit log and outbox: read-only, since both are append-only records."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from lifeline.core.models import AuditRecord, OutboxMessage


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnlyAdmin):
    list_display = (
        "at",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "purpose",
        "chain",
        "seq",
    )
    list_filter = ("action", "object_type")
    search_fields = ("actor_label", "object_id", "request_id", "purpose")
    date_hierarchy = "at"


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    # The body may address a resident by name, so the list shows only the envelope.
    list_display = ("created_at", "channel", "status", "attempts", "object_type", "object_id")
    list_filter = ("channel", "status")
    exclude = ("recipient", "body")
