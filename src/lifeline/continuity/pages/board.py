"""The desktop pages of the utility's duty desk and the command centre: the board of
lifeline units (latest figures, days of cover, staff against the minimum, open
problems) and one unit's page (report figures and staff, history, problem list)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can_anywhere
from lifeline.continuity import selectors, services
from lifeline.continuity.models import LifelineUnit
from lifeline.core.errors import NotFound, ServiceError
from lifeline.web.errors import error_text, renders_service_errors


def _require_view(request: HttpRequest) -> None:
    if not can_anywhere(request.user, Perm.CONTINUITY_VIEW):
        raise NotFound()


@login_required
@renders_service_errors
def home(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    units = list(selectors.lifeline_unit_list(actor=request.user).order_by("sector", "pk")[:200])
    problems = selectors.problem_list(actor=request.user, open_only=True).order_by(
        "work_order__due_resolution_at", "pk"
    )[:100]
    return render(
        request,
        "continuity/home.html",
        {
            "lines": selectors.unit_status(units=units),
            "problems": problems,
            "may_set_up": selectors.may_set_up(actor=request.user),
        },
    )


def _report(request: HttpRequest, unit: LifelineUnit) -> str:
    """Run the posted report; the error text for the form, or "" when it went in."""
    try:
        if request.POST.get("what") == "staff":
            services.staff_report(
                actor=request.user,
                lifeline_unit=unit,
                role_id=request.POST.get("role", ""),
                on_site=request.POST.get("on_site", ""),
            )
        else:
            services.figure_report(
                actor=request.user,
                lifeline_unit=unit,
                figure_id=request.POST.get("figure", ""),
                value=request.POST.get("value", ""),
                note=request.POST.get("note", ""),
            )
    except ServiceError as error:
        if isinstance(error, NotFound):
            raise
        return error_text(error, field_names=False)
    return ""


@login_required
@renders_service_errors
@require_http_methods(["GET", "POST"])
def unit_page(request: HttpRequest, pk: int) -> HttpResponse:
    _require_view(request)
    unit = selectors.lifeline_unit_get(actor=request.user, unit_id=pk)
    error = ""
    if request.method == "POST":
        error = _report(request, unit)
        if not error:
            messages.success(request, _("Report saved."))
            return redirect("continuity:unit", pk=unit.pk)
    context: dict[str, Any] = {
        "line": selectors.unit_status(units=[unit])[0],
        "unit": unit,
        "may_report": selectors.may_report(actor=request.user, lifeline_unit=unit),
        "may_manage": selectors.may_manage(actor=request.user, lifeline_unit=unit),
        "thresholds": selectors.threshold_list(actor=request.user, lifeline_unit=unit),
        "error": error,
        "posted": request.POST if error else {},
        "figure_reports": selectors.figure_report_list(actor=request.user, lifeline_unit=unit),
        "staff_reports": selectors.staff_report_list(actor=request.user, lifeline_unit=unit),
        "problems": selectors.problem_list(actor=request.user, lifeline_unit=unit).order_by(
            "-opened_at", "-pk"
        )[:100],
    }
    return render(request, "continuity/unit.html", context, status=400 if error else 200)


urlpatterns = [
    path("", home, name="home"),
    path("units/<int:pk>/", unit_page, name="unit"),
]
