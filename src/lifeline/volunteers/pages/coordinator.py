"""The coordinator's pages: the week's sign-up lists (接龙) with live counts, one list's
roll (confirmed, then waiting in arrival order), new calls, posts and volunteers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can, can_anywhere
from lifeline.core import clock
from lifeline.core.errors import NotFound, ServiceError
from lifeline.core.personal import mask_phone
from lifeline.registry.models import Area
from lifeline.volunteers import selectors, services
from lifeline.volunteers.models import (
    OrgKind,
    Post,
    PostKind,
    Skill,
    VolunteerStatus,
)
from lifeline.web.errors import error_text, renders_service_errors
from lifeline.web.pages import form_page

WEEK = dt.timedelta(days=7)


def _require_view(request: HttpRequest) -> None:
    if not can_anywhere(request.user, (Perm.VOLUNTEERS_VIEW, Perm.VOLUNTEERS_MANAGE)):
        raise NotFound()


@login_required
@renders_service_errors
def home(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    actor = request.user
    now = clock.now()
    shifts = selectors.shift_list(actor=actor, since=now, until=now + WEEK).order_by(
        "starts_at", "post__name"
    )[:200]
    people = (
        selectors.volunteer_list(actor=actor)
        .select_related("area", "building")
        .order_by("status", "name")[:300]
    )
    rows = [
        {"volunteer": v, "phone": mask_phone(v.phone), "skills": _skill_names(v.skills)}
        for v in people
    ]
    context = {
        "shifts": shifts,
        "volunteers": rows,
        "posts": selectors.post_list(actor=actor)[:200],
        "may_manage": can_anywhere(actor, Perm.VOLUNTEERS_MANAGE),
        "pending": VolunteerStatus.PENDING,
        "active": VolunteerStatus.ACTIVE,
    }
    return render(request, "volunteers/home.html", context)


def _skill_names(codes: list[str]) -> str:
    labels = dict(Skill.choices)
    return "、".join(str(labels.get(code, "")) for code in codes if code in labels)


@login_required
@renders_service_errors
def shift_page(request: HttpRequest, pk: int) -> HttpResponse:
    _require_view(request)
    shift = selectors.shift_get(actor=request.user, pk=pk)
    roll = [
        {"booking": b, "phone": mask_phone(b.volunteer.phone)}
        for b in selectors.shift_roll(actor=request.user, shift=shift)
    ]
    context = {
        "shift": shift,
        "roll": roll,
        "may_manage": can(request.user, Perm.VOLUNTEERS_MANAGE, path=shift.area_path),
        "share_url": request.build_absolute_uri(reverse("volunteers:call", args=[shift.pk])),
    }
    return render(request, "volunteers/shift.html", context)


@login_required
@require_POST
@renders_service_errors
def shift_capacity(request: HttpRequest, pk: int) -> HttpResponse:
    shift = selectors.shift_get(actor=request.user, pk=pk)
    try:
        services.shift_capacity_set(
            actor=request.user, shift=shift, capacity=request.POST.get("capacity", "")[:6]
        )
        messages.success(request, _("The head count is changed."))
    except ServiceError as error:
        messages.error(request, error_text(error, field_names=False))
    return redirect("volunteers:shift", pk=shift.pk)


@login_required
@require_POST
@renders_service_errors
def booking_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    booking = selectors.booking_get(actor=request.user, pk=pk)
    try:
        services.booking_cancel(actor=request.user, booking=booking)
        messages.success(request, _("Taken off the list."))
    except ServiceError as error:
        messages.error(request, error_text(error, field_names=False))
    return redirect("volunteers:shift", pk=booking.shift_id)


@login_required
@require_POST
@renders_service_errors
def volunteer_approve(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = selectors.volunteer_get(actor=request.user, pk=pk)
    try:
        services.volunteer_approve(
            actor=request.user, volunteer=volunteer, approve=request.POST.get("approve") != "no"
        )
        messages.success(request, _("Saved."))
    except ServiceError as error:
        messages.error(request, error_text(error, field_names=False))
    return redirect("volunteers:home")


class CallForm(forms.Form):
    post = forms.ModelChoiceField(queryset=Post.objects.none(), label=gettext_lazy("Post"))
    day = forms.DateField(
        label=gettext_lazy("Day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    start = forms.TimeField(
        label=gettext_lazy("Start time"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    end = forms.TimeField(
        label=gettext_lazy("End time"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    capacity = forms.IntegerField(label=gettext_lazy("People needed"), min_value=1, max_value=1000)
    skills = forms.MultipleChoiceField(
        choices=Skill.choices,
        required=False,
        label=gettext_lazy("Skills needed"),
        widget=forms.CheckboxSelectMultiple,
    )
    open_call = forms.BooleanField(
        required=False, initial=True, label=gettext_lazy("Open for sign-up (接龙)")
    )
    note = forms.CharField(max_length=200, required=False, label=gettext_lazy("Note"))

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["post"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = selectors.manage_posts(actor=actor)


def _aware(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


@login_required
@renders_service_errors
def call_new(request: HttpRequest) -> HttpResponse:
    """A new shift, usually a sign-up list: "10 volunteers for tomorrow's testing"."""
    actor = request.user
    if not can_anywhere(actor, Perm.VOLUNTEERS_MANAGE):
        raise NotFound()

    def save(data: dict[str, Any]) -> Any:
        starts = _aware(data["day"], data["start"])
        ends = _aware(data["day"], data["end"])
        if ends <= starts and data["end"] < data["start"]:
            ends += dt.timedelta(days=1)  # a night shift ends the next morning
        return services.shift_create(
            actor=actor,
            post=data["post"],
            starts_at=starts,
            ends_at=ends,
            capacity=data["capacity"],
            skills=data["skills"],
            open_call=data["open_call"],
            note=data["note"],
        )

    tomorrow = timezone.localdate(clock.now()) + dt.timedelta(days=1)
    return form_page(
        request,
        form_class=CallForm,
        form_kwargs={"actor": actor},
        template="volunteers/form.html",
        save=save,
        success_url=lambda shift: reverse("volunteers:shift", args=[shift.pk]),
        success_message=_("The list is open."),
        initial={"day": tomorrow, "start": dt.time(7, 30), "end": dt.time(12, 0), "capacity": 10},
        aliases={"ends_at": "end", "starts_at": "start"},
        context={"title": _("New call for volunteers")},
    )


class PostForm(forms.Form):
    area = forms.ModelChoiceField(queryset=Area.objects.none(), label=gettext_lazy("Area"))
    name = forms.CharField(max_length=100, label=gettext_lazy("Name"))
    kind = forms.ChoiceField(choices=PostKind.choices, label=gettext_lazy("Kind"))
    address = forms.CharField(max_length=255, required=False, label=gettext_lazy("Address"))

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["area"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = selectors.manage_areas(actor=actor)


@login_required
@renders_service_errors
def post_new(request: HttpRequest) -> HttpResponse:
    actor = request.user
    if not can_anywhere(actor, Perm.VOLUNTEERS_MANAGE):
        raise NotFound()
    return form_page(
        request,
        form_class=PostForm,
        form_kwargs={"actor": actor},
        template="volunteers/form.html",
        save=lambda data: services.post_create(actor=actor, **data),
        success_url=reverse("volunteers:home"),
        success_message=_("The post is set up."),
        context={"title": _("New post")},
    )


class VolunteerForm(forms.Form):
    area = forms.ModelChoiceField(queryset=Area.objects.none(), label=gettext_lazy("Serves in"))
    name = forms.CharField(max_length=50, label=gettext_lazy("Name"))
    phone = forms.CharField(
        max_length=20, label=gettext_lazy("Phone"), widget=forms.TextInput(attrs={"type": "tel"})
    )
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

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["area"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = selectors.manage_areas(actor=actor)


@login_required
@renders_service_errors
def volunteer_new(request: HttpRequest) -> HttpResponse:
    actor = request.user
    if not can_anywhere(actor, Perm.VOLUNTEERS_MANAGE):
        raise NotFound()
    return form_page(
        request,
        form_class=VolunteerForm,
        form_kwargs={"actor": actor},
        template="volunteers/form.html",
        save=lambda data: services.volunteer_create(actor=actor, **data),
        success_url=reverse("volunteers:home"),
        success_message=_("The volunteer is registered."),
        context={"title": _("Register a volunteer")},
    )


urlpatterns = [
    path("", home, name="home"),
    path("calls/new/", call_new, name="call_new"),
    path("posts/new/", post_new, name="post_new"),
    path("people/new/", volunteer_new, name="volunteer_new"),
    path("people/<int:pk>/approve/", volunteer_approve, name="volunteer_approve"),
    path("shifts/<int:pk>/", shift_page, name="shift"),
    path("shifts/<int:pk>/capacity/", shift_capacity, name="shift_capacity"),
    path("bookings/<int:pk>/cancel/", booking_cancel, name="booking_cancel"),
]
