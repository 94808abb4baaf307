"""The liaison's forms: each field checked again by the service it feeds."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lifeline.core.personal import mask_name
from lifeline.enterprises import selectors
from lifeline.enterprises.models import Bubble, EnterpriseKind, SealedStaff
from lifeline.registry.models import Area
from lifeline.supplies.models import Item, Priority


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


class StatusForm(forms.Form):
    """Suspend, reopen or close: only the actions the enterprise's status allows."""

    action = forms.ChoiceField(label=_("Change"), widget=forms.RadioSelect)
    reason = forms.CharField(max_length=200, label=_("Reason"))

    LABELS = {
        "suspend": _("Suspend closed-loop work"),
        "reopen": _("Reopen (the positive is cleared)"),
        "close": _("Close and take off the whitelist"),
    }

    def __init__(self, *args: Any, actions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["action"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(a, self.LABELS[a]) for a in actions]


class NeedForm(_InEnterprise):
    bubble = forms.ModelChoiceField(queryset=Bubble.objects.none(), label=_("Closed loop"))
    item = forms.ModelChoiceField(queryset=Item.objects.filter(active=True), label=_("Item"))
    quantity = forms.DecimalField(
        min_value=Decimal("0.001"), max_digits=14, decimal_places=3, label=_("Quantity")
    )
    needed_by = forms.DateField(
        label=_("Needed by"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    priority = forms.TypedChoiceField(
        choices=Priority.choices, coerce=int, initial=Priority.NORMAL, label=_("Priority")
    )
    canteen = forms.BooleanField(required=False, label=_("For the canteen"))
    note = forms.CharField(max_length=300, required=False, label=_("Note"))


class NoEchoInput(forms.TextInput):
    """A search box that is empty again when the form comes back: what was typed may be a
    whole phone number, which a page never shows in full."""

    def format_value(self, value: Any) -> str | None:
        return None


class LinkForm(_InEnterprise):
    """A member not yet linked, and the resident to find in the registry by phone (whole
    or last four digits) or name; exactly one must be found."""

    staff = StaffChoice(queryset=SealedStaff.objects.none(), label=_("Staff member"))
    query = forms.CharField(
        max_length=50,
        required=False,
        label=_("Find in the registry (phone, its last four digits, or name)"),
        widget=NoEchoInput,
    )

    def __init__(self, *args: Any, enterprise: Any, **kwargs: Any) -> None:
        super().__init__(*args, enterprise=enterprise, **kwargs)
        field = self.fields["staff"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = SealedStaff.objects.filter(
            bubble__enterprise=enterprise, active=True, person__isnull=True
        ).select_related("bubble")
