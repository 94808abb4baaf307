"""Admin for accounts. Memberships are where scope comes from, so they are edited here, and
every grant, change and password set here is audited (``core.admin.AuditedModelAdmin``).

The admin's login form is the lockout-aware one (``accounts.lockout``), like the login page.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.debug import sensitive_post_parameters

from lifeline.accounts.forms import AdminLoginForm
from lifeline.accounts.lockout import login_unlock
from lifeline.accounts.models import ApiToken, Membership, User
from lifeline.core.admin import CHANGE, CREATE, AuditedInline, AuditedModelAdmin
from lifeline.core.audit import AuditEntry, audit_log_many

admin.site.login_form = AdminLoginForm


class MembershipInline(AuditedInline, admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    extra = 0
    autocomplete_fields = ("area", "unit")

    def audit_action(self, verb: str, obj: models.Model, fields: list[str]) -> str:
        active = getattr(obj, "active", True)
        if verb == CREATE or (verb == CHANGE and "active" in fields and active):
            return "membership.grant"
        if verb == CHANGE and "active" in fields:
            return "membership.revoke"
        return f"membership.{verb}"

    def audit_area_path(self, obj: Any) -> str:
        return str(obj.area.path) if obj.area_id else ""

    def audit_entry(
        self, verb: str, obj: Any, fields: Iterable[str], *, object_id: Any = None
    ) -> AuditEntry:
        if verb == CREATE:  # a grant always names what it grants
            fields = {*fields, "role", *(f for f in ("area", "unit") if getattr(obj, f"{f}_id"))}
        return super().audit_entry(verb, obj, fields, object_id=object_id)


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):  # type: ignore[type-arg]
    audit_name = "user"
    inlines = (MembershipInline,)
    list_display = ("username", "display_name", "is_active", "is_staff")
    fieldsets = (*DjangoUserAdmin.fieldsets, ("Lifeline", {"fields": ("display_name",)}))  # type: ignore[misc]
    actions = ("unlock_login",)

    @method_decorator(sensitive_post_parameters())
    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        with transaction.atomic():
            before = self.get_object(request, unquote(id))
            response = super().user_change_password(request, id, form_url)
            after = self.get_object(request, unquote(id))
            if before is not None and after is not None and after.password != before.password:
                entry = self.audit_entry("password_change", after, ["password"])
                audit_log_many(actor=request.user, entries=[entry])
        return response

    @admin.action(description=gettext_lazy("Unlock log-in after failed attempts"))
    def unlock_login(self, request: HttpRequest, queryset: Any) -> HttpResponse | None:
        users = list(queryset)
        for user in users:
            login_unlock(actor=request.user, username=user.username)
        self.message_user(
            request,
            ngettext(
                "%(count)d account may log in again.",
                "%(count)d accounts may log in again.",
                len(users),
            )
            % {"count": len(users)},
            messages.SUCCESS,
        )
        return None


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin):
    audit_name = "token"
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "token_hash", "created_at", "last_used_at")

    def audit_action(self, verb: str, obj: Any, fields: list[str]) -> str:
        if verb == CHANGE and "revoked_at" in fields and obj.revoked_at is not None:
            return "token.revoke"
        return super().audit_action(verb, obj, fields)


# Groups carry admin permissions: granting them is audited like everything else here.
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(AuditedModelAdmin, DjangoGroupAdmin):
    pass
