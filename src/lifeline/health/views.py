"""Health pages: the access decision asked again (person page, hotline console), medical
transfers and their four times, standing needs, and the resident's own "can I go to
hospital". Every page reads through selectors (scoped) and writes through services; a
refusal is a message on the page, never a 500."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import require
from lifeline.core.errors import ServiceError
from lifeline.core.personal import mask_name
from lifeline.core.safetext import refuses_unsafe_text
from lifeline.health import selectors, services
from lifeline.health.models import MedicalTransfer, StandingNeed
from lifeline.health.vocab import TRANSFER_FIELDS, Need, TransferStep, Urgency
from lifeline.registry.selectors import person_get
from lifeline.web.errors import error_text, renders_service_errors
from lifeline.web.htmx import is_htmx
from lifeline.workorders.providers import verified_phone

STAFF_CHANNELS = ("person_page", "hotline")
ASKABLE_NEEDS = [n for n in Need if n != Need.NONE]


def _channel(data: QueryDict) -> str:
    channel = data.get("channel", "")
    return channel if channel in STAFF_CHANNELS else "person_page"


def ask_context(**more: Any) -> dict[str, Any]:
    """What the "ask" form needs: the urgencies and the needs one may declare."""
    return {"urgencies": Urgency.choices, "askable_needs": ASKABLE_NEEDS, **more}


# The decision, asked again ---------------------------------------------------------------


@login_required
@require_POST
@renders_service_errors
def person_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The decision for this person with the urgency and needs the caller states now."""
    person = person_get(actor=request.user, pk=pk)
    channel = _channel(request.POST)
    decision = services.access_decide(
        actor=request.user,
        person=person,
        urgency=request.POST.get("urgency", Urgency.NECESSARY)[:20],
        needs=request.POST.getlist("needs")[:10],
        channel=channel,
        capabilities=[c[:20] for c in request.POST.getlist("capabilities")[:10]],
    )
    context = ask_context(decision=decision, person=person, channel=channel)
    if is_htmx(request):
        return render(request, "health/partials/access_decision.html", context, status=201)
    return render(request, "health/decision_page.html", context)


@login_required
@require_POST
@renders_service_errors
@refuses_unsafe_text
def person_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    """File a medical transfer (a top-priority order with the decision attached)."""
    person = person_get(actor=request.user, pk=pk)
    try:
        transfer = services.medical_transfer_request(
            actor=request.user,
            person=person,
            urgency=request.POST.get("urgency", Urgency.NECESSARY)[:20],
            needs=request.POST.getlist("needs")[:10],
            note=request.POST.get("note", "")[:2000],
            channel=_channel(request.POST),
            capabilities=[c[:20] for c in request.POST.getlist("capabilities")[:10]],
        )
    except ServiceError as error:
        if is_htmx(request):
            context = {"error": error_text(error, field_names=False), "person": person}
            return render(request, "health/partials/transfer_filed.html", context, status=400)
        raise
    if is_htmx(request):
        context = {"transfer": transfer, "person": person}
        return render(request, "health/partials/transfer_filed.html", context, status=201)
    return redirect("health:transfer", pk=transfer.pk)


# Transfers -----------------------------------------------------------------------------


@login_required
def transfer_list(request: HttpRequest) -> HttpResponse:
    transfers = selectors.transfer_list(actor=request.user, open_only=True).order_by(
        "-created_at", "-pk"
    )[:100]
    return render(request, "health/transfers.html", {"transfers": transfers})


def _steps(transfer: MedicalTransfer) -> list[dict[str, Any]]:
    rows, next_found = [], False
    for step, field in TRANSFER_FIELDS.items():
        at = getattr(transfer, field)
        is_next = at is None and not next_found
        next_found = next_found or is_next
        rows.append({"step": step.value, "label": step.label, "at": at, "next": is_next})
    return rows


def _transfer_page(
    request: HttpRequest, transfer: MedicalTransfer, status: int = 200, **more: Any
) -> HttpResponse:
    context = {
        "transfer": transfer,
        "order": transfer.order,
        "decision": transfer.decision,
        "steps": _steps(transfer),
        "hospitals": selectors.hospital_list(actor=request.user),
        "now_local": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        **more,
    }
    return render(request, "health/transfer.html", context, status=status)


@login_required
@renders_service_errors
def transfer_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _transfer_page(request, selectors.transfer_get(actor=request.user, pk=pk))


def _posted_time(value: str) -> dt.datetime | None:
    """A ``datetime-local`` value, read in the city's time; empty means now."""
    value = value.strip()[:20]
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ServiceError(
            _("Give the time as date and hour."), fields={"at": [_("Not a time.")]}
        ) from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


@login_required
@require_POST
@renders_service_errors
@refuses_unsafe_text
def transfer_time(request: HttpRequest, pk: int) -> HttpResponse:
    """Record one of the four times; a refusal comes back on the page with its reason."""
    transfer = selectors.transfer_get(actor=request.user, pk=pk)
    data = request.POST
    try:
        hospital_id = data.get("hospital", "")
        hospital = (
            selectors.hospital_list(actor=request.user).filter(pk=int(hospital_id)).first()
            if hospital_id.isdigit() and len(hospital_id) < 18
            else None
        )
        services.medical_transfer_record(
            actor=request.user,
            transfer=transfer,
            step=data.get("step", "")[:20],
            at=_posted_time(data.get("at", "")),
            hospital=hospital,
        )
    except ServiceError as error:
        fresh = selectors.transfer_get(actor=request.user, pk=pk)
        return _transfer_page(
            request, fresh, status=error.status, error=error_text(error, field_names=False)
        )
    step = TransferStep(data["step"]).label
    messages.success(request, _("Recorded: %(step)s.") % {"step": step})
    return redirect("health:transfer", pk=pk)


# Standing needs --------------------------------------------------------------------------


def _standing_page(
    request: HttpRequest, person: Any, status: int = 200, **more: Any
) -> HttpResponse:
    context = {
        "person": person,
        "needs": selectors.standing_need_list(actor=request.user, person=person),
        "kinds": StandingNeed.Kind.choices,
        "weekday_choices": [(n, label) for n, label in enumerate(_weekday_names(), start=1)],
        "hospitals": selectors.hospital_list(actor=request.user),
        "trips": selectors.transfer_list(actor=request.user, person=person).filter(
            kind=MedicalTransfer.Kind.STANDING
        )[:20],
        **more,
    }
    return render(request, "health/standing.html", context, status=status)


def _weekday_names() -> list[str]:
    return [
        _("Monday"),
        _("Tuesday"),
        _("Wednesday"),
        _("Thursday"),
        _("Friday"),
        _("Saturday"),
        _("Sunday"),
    ]


def _posted_need(request: HttpRequest) -> dict[str, Any]:
    data = request.POST
    fields: dict[str, list[str]] = {}
    try:
        time = dt.time.fromisoformat(data.get("time", "")[:8])
    except ValueError:
        time, fields["time"] = dt.time(0), [_("Give the time of the session.")]
    dates: dict[str, dt.date | None] = {}
    for name in ("active_from", "active_to"):
        value = data.get(name, "")[:10]
        try:
            dates[name] = dt.date.fromisoformat(value) if value else None
        except ValueError:
            dates[name], fields[name] = None, [_("Dates are written YYYY-MM-DD.")]
    lead = data.get("lead_hours", "24")[:4]
    if fields:
        raise ServiceError(_("Please correct the marked fields."), fields=fields)
    hospital_id = data.get("hospital", "")
    return {
        "kind": data.get("kind", "")[:20],
        "weekdays": [d for d in data.getlist("weekdays")[:7] if d.isdigit()],
        "dates": [d.strip() for d in data.get("dates", "")[:2400].split(",") if d.strip()],
        "time": time,
        "hospital": selectors.hospital_list(actor=request.user).filter(pk=int(hospital_id)).first()
        if hospital_id.isdigit() and len(hospital_id) < 18
        else None,
        "lead_hours": int(lead) if lead.isdigit() else 0,
        "note": data.get("note", "")[:200],
        **dates,
    }


@login_required
@require_http_methods(["GET", "POST"])
@renders_service_errors
@refuses_unsafe_text
def standing_needs(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's standing needs, and the form to arrange one."""
    person = person_get(actor=request.user, pk=pk)
    require(request.user, Perm.HEALTH_VIEW, path=person.area_path)
    if request.method != "POST":
        return _standing_page(request, person)
    try:
        services.standing_need_create(actor=request.user, person=person, **_posted_need(request))
    except ServiceError as error:
        return _standing_page(
            request,
            person,
            status=error.status,
            error=error_text(error, field_names=False),
            posted=request.POST,
        )
    messages.success(request, _("Standing need arranged: its trips will be ordered ahead."))
    return redirect("health:standing_needs", pk=person.pk)


@login_required
@require_POST
@renders_service_errors
@refuses_unsafe_text
def standing_need_end(request: HttpRequest, pk: int) -> HttpResponse:
    need = selectors.standing_need_get(actor=request.user, pk=pk)
    try:
        services.standing_need_end(
            actor=request.user, need=need, reason=request.POST.get("reason", "")[:500]
        )
    except ServiceError as error:
        return _standing_page(
            request, need.person, status=error.status, error=error_text(error, field_names=False)
        )
    messages.success(request, _("Standing need ended."))
    return redirect("health:standing_needs", pk=need.person_id)


# The resident's own question -------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def resident_access(request: HttpRequest) -> HttpResponse:
    """ "Can I go to hospital?" for a resident whose phone was proven by a one-time code:
    the answer for their own status, from the registry record that has this phone."""
    phone = verified_phone(request)
    if not phone:
        return redirect("workorders:resident_start")
    people: list[dict[str, Any]] = [
        {"pk": p.pk, "label": f"{mask_name(p.name)} {p.relation_label}".strip()}
        for p in selectors.people_by_own_phone(phone=phone)[:10]
    ]
    context: dict[str, Any] = ask_context(people=people, back=reverse("workorders:resident_home"))
    if request.method != "POST" or not people:
        return render(request, "health/resident_access.html", context)
    chosen = request.POST.get("person", "")
    person_id = int(chosen) if chosen.isdigit() and len(chosen) < 18 else people[0]["pk"]
    urgency = request.POST.get("urgency", "")[:20]
    try:
        context["decision"] = services.access_decide_for_resident(
            phone=phone,
            person_id=person_id,
            urgency=urgency,
            needs=request.POST.getlist("needs")[:10],
        )
    except ServiceError as error:
        context.update(error=error_text(error, field_names=False), posted=request.POST)
        return render(request, "health/resident_access.html", context, status=error.status)
    context["emergency"] = urgency == Urgency.EMERGENCY
    return render(request, "health/resident_access.html", context)
