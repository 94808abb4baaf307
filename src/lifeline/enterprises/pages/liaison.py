"""The enterprise liaison's pages (desktop): the enterprises of their area with their
status and testing compliance, and one enterprise with its sealed staff (names masked),
who is behind on tests, its vehicles and their passes, a positive to report and an
issue to raise."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can, can_anywhere
from lifeline.core.errors import NotFound
from lifeline.enterprises import selectors, services
from lifeline.enterprises.models import Enterprise, LoopStatus
from lifeline.enterprises.pages import forms
from lifeline.supplies.selectors import need_statuses
from lifeline.web.errors import renders_service_errors
from lifeline.web.pages import form_page

FORM = "enterprises/form.html"


def _require_view(request: HttpRequest) -> None:
    if not can_anywhere(request.user, Perm.ENTERPRISES_VIEW):
        raise NotFound()


@login_required
@renders_service_errors
def home(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    actor = request.user
    enterprises = list(selectors.enterprise_list(actor=actor)[:300])
    figures = selectors.compliance_many(actor=actor, enterprises=enterprises)
    rows = [{"enterprise": e, "compliance": figures[e.pk]} for e in enterprises]
    context = {
        "rows": rows,
        "may_manage": can_anywhere(actor, Perm.ENTERPRISES_MANAGE),
        "active": LoopStatus.ACTIVE,
    }
    return render(request, "enterprises/home.html", context)


@login_required
@renders_service_errors
def enterprise_page(request: HttpRequest, pk: int) -> HttpResponse:
    _require_view(request)
    actor = request.user
    enterprise = selectors.enterprise_get(actor=actor, pk=pk)
    figures = selectors.compliance(actor=actor, enterprise=enterprise)
    context = {
        "enterprise": enterprise,
        "contact": selectors.masked_contact(enterprise),
        "compliance": figures,
        "due_by": timezone.localtime(figures.due_by),
        "bubbles": list(enterprise.bubbles.all()),
        "vehicles": selectors.vehicles_with_passes(actor=actor, enterprise=enterprise),
        "needs": _needs_with_status(actor, enterprise),
        "may_manage": can(actor, Perm.ENTERPRISES_MANAGE, path=enterprise.area_path),
        "active": LoopStatus.ACTIVE,
        "closed": LoopStatus.CLOSED,
    }
    return render(request, "enterprises/enterprise.html", context)


def _needs_with_status(actor: Any, enterprise: Enterprise) -> list[dict[str, Any]]:
    """The loop's supply needs with where each stands at the supplies desk (read through
    its public selector; a need the actor may no longer see shows as filed)."""
    needs = list(selectors.needs_of(actor=actor, enterprise=enterprise)[:50])
    statuses = need_statuses(actor=actor, need_ids=[need.need_id for need in needs])
    return [{"need": need, "status": statuses.get(need.need_id)} for need in needs]


def _page(enterprise: Enterprise) -> str:
    return reverse("enterprises:enterprise", args=[enterprise.pk])


def _form(
    request: HttpRequest,
    form_class: Any,
    save: Any,
    *,
    title: str,
    back: str,
    success: Any,
    message: str,
    kwargs: dict[str, Any] | None = None,
    notes: list[str] | None = None,
) -> HttpResponse:
    return form_page(
        request,
        form_class=form_class,
        template=FORM,
        save=save,
        success_url=success,
        success_message=message,
        form_kwargs=kwargs,
        context={"title": title, "back": back, "notes": notes or []},
    )


@login_required
@renders_service_errors
def enterprise_new(request: HttpRequest) -> HttpResponse:
    actor = request.user
    if not can_anywhere(actor, Perm.ENTERPRISES_MANAGE):
        raise NotFound()

    def save(data: dict[str, Any]) -> Any:
        return services.enterprise_create(actor=actor, **data)

    return _form(
        request,
        forms.EnterpriseForm,
        save,
        title=_("Put an enterprise on the whitelist"),
        back=reverse("enterprises:home"),
        success=_page,
        message=_("The enterprise is on the whitelist."),
        kwargs={"actor": actor},
    )


def _managed(request: HttpRequest, pk: int) -> Enterprise:
    enterprise = selectors.enterprise_get(actor=request.user, pk=pk)
    if not can(request.user, Perm.ENTERPRISES_MANAGE, path=enterprise.area_path):
        raise NotFound()
    return enterprise


@login_required
@renders_service_errors
def bubble_new(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = _managed(request, pk)

    def save(data: dict[str, Any]) -> Any:
        return services.bubble_create(actor=request.user, enterprise=enterprise, **data)

    return _form(
        request,
        forms.BubbleForm,
        save,
        title=_("New closed loop"),
        back=_page(enterprise),
        success=_page(enterprise),
        message=_("The loop is set up."),
    )


@login_required
@renders_service_errors
def staff_new(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = _managed(request, pk)

    def save(data: dict[str, Any]) -> Any:
        return services.staff_add(actor=request.user, **data)

    return _form(
        request,
        forms.StaffForm,
        save,
        title=_("Seal a staff member into a loop"),
        back=_page(enterprise),
        success=_page(enterprise),
        message=_("The staff member is in the loop."),
        kwargs={"enterprise": enterprise},
    )


@login_required
@renders_service_errors
def vehicle_new(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = _managed(request, pk)

    def save(data: dict[str, Any]) -> Any:
        return services.vehicle_add(actor=request.user, **data)

    return _form(
        request,
        forms.VehicleForm,
        save,
        title=_("Add a vehicle"),
        back=_page(enterprise),
        success=_page(enterprise),
        message=_("The vehicle is listed."),
        kwargs={"enterprise": enterprise},
    )


@login_required
@renders_service_errors
def vehicle_pass(request: HttpRequest, pk: int) -> HttpResponse:
    vehicle = selectors.vehicle_get(actor=request.user, pk=pk)
    enterprise = _managed(request, vehicle.bubble.enterprise_id)

    def save(data: dict[str, Any]) -> Any:
        return services.vehicle_pass_apply(actor=request.user, vehicle=vehicle, **data)

    return _form(
        request,
        forms.PassForm,
        save,
        title=_("Apply for a logistics pass for %(plate)s") % {"plate": vehicle.plate},
        back=_page(enterprise),
        success=_page(enterprise),
        message=_("The application is with the district."),
    )


@login_required
@renders_service_errors
def positive_new(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = _managed(request, pk)

    def save(data: dict[str, Any]) -> Any:
        return services.positive_report(actor=request.user, **data)

    return _form(
        request,
        forms.PositiveForm,
        save,
        title=_("Report a positive in a loop"),
        back=_page(enterprise),
        success=_page(enterprise),
        message=_("The loop is suspended; the contact and the district are told."),
        kwargs={"enterprise": enterprise},
    )


@login_required
@renders_service_errors
def issue_new(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = _managed(request, pk)

    def save(data: dict[str, Any]) -> Any:
        return services.issue_raise(actor=request.user, enterprise=enterprise, **data)

    return _form(
        request,
        forms.IssueForm,
        save,
        title=_("Raise an issue for %(name)s") % {"name": enterprise.name},
        back=_page(enterprise),
        success=_page(enterprise),
        message=_("The issue is filed as a work order for the district."),
    )


urlpatterns = [
    path("", home, name="home"),
    path("new/", enterprise_new, name="enterprise_new"),
    path("<int:pk>/", enterprise_page, name="enterprise"),
    path("<int:pk>/loops/new/", bubble_new, name="bubble_new"),
    path("<int:pk>/staff/new/", staff_new, name="staff_new"),
    path("<int:pk>/vehicles/new/", vehicle_new, name="vehicle_new"),
    path("<int:pk>/positive/", positive_new, name="positive_new"),
    path("<int:pk>/issues/new/", issue_new, name="issue_new"),
    path("vehicles/<int:pk>/pass/", vehicle_pass, name="vehicle_pass"),
]
