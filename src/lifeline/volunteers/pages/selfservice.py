"""The volunteer's own phone pages beyond duty, with no account (the phone is proven by
the resident pages' one-time code): registering as a volunteer of a community, the times
I cannot serve, and my task sheet for the day."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lifeline.core.errors import NotFound, ServiceError
from lifeline.registry.models import Area
from lifeline.volunteers import selectors
from lifeline.volunteers.models import OrgKind, Skill, Unavailability, Volunteer, VolunteerStatus
from lifeline.volunteers.pages.phone import prove_phone
from lifeline.volunteers.pages.sheet import day_sheet, neighbours_for_head, parse_day
from lifeline.volunteers.services import availability, registration
from lifeline.web.errors import error_text
from lifeline.web.pages import form_page
from lifeline.workorders.providers import verified_phone

LOCAL_MINUTE = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class CommunityField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        above = obj.parent.name if obj.parent_id else ""
        return f"{above} · {obj.name}" if above else str(obj.name)


class RegisterForm(forms.Form):
    area = CommunityField(queryset=Area.objects.none(), label=gettext_lazy("Community"))
    name = forms.CharField(max_length=50, label=gettext_lazy("Name"))
    skills = forms.MultipleChoiceField(
        choices=Skill.choices,
        required=False,
        label=gettext_lazy("Skills"),
        widget=forms.CheckboxSelectMultiple,
    )
    org_kind = forms.ChoiceField(choices=OrgKind.choices, label=gettext_lazy("Organisation"))
    org_name = forms.CharField(
        max_length=100, required=False, label=gettext_lazy("Organisation name")
    )
    max_day_hours = forms.IntegerField(initial=12, label=gettext_lazy("Most hours a day"))
    max_week_hours = forms.IntegerField(initial=60, label=gettext_lazy("Most hours a week"))
    sms_ok = forms.BooleanField(
        required=False, initial=True, label=gettext_lazy("Texts about my shifts are welcome")
    )
    consent = forms.BooleanField(
        label=gettext_lazy(
            "I agree that the community keeps my name, phone and skills to organise volunteers."
        ),
        error_messages={
            "required": gettext_lazy("Please agree to the use of your name and phone.")
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["area"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = registration.communities_to_join()


def _mine(phone: str) -> list[Volunteer]:
    return list(selectors.volunteers_of_phone(phone=phone).select_related("area"))


@never_cache
def register(request: HttpRequest) -> HttpResponse:
    """Register this phone as a volunteer of a community; a coordinator approves it."""
    phone = verified_phone(request)
    if not phone:
        return prove_phone(request)
    return form_page(
        request,
        form_class=RegisterForm,
        template="volunteers/phone/register.html",
        save=lambda data: registration.volunteer_register(phone=phone, **data),
        success_url=reverse("volunteers:my_duty"),
        success_message=_(
            "Thank you! The coordinator of the community approves your registration."
        ),
        context=lambda: {"people": _mine(phone)},
    )


class AwayForm(forms.Form):
    volunteer = forms.TypedChoiceField(coerce=int, label=gettext_lazy("Where I serve"))
    starts_at = forms.DateTimeField(
        label=gettext_lazy("From"),
        input_formats=LOCAL_MINUTE,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MINUTE[0]),
    )
    ends_at = forms.DateTimeField(
        label=gettext_lazy("Until"),
        input_formats=LOCAL_MINUTE,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MINUTE[0]),
    )
    note = forms.CharField(max_length=100, required=False, label=gettext_lazy("Note"))

    def __init__(self, *args: Any, people: list[Volunteer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["volunteer"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(v.pk, v.area.name) for v in people]
        if len(people) == 1:
            field.initial = people[0].pk
            field.widget = forms.HiddenInput()


def _serving(phone: str) -> list[Volunteer]:
    return [v for v in _mine(phone) if v.status != VolunteerStatus.SUSPENDED]


@never_cache
def away(request: HttpRequest) -> HttpResponse:
    """The times I cannot serve: the list, a form to add one, a button to take one back."""
    phone = verified_phone(request)
    if not phone:
        return prove_phone(request)
    people = _serving(phone)
    if not people:
        return render(request, "volunteers/phone/away.html", {"people": []})
    by_pk = {v.pk: v for v in people}

    def save(data: dict[str, Any]) -> Unavailability:
        return availability.unavailability_add(
            volunteer=by_pk[data["volunteer"]],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            note=data["note"],
        )

    def listing() -> dict[str, Any]:
        entries = [
            (v, entry)
            for v in people
            for entry in availability.unavailability_upcoming(volunteer=v)
        ]
        entries.sort(key=lambda pair: pair[1].starts_at)
        return {"people": people, "entries": entries, "several": len(people) > 1}

    return form_page(
        request,
        form_class=AwayForm,
        form_kwargs={"people": people},
        template="volunteers/phone/away.html",
        save=save,
        success_url=reverse("volunteers:phone_away"),
        success_message=_("Noted: you will not be booked then."),
        context=listing,
    )


@never_cache
@require_POST
def away_remove(request: HttpRequest, pk: int) -> HttpResponse:
    phone = verified_phone(request)
    if not phone:
        return prove_phone(request)
    entry = Unavailability.objects.filter(pk=pk, volunteer__phone=phone).select_related("volunteer")
    found = entry.first()
    try:
        if found is None:
            raise NotFound(_("That time away was not found."))
        availability.unavailability_remove(volunteer=found.volunteer, pk=pk)
    except ServiceError as error:
        messages.error(request, error_text(error, field_names=False))
    else:
        messages.success(request, _("Taken back: you may be booked then again."))
    return redirect("volunteers:phone_away")


@never_cache
def my_sheet(request: HttpRequest) -> HttpResponse:
    """My task sheet for the day: my shifts, and for a building head the building's
    vulnerable residents (counts, masked names and rooms) and orders to deliver."""
    phone = verified_phone(request)
    if not phone:
        return prove_phone(request)
    day = parse_day(request.GET.get("day", ""))
    if day is None:
        context: dict[str, Any] = {"error": _("Give the day as YYYY-MM-DD."), "sheets": []}
        return render(request, "volunteers/phone/sheet.html", context, status=400)
    people = _mine(phone)
    sheets = [
        day_sheet(v, day, neighbours_for_head(v.building) if v.building else None)
        for v in people
        if v.status == VolunteerStatus.ACTIVE
    ]
    context = {"sheets": sheets, "day": day, "registered": bool(people)}
    return render(request, "volunteers/phone/sheet.html", context)


urlpatterns = [
    path("v/register/", register, name="phone_register"),
    path("v/away/", away, name="phone_away"),
    path("v/away/<int:pk>/remove/", away_remove, name="phone_away_remove"),
    path("v/sheet/", my_sheet, name="phone_sheet"),
]
