"""The audited admin every app's admin builds on, and read-only views of the audit log and
outbox (both append-only records).

Every write made in the admin (add, change, delete, bulk delete, and each inline row
added, changed or deleted) leaves an audit record in the same transaction, naming the
fields changed, never their values: ``<name>.create``, ``<name>.change``,
``<name>.delete`` with purpose ``admin``, unless an admin names an action its own way
(a membership added on the user page is ``membership.grant``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from lifeline.core.audit import AuditEntry, audit_log_many
from lifeline.core.models import AuditRecord, OutboxMessage
from lifeline.core.outbox import outbox_retry

CREATE, CHANGE, DELETE = "create", "change", "delete"


def field_names(names: Iterable[str]) -> list[str]:
    """Form field names as audited: the creation form's two password fields and its
    "usable password" switch are all the password."""
    return sorted(
        {"password" if n.startswith("password") or n == "usable_password" else n for n in names}
    )


class AuditNaming:
    """How the admin's writes to one model are named in the audit log; shared by model
    admins and inlines."""

    audit_name = ""  # default: the model's name (``unit``, ``facility``)

    def audit_action(self, verb: str, obj: models.Model, fields: list[str]) -> str:
        return f"{self.audit_name or obj._meta.model_name}.{verb}"

    def audit_area_path(self, obj: models.Model) -> str:
        return str(getattr(obj, "area_path", "") or "")

    def audit_entry(
        self, verb: str, obj: models.Model, fields: Iterable[str], *, object_id: Any = None
    ) -> AuditEntry:
        names = field_names(fields)
        return AuditEntry(
            self.audit_action(verb, obj, names),
            object_type=obj._meta.label_lower,
            object_id=obj.pk if object_id is None else object_id,
            area_path=self.audit_area_path(obj),
            purpose="admin",
            fields=names,
        )


class AuditedModelAdmin(AuditNaming, admin.ModelAdmin):  # type: ignore[type-arg]
    """A ModelAdmin whose every write is audited; put it first among the bases
    (``class UserAdmin(AuditedModelAdmin, DjangoUserAdmin)``)."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            fields = field_names(form.changed_data)
            if change and not fields:
                return  # only inline rows changed; they are audited one by one
            entry = self.audit_entry(CHANGE if change else CREATE, obj, fields)
            audit_log_many(actor=request.user, entries=[entry])

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            audit_log_many(actor=request.user, entries=[self.audit_entry(DELETE, obj, ())])
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            entries = [self.audit_entry(DELETE, obj, ()) for obj in queryset]
            audit_log_many(actor=request.user, entries=entries)
            super().delete_queryset(request, queryset)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        naming: AuditNaming = getattr(formset, "audit_naming", None) or AuditNaming()
        # Deleting a row clears its primary key, so what names it is taken first.
        doomed = [(f.instance, f.instance.pk) for f in formset.deleted_forms if f.instance.pk]
        doomed_entries = [naming.audit_entry(DELETE, o, (), object_id=pk) for o, pk in doomed]
        changed_of = {id(f.instance): f.changed_data for f in formset.forms}
        with transaction.atomic():
            super().save_formset(request, form, formset, change)
            entries = [
                naming.audit_entry(CREATE, obj, changed_of.get(id(obj), ()))
                for obj in formset.new_objects
            ]
            entries += [naming.audit_entry(CHANGE, o, n) for o, n in formset.changed_objects]
            entries += doomed_entries
            if entries:
                audit_log_many(actor=request.user, entries=entries)


class AuditedInline(AuditNaming, admin.options.InlineModelAdmin):  # type: ignore[type-arg]
    """An inline whose rows are audited by the parent ``AuditedModelAdmin`` under this
    inline's names; put it first (``class MembershipInline(AuditedInline, TabularInline)``)."""

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        formset.audit_naming = self  # type: ignore[attr-defined]
        return formset


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class NeverChanged(ReadOnlyAdmin):
    """Shown to staff, never written in the admin; no bulk actions either (delete is one):
    rows that change only through their services."""

    actions = None

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_staff)


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
    list_display = (
        "created_at",
        "channel",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "object_type",
        "object_id",
    )
    list_filter = ("channel", "status")
    exclude = ("recipient", "body")
    actions = ["retry_dead_letters"]

    @admin.action(description=_("Retry the selected failed messages"))
    def retry_dead_letters(self, request: HttpRequest, queryset: Any) -> None:
        # Audited by the service, one record per message put back.
        count = outbox_retry(
            actor=request.user, message_ids=list(queryset.values_list("pk", flat=True))
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d failed message queued again.",
                "%(count)d failed messages queued again.",
                count,
            )
            % {"count": count},
        )
