"""The resident form (channel a): mobile-first, no login. A phone proven by a one-time code
opens, for two hours, a session in which the resident files requests, follows their own
and, once one is resolved, says with one tap whether the need was met (without a session,
with the code sent when it was resolved).

Words of an emergency (``services.emergencies``) show their banner as the text arrives in
the browser and again on the answer page, checked by the server.

Sessions live in the database, like the rate limits, so any app server serves any
step of the flow.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lifeline.core import clock
from lifeline.core.errors import NotFound, ServiceError
from lifeline.core.safetext import refuse_unsafe
from lifeline.workorders import selectors, services
from lifeline.workorders.models import Channel, Status
from lifeline.workorders.pages.common import error_text, extra_from, field_rows
from lifeline.workorders.services.emergencies import (
    EMERGENCIES,
    Emergency,
    emergencies_in,
    emergency_table,
)
from lifeline.workorders.services.resident import workorder_answer_as_resident

SESSION_PHONE = "resident_phone"
SESSION_UNTIL = "resident_until"
SESSION_PENDING = "resident_pending_phone"
SESSION_NEXT = "resident_next"  # a page of this site to return to once the phone is proven
VERIFIED_FOR = dt.timedelta(hours=2)

# What each status means for the resident who filed the order.
STATUS_TEXT = {
    Status.RECEIVED: gettext_lazy("We have your request and are finding who handles it."),
    Status.DISPATCHED: gettext_lazy("Sent to the unit in charge; they will take it up soon."),
    Status.ACCEPTED: gettext_lazy("The unit in charge has taken it up."),
    Status.IN_PROGRESS: gettext_lazy("Someone is working on it."),
    Status.RESOLVED: gettext_lazy("The unit says it is done. Please tell us if your need is met."),
    Status.CLOSED: gettext_lazy("Finished."),
    Status.REOPENED: gettext_lazy("Opened again; the unit in charge will handle it again."),
    Status.CANCELLED: gettext_lazy("Cancelled."),
}


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: a forwarded header is the client's to forge unless a trusted proxy
    # rewrites it, and the proxy's address is then what REMOTE_ADDR holds.
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


def verified_phone(request: HttpRequest) -> str:
    until = request.session.get(SESSION_UNTIL, "")
    try:
        live = bool(until) and dt.datetime.fromisoformat(until) > clock.now()
    except ValueError:
        live = False
    return str(request.session.get(SESSION_PHONE, "")) if live else ""


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> Any:
    return render(request, f"workorders/resident/{template}", context, status=status)


def _banners(found: list[Emergency], *, all_kinds: bool) -> list[dict[str, Any]]:
    """The banners to render: on the form every kind (hidden unless found, for the
    browser's check to show), on an answer page only the ones found."""
    kinds = EMERGENCIES if all_kinds else found
    return [{"emergency": e, "shown": e in found} for e in kinds]


@never_cache
def start(request: HttpRequest) -> HttpResponse:
    """Step 1: the phone number; a code is sent to it. ``?next=`` (a page of this site, such
    as a volunteers' sign-up list) is where step 2 returns once the phone is proven."""
    if request.method != "POST":
        wanted = request.GET.get("next", "")
        local = wanted.startswith("/") and not wanted.startswith("//")
        if local and url_has_allowed_host_and_scheme(wanted, allowed_hosts=None):
            request.session[SESSION_NEXT] = wanted[:500]
        return _page(request, "start.html", {})
    phone = request.POST.get("phone", "")[:20]
    try:
        row = services.verification_send(phone=phone, ip=client_ip(request))
    except ServiceError as error:
        return _page(
            request, "start.html", {"error": error_text(error), "phone": phone}, error.status
        )
    request.session[SESSION_PENDING] = row.phone
    return redirect("workorders:resident_verify")


@never_cache
def verify(request: HttpRequest) -> HttpResponse:
    """Step 2: the code from the SMS proves the phone."""
    pending = str(request.session.get(SESSION_PENDING, ""))
    if not pending:
        return redirect("workorders:resident_start")
    if request.method != "POST":
        return _page(request, "verify.html", {})
    try:
        phone = services.verification_check(phone=pending, code=request.POST.get("code", "")[:12])
    except ServiceError as error:
        return _page(
            request, "verify.html", {"error": error_text(error, field_names=False)}, error.status
        )
    request.session.cycle_key()  # a new session id once the phone is proven
    request.session[SESSION_PHONE] = phone
    request.session[SESSION_UNTIL] = (clock.now() + VERIFIED_FOR).isoformat()
    request.session.pop(SESSION_PENDING, None)
    wanted = str(request.session.pop(SESSION_NEXT, ""))
    return redirect(wanted or "workorders:resident_home")


def _home_context(phone: str, description: str = "", **more: Any) -> dict[str, Any]:
    return {
        "categories": selectors.category_list(),
        "places": selectors.resident_places(),
        "orders": selectors.workorder_for_resident(phone=phone),
        "emergency_table": emergency_table(),
        "emergency_banners": _banners(emergencies_in(description), all_kinds=True),
        **more,
    }


@never_cache
def home(request: HttpRequest) -> HttpResponse:
    """The request form and the resident's own orders."""
    phone = verified_phone(request)
    if not phone:
        return redirect("workorders:resident_start")
    return _page(request, "home.html", _home_context(phone))


@require_POST
def create(request: HttpRequest) -> HttpResponse:
    phone = verified_phone(request)
    if not phone:
        return redirect("workorders:resident_start")
    data = request.POST
    area_id = data.get("area", "")
    area = (
        selectors.resident_places().filter(pk=int(area_id)).first()
        if area_id.isdigit() and len(area_id) < 18
        else None
    )
    try:
        refuse_unsafe(data)
        if area is None:
            raise ServiceError(_("Choose your community."), fields={"area": [_("Required.")]})
        intake = services.workorder_create(
            actor=None,
            description=data.get("description", ""),
            category_code=data.get("category", ""),
            channel=Channel.FORM,
            area=area,
            contact_name=data.get("contact_name", ""),
            contact_phone=phone,
            extra=extra_from(data),
            address=data.get("address", ""),
            client_ip=client_ip(request),
        )
    except ServiceError as error:
        # Whatever else is wrong with the form, the banners of the words it holds show
        # (server-side: the resident may have no JavaScript).
        category = selectors.category_list().filter(code=data.get("category", "")).first()
        context = _home_context(
            phone,
            description=data.get("description", ""),
            error=error_text(error, field_names=False),
            fields=field_rows(category, extra_from(data)),
            posted=data,
        )
        return _page(request, "home.html", context, status=error.status)
    # Post/redirect/get: reloading the answer must not file again.
    url = reverse("workorders:resident_order", args=[intake.order.number])
    if intake.repeat:
        already = _("You already filed this request as %(number)s; it was not filed again.")
        messages.info(request, already % {"number": intake.order.number})
    if not intake.repeat or intake.call_120 or emergencies_in(intake.order.description):
        url += "?filed=1"
    return redirect(url)


@never_cache
def order(request: HttpRequest, number: str) -> HttpResponse:
    """One of the resident's own orders: what they asked for, its status in words, what
    was done; once resolved, one tap says whether the need was met (POST)."""
    phone = verified_phone(request)
    if not phone:
        return redirect("workorders:resident_start")
    item = selectors.workorder_track(numbers=[number[:20]], phone=phone).first()
    if item is None:
        return _page(request, "order.html", {"error": _(str(NotFound().message))}, 404)
    if request.method == "POST":
        return _answer(request, phone, item)
    if request.GET.get("filed"):
        # Where the form sends the resident after filing: the number, and the banner of
        # any emergency the words speak of, checked here by the server.
        banners = _banners(emergencies_in(item.description), all_kinds=False)
        return _page(request, "created.html", {"order": item, "emergency_banners": banners})
    return _page(request, "order.html", _order_context(item))


def _order_context(item: Any, **more: Any) -> dict[str, Any]:
    return {
        "order": item,
        "status_text": STATUS_TEXT.get(item.status, ""),
        "resolution_note": selectors.workorder_resolution_note(order=item),
        "resolved": item.status == Status.RESOLVED,
        **more,
    }


def _answer(request: HttpRequest, phone: str, item: Any) -> HttpResponse:
    """The resident's one-tap answer to a resolved order: met (closed) or not (reopened)."""
    data = request.POST
    satisfaction = data.get("satisfaction", "")
    try:
        refuse_unsafe(data)
        done = workorder_answer_as_resident(
            phone=phone,
            number=item.number,
            satisfied=data.get("answer", "yes") != "no",
            satisfaction=int(satisfaction) if satisfaction.isdigit() else None,
            note=data.get("note", "")[:2000],
        )
    except ServiceError as error:
        context = _order_context(item, error=error_text(error, field_names=False))
        return _page(request, "order.html", context, error.status)
    if done.status == Status.CLOSED:
        messages.success(request, _("Thank you. The request is closed."))
    else:
        messages.info(
            request, _("We are sorry. The request was reopened and will be handled again.")
        )
    # Post/redirect/get: reloading the page must not answer twice.
    return redirect("workorders:resident_order", number=done.number)


@never_cache
def confirm(request: HttpRequest) -> HttpResponse:
    """Close a resolved order with the code sent when it was resolved, or say it is not
    solved and have it reopened."""
    context: dict[str, Any] = {"number": request.GET.get("number", "")[:20]}
    if request.method != "POST":
        return _page(request, "confirm.html", context)
    data = request.POST
    satisfaction = data.get("satisfaction", "")
    try:
        refuse_unsafe(data)
        done = services.workorder_confirm(
            number=data.get("number", "")[:20],
            code=data.get("code", "")[:12],
            satisfied=data.get("satisfied", "yes") != "no",
            satisfaction=int(satisfaction) if satisfaction.isdigit() else None,
            note=data.get("note", "")[:2000],
        )
    except ServiceError as error:
        context.update(
            number=data.get("number", "")[:20], error=error_text(error, field_names=False)
        )
        return _page(request, "confirm.html", context, error.status)
    return _page(request, "confirm.html", {"done": done})


@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    for key in (SESSION_PHONE, SESSION_UNTIL, SESSION_PENDING):
        request.session.pop(key, None)
    return redirect("workorders:resident_start")
