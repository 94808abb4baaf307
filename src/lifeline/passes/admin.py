"""Admin for checkpoints (reference data: where passes are checked, by whose staff).

Applications, passes, keys and checks are not here: they change only through the
services, which sign, publish and audit what the generic admin cannot."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from lifeline.core.admin import AuditedModelAdmin
from lifeline.passes.models import Checkpoint


@admin.register(Checkpoint)
class CheckpointAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "area", "unit")
    search_fields = ("code", "name")
    raw_id_fields = ("area", "unit")
    readonly_fields = ("area_path",)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # Scoping reads the stored path: keep it the area's.
        obj.area_path = obj.area.path
        super().save_model(request, obj, form, change)

    def audit_area_path(self, obj: Any) -> str:
        return str(obj.area_path or "")
