"""The hotline console (channel b) and staff entry (channel c): the caller's number finds
households, people (masked) and their open orders; the operator files or updates an order
on the caller's behalf. Grid workers and community staff use the same page to enter needs
they meet on their rounds."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lifeline.accounts.models import Membership, Role
from lifeline.core.actors import Actor
from lifeline.core.errors import ServiceError
from lifeline.core.personal import mask_phone, normalise_phone, phone_is_valid
from lifeline.core.safetext import refuse_unsafe
from lifeline.registry import selectors as registry
from lifeline.registry import tree
from lifeline.registry.models import AreaLevel
from lifeline.web.htmx import is_htmx
from lifeline.web.templatetags.lifeline_web import local_name
from lifeline.workorders import selectors, services
from lifeline.workorders.models import Channel
from lifeline.workorders.pages.common import (
    INTAKE,
    error_text,
    extra_from,
    field_rows,
    permission_required,
)
from lifeline.workorders.providers import medical_guidance

MAX_HOUSEHOLDS = 10
SESSION_CALLER = "hotline_caller_phone"
ACCESS_PARTIAL = "health/partials/access_decision.html"


def _caller(actor: Actor, phone: str, person_id: str) -> dict[str, Any]:
    phone = normalise_phone(phone)
    context: dict[str, Any] = {
        "phone": phone,
        "phone_masked": mask_phone(phone),
        "households": [],
        "orders": [],
        "person": None,
    }
    if not phone:
        return context
    if not phone_is_valid(phone):
        context["phone_error"] = _("Not a valid phone number.")
        return context
    households = list(registry.households_by_phone(actor=actor, phone=phone)[:MAX_HOUSEHOLDS])
    context["households"] = [
        {
            "household": h,
            "members": registry.person_list(actor=actor, household=h).prefetch_related(
                "vulnerabilities"
            ),
        }
        for h in households
    ]
    context["orders"] = selectors.workorder_open_for_caller(
        actor=actor, household_ids=[h.pk for h in households], phone=phone
    )
    if person_id.isdigit():
        person = registry.person_get(actor=actor, pk=int(person_id))
        if person.household_id in {h.pk for h in households}:
            context["person"] = person
            context["decision"] = medical_guidance(actor=actor, person=person)
    return context


def _channel(actor: Actor) -> str:
    """How the need came in: a call to an operator of the hotline, else staff entry. A
    label on the order (for the metrics by channel), not a permission: what the actor may
    file, and where, is ``workorder_create``'s to decide."""
    on_hotline = Membership.objects.filter(
        user_id=actor.pk, active=True, role=Role.HOTLINE_OPERATOR
    ).exists()
    return Channel.HOTLINE if on_hotline else Channel.STAFF


def _form_context(actor: Actor, **more: Any) -> dict[str, Any]:
    return {
        "categories": selectors.category_list(),
        "places": registry.area_list(actor=actor, level=AreaLevel.COMMUNITY)[:500],
        "access_partial": ACCESS_PARTIAL,
        **more,
    }


@require_http_methods(["GET", "POST"])
@permission_required(INTAKE)
def console(request: HttpRequest) -> HttpResponse:
    """GET shows the current caller (kept in the session); POST takes a new caller's number.

    The number travels only in the POST body and the session, never in a URL or back in
    the page, where it would end up in logs, history and screenshots: pages show it masked.
    """
    if request.method == "POST":
        request.session[SESSION_CALLER] = normalise_phone(request.POST.get("phone", "")[:20])
    phone = str(request.session.get(SESSION_CALLER, ""))
    context = _form_context(
        request.user, **_caller(request.user, phone, request.GET.get("person", ""))
    )
    if is_htmx(request):
        return render(request, "workorders/partials/caller.html", context)
    return render(request, "workorders/hotline.html", context)


@require_POST
@permission_required(INTAKE)
def create(request: HttpRequest) -> HttpResponse:
    """File the order; the answer says "call 120 now" when the words call for it."""
    actor, data = request.user, request.POST
    channel = _channel(actor)
    try:
        refuse_unsafe(data)
        household = (
            registry.household_get(actor=actor, pk=int(data["household"]))
            if data.get("household", "").isdigit()
            else None
        )
        person = (
            registry.person_get(actor=actor, pk=int(data["person"]))
            if data.get("person", "").isdigit()
            else None
        )
        area = (
            tree.area_get(actor=actor, pk=int(data["area"]))
            if data.get("area", "").isdigit() and household is None and person is None
            else None
        )
        intake = services.workorder_create(
            actor=actor,
            description=data.get("description", ""),
            category_code=data.get("category", ""),
            channel=channel,
            area=area,
            household=household,
            person=person,
            contact_name=data.get("contact_name", ""),
            contact_phone=str(request.session.get(SESSION_CALLER, "")),
            extra=extra_from(data),
            address=data.get("address", ""),
        )
    except ServiceError as error:
        category = selectors.category_list().filter(code=data.get("category", "")).first()
        context = _form_context(
            actor,
            phone=str(request.session.get(SESSION_CALLER, "")),
            error=error_text(error),
            fields=field_rows(category, extra_from(data)),
            posted=data,
        )
        template = "workorders/partials/create_form.html"
        if not is_htmx(request):
            template = "workorders/hotline.html"
        return render(request, template, context, status=400)
    if is_htmx(request):
        # The answer also brings the caller's open orders again (an out-of-band swap of
        # the panel) and a fresh form for the next request of the same call.
        phone = str(request.session.get(SESSION_CALLER, ""))
        caller = _caller(actor, phone, str(person.pk) if person is not None else "")
        context = _form_context(
            actor,
            **caller,
            intake=intake,
            order=intake.order,
            refresh_orders=bool(phone) and not caller.get("phone_error"),
        )
        response = render(request, "workorders/partials/created.html", context, status=201)
        response["HX-Trigger"] = "workorderFiled"
        return response
    # Post/redirect/get: reloading the answer must not file the order again.
    live = intake.duplicate_of or intake.order
    if intake.call_120:
        call_120 = _("Tell the caller to call 120 now. A critical medical order was filed as well.")
        messages.warning(request, call_120)
    if intake.duplicate_of is not None:
        text = _("Already being handled as order %(number)s; the call was added to it.")
    else:
        text = _("Order %(number)s filed and sent to %(unit)s.")
    unit = live.responsible_unit
    messages.success(
        request, text % {"number": live.number, "unit": local_name(unit) if unit else "—"}
    )
    return redirect("workorders:hotline")  # the console, ready for the next call


@require_POST
@permission_required(INTAKE)
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    """Add what the caller says to one of their open orders."""
    order = selectors.workorder_get(actor=request.user, pk=pk)
    context: dict[str, Any] = {"order": order}
    status = 200
    try:
        refuse_unsafe(request.POST)
        services.workorder_comment(
            actor=request.user, order=order, note=request.POST.get("note", "")
        )
        context["saved"] = True
    except ServiceError as error:
        context["error"], status = error_text(error), 400
    return render(request, "workorders/partials/caller_order.html", context, status=status)
