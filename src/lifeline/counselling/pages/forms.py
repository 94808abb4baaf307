"""The counselling pages' forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm
from lifeline.counselling import selectors
from lifeline.counselling.models import (
    Counsellor,
    Language,
    Outcome,
    ReferralBasis,
    ReferralTo,
    Risk,
    Topic,
)
from lifeline.registry.models import Area, AreaLevel, Unit

WORKPLACE_KINDS = (
    Unit.Kind.ENTERPRISE,
    Unit.Kind.UTILITY,
    Unit.Kind.UTILITY_TEAM,
    Unit.Kind.HOSPITAL,
    Unit.Kind.LOGISTICS,
)


class LineForm(forms.Form):
    line = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("Line"), empty_label=None)

    def __init__(self, *args: Any, actor: Any, supervise: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["line"]
        assert isinstance(field, forms.ModelChoiceField)
        if supervise:
            field.queryset = selectors.lines_for(actor=actor, perm=Perm.COUNSELLING_SUPERVISE)
        else:
            field.queryset = selectors.lines_for(actor=actor)


class ContactForm(LineForm):
    topic = forms.ChoiceField(choices=Topic.choices, label=_("Topic"))
    minutes = forms.IntegerField(min_value=0, max_value=600, initial=15, label=_("Minutes"))
    outcome = forms.ChoiceField(choices=Outcome.choices, label=_("Outcome"))
    risk = forms.ChoiceField(choices=Risk.choices, initial=Risk.NONE, label=_("Risk"))
    enterprise = forms.ModelChoiceField(
        queryset=Unit.objects.filter(kind__in=WORKPLACE_KINDS).order_by("name"),
        required=False,
        label=_("Workplace (for counts, no names)"),
    )
    area = forms.ModelChoiceField(
        queryset=Area.objects.filter(level__in=[AreaLevel.DISTRICT, AreaLevel.STREET]).order_by(
            "path"
        ),
        required=False,
        label=_("Area (for counts, no names)"),
    )
    consent_contact = forms.BooleanField(
        required=False, label=_("The caller agrees to leave a name or phone")
    )
    caller_name = forms.CharField(max_length=50, required=False, label=_("Caller's name"))
    caller_phone = forms.CharField(
        max_length=20,
        required=False,
        label=_("Caller's phone"),
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    consent_referral = forms.BooleanField(
        required=False, label=_("The caller agrees to a referral to medical help")
    )
    note = forms.CharField(
        max_length=500,
        required=False,
        label=_("Note (no names)"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MissedCallForm(LineForm):
    phone = forms.CharField(
        max_length=20, label=_("Number of the missed call"), widget=forms.TextInput({"type": "tel"})
    )


class CounsellorForm(LineForm):
    display_name = forms.CharField(max_length=50, label=_("Name shown to callers"))
    public_phone_number = forms.CharField(max_length=24, label=_("Public phone (landline)"))
    languages = forms.MultipleChoiceField(
        choices=Language.choices,
        initial=["zh"],
        label=_("Languages"),
        widget=forms.CheckboxSelectMultiple,
    )
    supervisor = forms.BooleanField(required=False, label=_("Supervisor"))


class DutyForm(forms.Form):
    counsellor: forms.ModelChoiceField[Counsellor] = forms.ModelChoiceField(
        queryset=Counsellor.objects.none(), label=_("Counsellor")
    )
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Ends at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["counsellor"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = selectors.counsellor_list(actor=actor).filter(active=True)


class ReferralForm(forms.Form):
    to = forms.ChoiceField(choices=ReferralTo.choices, label=_("Refer to"))
    basis = forms.ChoiceField(choices=ReferralBasis.choices, label=_("Basis"))
    reason = forms.CharField(max_length=300, required=False, label=_("Reason"))


class HandleForm(forms.Form):
    note = forms.CharField(max_length=300, label=_("What was done"))
