"""Every admin that can write is the audited one, inlines included."""

from __future__ import annotations

from django.contrib import admin
from django.test import RequestFactory

from lifeline.core.admin import AuditedInline, AuditedModelAdmin, field_names


def test_every_admin_that_can_write_audits_its_writes(admin_user) -> None:
    # given a superuser, who may do whatever an admin class allows
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    for model, model_admin in admin.site._registry.items():
        writes = (
            model_admin.has_add_permission(request)
            or model_admin.has_change_permission(request)
            or model_admin.has_delete_permission(request)
        )
        if not writes:
            continue  # read-only: the audit log, the outbox, route plans, task results
        # then each admin that writes, and each of its inlines, is the audited kind
        assert isinstance(model_admin, AuditedModelAdmin), model._meta.label
        for inline in model_admin.inlines:
            assert issubclass(inline, AuditedInline), (model._meta.label, inline.__name__)


def test_password_fields_are_audited_as_one_name() -> None:
    assert field_names(["username", "password1", "password2", "usable_password"]) == [
        "password",
        "username",
    ]
