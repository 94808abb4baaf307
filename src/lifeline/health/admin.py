"""Admin for the medical-access reference data: hospitals and the versioned rule table.

Saving a rule table never edits it: the edited rows become the next version, put in force
through ``rule_table_publish`` (validated, audited); the version saved from stays as it
was, so decisions made under it still explain themselves. An invalid table is refused on
the form, with the validator's sentences, and nothing is written.

Health statuses and decisions are not here on purpose: they are personal health data.
Every write here is audited: hospitals by ``core.admin.AuditedModelAdmin``, rule tables by
``rule_table_publish`` (this admin never saves a table or a rule itself).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lifeline.core.admin import AuditedInline, AuditedModelAdmin
from lifeline.health.models import DesignatedHospital, Rule, RuleTable
from lifeline.health.rules import DIMENSIONS, RuleSpec
from lifeline.health.services.tables import (
    may_publish_rules,
    rule_table_publish,
    rule_table_validate,
    spec_from_mapping,
)
from lifeline.health.vocab import CodeColour, Need, Notify, Quarantine, RiskLevel, Urgency

_CHOICES = {
    "colours": CodeColour.choices,
    "quarantines": Quarantine.choices,
    "risks": RiskLevel.choices,
    "needs": Need.choices,
    "urgencies": Urgency.choices,
}


class RuleForm(forms.ModelForm):  # type: ignore[type-arg]
    notify = forms.CharField(
        required=False,
        label=gettext_lazy("who is told, first first"),
        help_text=", ".join(Notify.values),
    )

    class Meta:
        model = Rule
        fields = (
            "order",
            "name",
            *DIMENSIONS,
            "where",
            "special_group",
            "how",
            "notify",
            "instructions_zh",
            "instructions_en",
            "source_text",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for dimension, choices in _CHOICES.items():
            self.fields[dimension] = forms.MultipleChoiceField(
                choices=choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                label=getattr(Rule._meta.get_field(dimension), "verbose_name", dimension),
            )
        if self.instance.pk:
            self.initial["notify"] = ", ".join(self.instance.notify or [])

    def clean_notify(self) -> list[str]:
        text = self.cleaned_data.get("notify") or ""
        return [part.strip() for part in text.replace("，", ",").split(",") if part.strip()]


class RuleFormSet(forms.BaseInlineFormSet):  # type: ignore[type-arg]
    def candidate_specs(self) -> list[RuleSpec]:
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        kept.sort(key=lambda f: f.cleaned_data.get("order") or 0)
        return [spec_from_mapping(f.cleaned_data) for f in kept]

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        orders = [
            f.cleaned_data.get("order")
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        if len(orders) != len(set(orders)):
            raise ValidationError(_("Two rules have the same order."))
        problems = rule_table_validate(rules=self.candidate_specs())
        if problems:
            raise ValidationError(problems)


class RuleInline(AuditedInline, admin.StackedInline):  # type: ignore[type-arg]
    model = Rule
    form = RuleForm
    formset = RuleFormSet
    extra = 0
    ordering = ("order",)


@admin.register(RuleTable)
class RuleTableAdmin(AuditedModelAdmin):
    list_display = ("version", "status", "in_force_from", "in_force_to", "created_by")
    list_filter = ("status",)
    fields = (
        "notes",
        "version",
        "status",
        "based_on",
        "created_by",
        "created_at",
        "in_force_from",
        "in_force_to",
    )
    readonly_fields = (
        "version",
        "status",
        "based_on",
        "created_by",
        "created_at",
        "in_force_from",
        "in_force_to",
    )
    inlines = (RuleInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and may_publish_rules(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and may_publish_rules(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # decisions point at every published version

    def save_model(self, request: HttpRequest, obj: RuleTable, form: Any, change: bool) -> None:
        pass  # the new version is written in save_related, once the rules are known

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        rule_sets = [fs for fs in formsets if isinstance(fs, RuleFormSet)]
        specs = rule_sets[0].candidate_specs() if rule_sets else []
        for formset in rule_sets:  # the admin's change message reads these; nothing saved
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        based_on = RuleTable.objects.get(pk=form.instance.pk) if change else None
        table = rule_table_publish(
            actor=request.user,
            rules=specs,
            notes=form.cleaned_data.get("notes", ""),
            based_on=based_on,
        )
        # The admin logs and redirects to the object it saved: make that the new version.
        for field in RuleTable._meta.concrete_fields:
            setattr(form.instance, field.attname, getattr(table, field.attname))
        form.instance._state.adding = False
        self.message_user(
            request,
            _("Version %(version)d is now in force.") % {"version": table.version},
            messages.SUCCESS,
        )


@admin.register(DesignatedHospital)
class DesignatedHospitalAdmin(AuditedModelAdmin):
    list_display = ("facility", "role", "district", "special_group", "active")
    list_filter = ("role", "special_group", "active")
    search_fields = ("facility__name",)
    raw_id_fields = ("facility", "district")
