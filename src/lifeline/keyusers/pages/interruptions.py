"""Interruptions: the list, a new planned interruption (supply points, times, reason), its
preview with the key users and households it affects (masked), publishing (the notice
refusal shown on the page; an override with a reason for those allowed), and an
unplanned outage."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can, can_anywhere
from lifeline.core.errors import NotFound, ServiceError
from lifeline.keyusers import selectors, services
from lifeline.keyusers.models import Interruption, InterruptionStatus, SupplyPoint
from lifeline.keyusers.pages.register import require_view
from lifeline.web.errors import error_text, renders_service_errors
from lifeline.web.pages import form_page

LOCAL_INPUT = "%Y-%m-%dT%H:%M"


def _moment(label: Any, *, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=[LOCAL_INPUT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT),
    )


class PointsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.name} · {obj.get_kind_display()}"


class InterruptionForm(forms.Form):
    supply_points = PointsField(
        queryset=SupplyPoint.objects.none(),
        label=gettext_lazy("Supply points"),
        widget=forms.CheckboxSelectMultiple,
    )
    starts_at = _moment(gettext_lazy("Starts"))
    ends_at = _moment(gettext_lazy("Ends"))
    reason = forms.CharField(max_length=300, label=gettext_lazy("Reason"))

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        points = self.fields["supply_points"]
        assert isinstance(points, forms.ModelMultipleChoiceField)
        points.queryset = selectors.outage_points(actor=actor).order_by("code")


class OutageForm(InterruptionForm):
    starts_at = _moment(gettext_lazy("Since (empty: now)"), required=False)
    ends_at = None  # type: ignore[assignment]


def _require_outages(request: HttpRequest) -> None:
    if not can_anywhere(request.user, Perm.CONTINUITY_OUTAGES):
        raise NotFound()


@login_required
@renders_service_errors
def interruption_list(request: HttpRequest) -> HttpResponse:
    require_view(request)
    actor = request.user
    context = {
        "interruptions": selectors.interruption_list(actor=actor).prefetch_related("supply_points")[
            :200
        ],
        "may_enter": can_anywhere(actor, Perm.CONTINUITY_OUTAGES),
    }
    return render(request, "keyusers/interruptions.html", context)


@login_required
@renders_service_errors
def interruption_new(request: HttpRequest) -> HttpResponse:
    _require_outages(request)
    actor = request.user
    return form_page(
        request,
        form_class=InterruptionForm,
        form_kwargs={"actor": actor},
        template="keyusers/form.html",
        save=lambda data: services.interruption_plan(actor=actor, **data),
        success_url=lambda done: reverse("keyusers:interruption", args=[done.pk]),
        success_message=_("Draft saved. Check who it affects, then publish it."),
        context={"title": _("New planned interruption")},
    )


@login_required
@renders_service_errors
def outage_new(request: HttpRequest) -> HttpResponse:
    _require_outages(request)
    actor = request.user
    return form_page(
        request,
        form_class=OutageForm,
        form_kwargs={"actor": actor},
        template="keyusers/form.html",
        save=lambda data: services.outage_record(actor=actor, **data),
        success_url=lambda done: reverse("keyusers:interruption", args=[done.pk]),
        success_message=_("Outage recorded: those affected are told, work orders are open."),
        context={"title": _("Unplanned outage")},
    )


def _page(
    request: HttpRequest, interruption: Interruption, error: str = "", status: int = 200
) -> HttpResponse:
    actor = request.user
    impact = selectors.interruption_impact(actor=actor, interruption=interruption)
    is_draft = interruption.status == InterruptionStatus.DRAFT
    context = {
        "interruption": interruption,
        "points": interruption.supply_points.order_by("code"),
        "key_users": [selectors.keyuser_row(k) for k in impact.key_users],
        "households": [selectors.household_row(h) for h in impact.households],
        "notice_given": services.notice_given(interruption),
        "may_publish": is_draft
        and can(
            actor,
            (Perm.CONTINUITY_OUTAGES, Perm.CONTINUITY_OVERRIDE_NOTICE),
            path=interruption.area_path,
            unit_id=interruption.utility_id,
        ),
        "may_override": is_draft
        and can(
            actor,
            Perm.CONTINUITY_OVERRIDE_NOTICE,
            path=interruption.area_path,
            unit_id=interruption.utility_id,
        ),
        "may_cancel": is_draft
        and can(
            actor,
            Perm.CONTINUITY_OUTAGES,
            path=interruption.area_path,
            unit_id=interruption.utility_id,
        ),
        "error": error,
    }
    return render(request, "keyusers/interruption.html", context, status=status)


@login_required
@renders_service_errors
def interruption_page(request: HttpRequest, pk: int) -> HttpResponse:
    require_view(request)
    return _page(request, selectors.interruption_get(actor=request.user, pk=pk))


@login_required
@require_POST
@renders_service_errors
def interruption_publish(request: HttpRequest, pk: int) -> HttpResponse:
    interruption = selectors.interruption_get(actor=request.user, pk=pk)
    try:
        done = services.interruption_publish(
            actor=request.user,
            interruption=interruption,
            override_reason=request.POST.get("override_reason", "")[:300],
        )
    except ServiceError as error:
        return _page(request, interruption, error_text(error, field_names=False), error.status)
    messages.success(
        request, _("Published: %(n)s texts are on their way.") % {"n": done.notices_sent}
    )
    return redirect("keyusers:interruption", pk=pk)


@login_required
@require_POST
@renders_service_errors
def interruption_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    interruption = selectors.interruption_get(actor=request.user, pk=pk)
    try:
        services.interruption_cancel(actor=request.user, interruption=interruption)
        messages.success(request, _("The draft is cancelled."))
    except ServiceError as error:
        messages.error(request, error_text(error, field_names=False))
    return redirect("keyusers:interruption", pk=pk)


urlpatterns = [
    path("interruptions/", interruption_list, name="interruptions"),
    path("interruptions/new/", interruption_new, name="interruption_new"),
    path("interruptions/<int:pk>/", interruption_page, name="interruption"),
    path("interruptions/<int:pk>/publish/", interruption_publish, name="interruption_publish"),
    path("interruptions/<int:pk>/cancel/", interruption_cancel, name="interruption_cancel"),
    path("outages/new/", outage_new, name="outage_new"),
]
