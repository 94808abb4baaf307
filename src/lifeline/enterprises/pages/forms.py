"""The liaison's forms: each field checked again by the service it feeds."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lifeline.core.personal import mask_name
from lifeline.enterprises import selectors
from lifeline.enterprises.models import Bubble, EnterpriseKind, SealedStaff
from lifeline.registry.models import Area


class EnterpriseForm(forms.Form):
    area = forms.ModelChoiceField(queryset=Area.objects.none(), label=_("Area"))
    name = forms.CharField(max_length=100, label=_("Enterprise name"))
    kind = forms.ChoiceField(choices=EnterpriseKind.choices, label=_("Kind"))
    contact_name = forms.CharField(max_length=50, label=_("Contact"))
    contact_phone = forms.CharField(max_length=20, label=_("Contact phone"))

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["area"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = selectors.manage_areas(actor=actor)


class BubbleForm(forms.Form):
    name = forms.CharField(max_length=100, label=_("Name of the loop"))
    dormitory = forms.CharField(max_length=200, label=_("Dormitory (address or building)"))
    workplace = forms.CharField(max_length=200, label=_("Workplace"))


class _InEnterprise(forms.Form):
    def __init__(self, *args: Any, enterprise: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.enterprise = enterprise
        if "bubble" in self.fields:
            field = self.fields["bubble"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = Bubble.objects.filter(enterprise=enterprise)


class StaffForm(_InEnterprise):
    bubble = forms.ModelChoiceField(queryset=Bubble.objects.none(), label=_("Closed loop"))
    name = forms.CharField(max_length=50, label=_("Name"))
    phone = forms.CharField(max_length=20, label=_("Phone"))
    critical_role = forms.CharField(max_length=50, required=False, label=_("Critical role"))


class VehicleForm(_InEnterprise):
    bubble = forms.ModelChoiceField(queryset=Bubble.objects.none(), label=_("Closed loop"))
    plate = forms.CharField(max_length=12, label=_("Plate"))
    driver_name = forms.CharField(max_length=50, required=False, label=_("Driver"))


class StaffChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    """Members by their loop and masked name."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.bubble.name} · {mask_name(obj.name)}"


class PositiveForm(_InEnterprise):
    bubble = forms.ModelChoiceField(queryset=Bubble.objects.none(), label=_("Closed loop"))
    staff = StaffChoice(
        queryset=SealedStaff.objects.none(), required=False, label=_("Staff member (if known)")
    )
    note = forms.CharField(max_length=200, required=False, label=_("Note"))

    def __init__(self, *args: Any, enterprise: Any, **kwargs: Any) -> None:
        super().__init__(*args, enterprise=enterprise, **kwargs)
        field = self.fields["staff"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = SealedStaff.objects.filter(
            bubble__enterprise=enterprise, active=True
        ).select_related("bubble")


class IssueForm(forms.Form):
    description = forms.CharField(
        max_length=1000, label=_("What blocks the work"), widget=forms.Textarea(attrs={"rows": 4})
    )


class PassForm(forms.Form):
    route = forms.CharField(max_length=120, label=_("Route"))
    valid_from = forms.DateTimeField(
        label=_("Valid from"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    valid_until = forms.DateTimeField(
        label=_("Valid until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    purpose = forms.CharField(max_length=200, label=_("Purpose"))
