"""The supervisor's page: high-risk contacts to act on (oldest first), counts by workplace
or area and day without names, today's roster; new counsellors and duty windows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can_anywhere
from lifeline.core import clock
from lifeline.core.errors import NotFound, ServiceError
from lifeline.counselling import selectors, services
from lifeline.counselling.pages.forms import CounsellorForm, DutyForm
from lifeline.web.errors import error_text, renders_service_errors
from lifeline.web.pages import form_page

WEEK = 7
SUPERVISE = Perm.COUNSELLING_SUPERVISE


def _require_supervise(request: HttpRequest) -> None:
    if not can_anywhere(request.user, Perm.COUNSELLING_SUPERVISE):
        raise NotFound()


@login_required
@renders_service_errors
def supervisor(request: HttpRequest) -> HttpResponse:
    _require_supervise(request)
    actor = request.user
    today = timezone.localdate(clock.now())
    by = "area" if request.GET.get("by") == "area" else "enterprise"
    counts = selectors.contact_counts(
        actor=actor, since=today - dt.timedelta(days=WEEK - 1), until=today, by=by
    )
    week_ago = clock.now() - dt.timedelta(days=WEEK)
    referrals = list(
        selectors.referral_list(actor=actor, perm=SUPERVISE).filter(made_at__gte=week_ago)[:100]
    )
    states = selectors.referral_order_states(referrals)
    context = {
        "referrals": [(r, states.get(r.pk, "")) for r in referrals],
        "high_risk": selectors.high_risk_open(actor=actor)[:100],
        "counts": counts,
        "total": sum(row.count for row in counts),
        "by": by,
        "roster": selectors.roster(actor=actor, day=today, perm=SUPERVISE)[:300],
        "on_duty": len(selectors.on_duty_for(actor=actor)),
        "today": today,
    }
    return render(request, "counselling/supervisor.html", context)


@login_required
@require_POST
@renders_service_errors
def contact_handle(request: HttpRequest, pk: int) -> HttpResponse:
    contact = selectors.contact_get(actor=request.user, pk=pk)
    try:
        services.contact_handle(
            actor=request.user, contact=contact, note=request.POST.get("note", "")[:300]
        )
        messages.success(request, _("Recorded."))
    except ServiceError as error:
        messages.error(request, error_text(error, field_names=False))
    return redirect("counselling:supervisor")


@login_required
@renders_service_errors
def counsellor_new(request: HttpRequest) -> HttpResponse:
    _require_supervise(request)
    actor = request.user
    return form_page(
        request,
        form_class=CounsellorForm,
        form_kwargs={"actor": actor, "supervise": True},
        template="counselling/form.html",
        save=lambda data: services.counsellor_create(actor=actor, **data),
        success_url=reverse("counselling:supervisor"),
        success_message=_("The counsellor is on the line."),
        context={"title": _("New counsellor")},
    )


@login_required
@renders_service_errors
def duty_new(request: HttpRequest) -> HttpResponse:
    _require_supervise(request)
    actor = request.user

    def save(data: dict[str, Any]) -> Any:
        return services.duty_window_create(actor=actor, **data)

    return form_page(
        request,
        form_class=DutyForm,
        form_kwargs={"actor": actor},
        template="counselling/form.html",
        save=save,
        success_url=reverse("counselling:supervisor"),
        success_message=_("The duty is on the roster."),
        context={"title": _("Add a duty to the roster")},
    )


urlpatterns = [
    path("supervisor/", supervisor, name="supervisor"),
    path("supervisor/counsellors/new/", counsellor_new, name="counsellor_new"),
    path("supervisor/duty/new/", duty_new, name="duty_new"),
    path("contacts/<int:pk>/handle/", contact_handle, name="contact_handle"),
]
