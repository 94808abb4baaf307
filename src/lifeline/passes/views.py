"""Pass pages: the holder's pass (QR as SVG, printable), the approval queue, and the
offline checkpoint verifier with its service worker.

The verifier page is an app shell: the service worker caches it and its scripts, the
page keeps keys, revocations and queued checks in localStorage, so a checkpoint keeps
verifying with the network cut and uploads its checks when it returns.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from lifeline.accounts.permissions import Perm
from lifeline.core import clock
from lifeline.core.errors import PermissionDenied, ServiceError
from lifeline.core.personal import mask_phone
from lifeline.core.safetext import refuses_unsafe_text
from lifeline.passes import checkpoints, selectors, services
from lifeline.passes.credential import qr_svg
from lifeline.passes.forms import ApplicationForm, CheckpointForm
from lifeline.passes.models import (
    CHECK_RESULT_LABELS,
    ApplicantKind,
    ApplicationStatus,
    RelayStatus,
)
from lifeline.web.errors import renders_service_errors
from lifeline.web.pages import form_page
from lifeline.web.templatetags.lifeline_web import local_name

API_BASE = "/api/v1/passes"
_HERE = Path(__file__).resolve().parent
_VERIFIER_JS = _HERE / "credential" / "verifier.js"
_SERVICE_WORKER_JS = _HERE / "static" / "passes" / "sw.js"


@never_cache
@renders_service_errors
def holder_pass(request: HttpRequest, pass_id: str) -> HttpResponse:
    """The holder's phone page. Reached by the pass id (80 random bits), like the QR."""
    issued = selectors.pass_for_holder(pass_id=pass_id)
    context = {
        "issued": issued,
        # segno's inline SVG is generated from our own pass text: nothing user-controlled.
        "qr": mark_safe(qr_svg(issued.text, scale=5)),  # noqa: S308
    }
    return render(request, "passes/holder.html", context)


def verifier_words() -> dict[str, object]:
    """Every word the verifier shows for a result, in the page's language: what each
    status means and the names of the pass types (the credential carries only codes)."""
    return {
        "status": {status: str(label) for status, label in CHECK_RESULT_LABELS.items()},
        "types": {t.code: t.local_name for t in selectors.pass_type_list()},
        "otherType": _("Pass"),
        "holder": _("Holder"),
        "type": _("Pass type"),
        "until": _("Valid until"),
    }


@login_required
def checkpoint_verifier(request: HttpRequest) -> HttpResponse:
    # The checkpoints where this user checks passes (not all those they may see).
    mine = selectors.checkpoint_list(actor=request.user, perm=Perm.PASS_CHECK)
    checkpoints = list(mine.values("code", "name"))
    context = {
        "checkpoints": checkpoints,
        "words": verifier_words(),
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "api_base": API_BASE,
        "verifier_url": "verifier.js",
        "script_url": static("passes/checkpoint.js"),
        "css_url": static("passes/passes.css"),
    }
    return render(request, "passes/checkpoint.html", context)


def _javascript(path: Path, *, scope: str | None = None) -> HttpResponse:
    response = HttpResponse(path.read_text("utf-8"), content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    if scope:
        response["Service-Worker-Allowed"] = scope
    return response


def verifier_script(request: HttpRequest) -> HttpResponse:
    """credential/verifier.js, served as is (the one copy the Python tests also run)."""
    return _javascript(_VERIFIER_JS)


def service_worker(request: HttpRequest) -> HttpResponse:
    """Served under /passes/checkpoint/ so its scope covers the verifier page."""
    return _javascript(_SERVICE_WORKER_JS, scope="/passes/checkpoint/")


@never_cache
@login_required
@renders_service_errors
def approval_queue(request: HttpRequest) -> HttpResponse:
    queue = list(selectors.application_queue(actor=request.user)[:200])
    names = selectors.area_names(codes={c for a in queue for c in a.scope_areas})
    for a in queue:
        a.scope_names = [names.get(code, code) for code in a.scope_areas]  # type: ignore[attr-defined]
    context = {
        "queue": queue,
        "mine": selectors.application_list(actor=request.user)
        .filter(applicant_id=request.user.pk)
        .select_related("issued")[:50],
        "may_set_up_checkpoints": any(selectors.checkpoint_setup_choices(actor=request.user)),
    }
    return render(request, "passes/queue.html", context)


@login_required
@require_POST
@renders_service_errors
@refuses_unsafe_text
def application_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or refuse from the queue, and say on the page what happened and who was
    told (the holder's phone masked)."""
    if request.POST.get("decision") == "approve":
        issued = services.pass_application_approve(actor=request.user, application_id=pk)
        application = issued.application
        if application.holder_phone:
            text = _("Approved: pass %(id)s for %(holder)s. SMS sent to %(phone)s.")
        else:
            text = _("Approved: pass %(id)s for %(holder)s. No phone given: tell the holder.")
        messages.success(
            request,
            text
            % {
                "id": issued.pass_id,
                "holder": issued.holder_label,
                "phone": mask_phone(application.holder_phone),
            },
        )
    elif request.POST.get("decision") == "refuse":
        application = services.pass_application_refuse(
            actor=request.user, application_id=pk, reason=request.POST.get("reason", "")[:300]
        )
        if application.holder_phone:
            text = _("Refused: %(holder)s. SMS with the reason sent to %(phone)s.")
        else:
            text = _("Refused: %(holder)s. No phone given: tell the applicant.")
        messages.success(
            request,
            text
            % {"holder": application.holder_label, "phone": mask_phone(application.holder_phone)},
        )
    else:
        raise ServiceError(_("Approve or refuse."))
    return redirect("passes:queue")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@renders_service_errors
def application_new(request: HttpRequest) -> HttpResponse:
    """The applicant's phone page: a pass for oneself, or for a unit's vehicle or crew."""
    choices = selectors.apply_choices(actor=request.user)
    if not choices.kinds:
        raise PermissionDenied(_("You may not apply for passes."))

    def save(c: dict[str, Any]) -> Any:
        kind = c["applicant_kind"]
        return services.pass_application_submit(
            actor=request.user,
            pass_type_code=c["pass_type"],
            applicant_kind=kind,
            area=choices.area(c["area"]),
            applicant_unit=choices.unit(c["unit"]) if kind == ApplicantKind.UNIT else None,
            holder_label=c["holder_label"].strip().upper() if kind == ApplicantKind.UNIT else "",
            driver_name=c["driver_name"] if kind == ApplicantKind.UNIT else "",
            holder_phone=c["holder_phone"],
            route=c["route"],
            purpose=c["purpose"],
            valid_from=c["valid_from"],
            valid_until=c["valid_until"],
        )

    def done(application: Any) -> str:
        if application.status == ApplicationStatus.REFUSED:
            messages.error(
                request,
                _("Refused at once: %(reason)s") % {"reason": application.refusal_reason},
            )
        else:
            messages.success(
                request,
                _("Application sent to %(unit)s; the answer is due by %(due)s.")
                % {
                    "unit": local_name(application.approver_unit),
                    "due": timezone.localtime(application.due_at).strftime("%m-%d %H:%M"),
                },
            )
        return reverse("passes:apply")

    now = timezone.localtime(clock.now()).replace(second=0, microsecond=0)
    return form_page(
        request,
        form_class=ApplicationForm,
        form_kwargs={"choices": choices},
        template="passes/apply.html",
        save=save,
        success_url=done,
        initial={"valid_from": now, "valid_until": now + dt.timedelta(hours=8)},
        context=lambda: {
            "mine": selectors.application_list(actor=request.user)
            .filter(applicant_id=request.user.pk)
            .select_related("issued")[:20]
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@renders_service_errors
def checkpoint_new(request: HttpRequest) -> HttpResponse:
    """Command or district staff set up a checkpoint and put a unit's staff in charge."""
    areas, units = selectors.checkpoint_setup_choices(actor=request.user)
    if not areas and not units:
        raise PermissionDenied(_("Only command or district staff may set up checkpoints here."))

    def save(c: dict[str, Any]) -> Any:
        return checkpoints.checkpoint_create(
            actor=request.user,
            code=c["code"].upper(),
            name=c["name"].strip(),
            area=next(a for a in areas if a.pk == c["area"]),
            unit=next((u for u in units if u.pk == c["unit"]), None),
        )

    return form_page(
        request,
        form_class=CheckpointForm,
        form_kwargs={"areas": areas, "units": units},
        template="passes/checkpoint_form.html",
        save=save,
        success_url=lambda cp: reverse("passes:operations", args=[cp.code]),
        success_message=_("Checkpoint set up."),
        context=lambda: {
            "existing": selectors.checkpoint_list(
                actor=request.user, perm=Perm.PASS_MANAGE_CHECKPOINTS
            ).select_related("unit")[:200]
        },
    )


@login_required
@renders_service_errors
def checkpoint_operations(request: HttpRequest, code: str) -> HttpResponse:
    """Today's crossings per hour and the relay logbook of one checkpoint."""
    checkpoint = selectors.checkpoint_get(actor=request.user, code=code)
    day = timezone.localdate(clock.now())
    context = {
        "checkpoint": checkpoint,
        "day": day,
        "crossings": selectors.crossings_per_hour(
            actor=request.user, checkpoint=checkpoint, day=day
        ),
        "relays": selectors.relay_list(actor=request.user, checkpoint=checkpoint)[:100],
        "next_step": _NEXT_STEP,
    }
    return render(request, "passes/operations.html", context)


_NEXT_STEP = {
    RelayStatus.REGISTERED: (RelayStatus.DISINFECTED, _lazy("Mark disinfected")),
    RelayStatus.DISINFECTED: (RelayStatus.SIGNED, _lazy("Signed for on the other side")),
    RelayStatus.SIGNED: (RelayStatus.CLOSED, _lazy("Logbook returned")),
}


@login_required
@require_POST
@renders_service_errors
@refuses_unsafe_text
def relay_register(request: HttpRequest, code: str) -> HttpResponse:
    checkpoints.relay_register(
        actor=request.user,
        checkpoint_code=code,
        goods=request.POST.get("goods", "")[:200],
        from_party=request.POST.get("from_party", "")[:100],
        to_party=request.POST.get("to_party", "")[:100],
    )
    return redirect("passes:operations", code=code)


@login_required
@require_POST
@renders_service_errors
@refuses_unsafe_text
def relay_advance(request: HttpRequest, pk: int) -> HttpResponse:
    relay = checkpoints.relay_advance(
        actor=request.user,
        relay_id=pk,
        to_status=request.POST.get("status", ""),
        signed_by_name=request.POST.get("signed_by_name", "")[:50],
    )
    return redirect("passes:operations", code=relay.checkpoint.code)
