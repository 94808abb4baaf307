"""Pass pages: the holder's pass (QR as SVG, printable), the approval queue, and the
offline checkpoint verifier with its service worker.

The verifier page is an app shell: the service worker caches it and its scripts, the
page keeps keys, revocations and queued checks in localStorage, so a checkpoint keeps
verifying with the network cut and uploads its checks when it returns.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lifeline.accounts.permissions import Perm
from lifeline.core import clock
from lifeline.core.errors import ServiceError
from lifeline.core.safetext import refuses_unsafe_text
from lifeline.passes import checkpoints, selectors, services
from lifeline.passes.credential import qr_svg
from lifeline.passes.models import RelayStatus
from lifeline.web.errors import renders_service_errors

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


@login_required
def checkpoint_verifier(request: HttpRequest) -> HttpResponse:
    # The checkpoints where this user checks passes (not all those they may see).
    mine = selectors.checkpoint_list(actor=request.user, perm=Perm.PASS_CHECK)
    checkpoints = list(mine.values("code", "name"))
    context = {
        "checkpoints": checkpoints,
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


@login_required
@renders_service_errors
def approval_queue(request: HttpRequest) -> HttpResponse:
    context = {
        "queue": selectors.application_queue(actor=request.user)[:200],
        "mine": selectors.application_list(actor=request.user).filter(applicant_id=request.user.pk)[
            :50
        ],
    }
    return render(request, "passes/queue.html", context)


@login_required
@require_POST
@renders_service_errors
@refuses_unsafe_text
def application_decide(request: HttpRequest, pk: int) -> HttpResponse:
    if request.POST.get("decision") == "approve":
        services.pass_application_approve(actor=request.user, application_id=pk)
    elif request.POST.get("decision") == "refuse":
        services.pass_application_refuse(
            actor=request.user, application_id=pk, reason=request.POST.get("reason", "")[:300]
        )
    else:
        raise ServiceError(_("Approve or refuse."))
    return redirect("passes:queue")


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
