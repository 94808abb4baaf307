"""Pass forms: the application (for oneself or a unit's vehicle or crew) and a new
checkpoint. Choices come from what the actor may do; the services check it again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lifeline.core.personal import mask_phone
from lifeline.passes.models import ApplicantKind
from lifeline.passes.selectors import ApplyChoices
from lifeline.registry.models import Area, Unit
from lifeline.web.templatetags.lifeline_web import local_name

_DATETIME = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


def _when(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=_DATETIME,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_DATETIME[0]),
    )


class PhoneInput(forms.TextInput):
    """A phone field that never sends a full number back in a page (a form shown again
    after an error asks for it again): pages carry masked phones only."""

    input_type = "tel"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, None, attrs)
        if value:
            # What was typed, masked, so the applicant sees they need to type it again.
            context["widget"]["attrs"]["placeholder"] = mask_phone(str(value))
            context["widget"]["attrs"]["aria-describedby"] = f"{name}-again"
        return context


def area_label(area: Area) -> str:
    return local_name(area)


class ApplicationForm(forms.Form):
    """One application. ``holder_label`` (a plate) and ``driver_name`` are for a unit's
    vehicle; a person applying for themselves holds the pass under their own masked name."""

    applicant_kind = forms.ChoiceField(label=_("Who is the pass for?"), widget=forms.RadioSelect)
    pass_type = forms.ChoiceField(label=_("Pass type"))
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int, required=False)
    area = forms.TypedChoiceField(label=_("Area the pass covers"), coerce=int)
    holder_label = forms.CharField(
        label=_("Vehicle plate"),
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )
    driver_name = forms.CharField(label=_("Driver"), max_length=50, required=False)
    holder_phone = forms.CharField(
        label=_("Mobile number for the decision (SMS)"),
        max_length=20,
        required=False,
        widget=PhoneInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    route = forms.CharField(label=_("Route"), max_length=120, required=False)
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    valid_from = _when(_("Valid from"))
    valid_until = _when(_("Valid until"))

    def __init__(self, *args: Any, choices: ApplyChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = {
            ApplicantKind.SELF.value: _("Myself"),
            ApplicantKind.UNIT.value: _("A vehicle or crew of my unit"),
        }
        self.choices = choices
        kind_field, type_field = self.fields["applicant_kind"], self.fields["pass_type"]
        assert isinstance(kind_field, forms.ChoiceField)
        assert isinstance(type_field, forms.ChoiceField)
        kind_field.choices = [(k, kinds[k]) for k in choices.kinds]
        if len(choices.kinds) == 1:
            kind_field.initial = choices.kinds[0]
        type_field.choices = [(t.code, t.local_name) for t in choices.pass_types]
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.TypedChoiceField)
        unit_field.choices = [("", "—")] + [(u.pk, _unit_label(u)) for u in choices.units]
        if len(choices.units) == 1:
            unit_field.initial = choices.units[0].pk
        seen: dict[int, str] = {}
        for area in [*choices.self_areas, *choices.unit_areas]:
            seen.setdefault(area.pk, area_label(area))
        area_field = self.fields["area"]
        assert isinstance(area_field, forms.TypedChoiceField)
        area_field.choices = list(seen.items())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("applicant_kind") == ApplicantKind.UNIT:
            if not data.get("unit"):
                self.add_error("unit", _("Choose the unit applying."))
            if not (data.get("holder_label") or "").strip():
                self.add_error("holder_label", _("Give the vehicle's plate."))
        return data


def _unit_label(unit: Unit) -> str:
    return local_name(unit)


class CheckpointForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=100)
    area = forms.TypedChoiceField(label=_("Area"), coerce=int)
    unit = forms.TypedChoiceField(
        label=_("Unit whose staff check passes there"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, areas: list[Area], units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area_field = self.fields["area"]
        unit_field = self.fields["unit"]
        assert isinstance(area_field, forms.TypedChoiceField)
        assert isinstance(unit_field, forms.TypedChoiceField)
        area_field.choices = [(a.pk, area_label(a)) for a in areas]
        unit_field.choices = [("", "—")] + [(u.pk, _unit_label(u)) for u in units]
