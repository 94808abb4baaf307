"""The sampling console: the page a sampler's phone keeps open, and the sync of its
offline queue (each queued action applied alone; retries are replays). Both need
``screening.sample`` somewhere, and each action needs it at the person's and tube's place
(``screening.permissions``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.errors import PermissionDenied, ServiceError
from lifeline.core.jsonbody import BadJson, read_json
from lifeline.core.personal import age_band, mask_name
from lifeline.screening import selectors
from lifeline.screening.models import POOL_SIZES
from lifeline.screening.pages.common import SAMPLING, require_anywhere
from lifeline.screening.services import (
    sample_register,
    session_start,
    shipment_send,
    tube_close,
)
from lifeline.web.errors import renders_service_errors

MAX_SYNC_ITEMS = 500
MAX_SYNC_BYTES = 1_000_000
_SERVICE_WORKER_JS = Path(__file__).resolve().parent.parent / "static" / "screening" / "sw.js"


@never_cache
@login_required
@renders_service_errors
def console(request: HttpRequest) -> HttpResponse:
    """The console shell: sites, today's sessions and labs to pick from (the choice is kept
    on the phone), the tube and person forms. Cached by the service worker for offline."""
    require_anywhere(request.user, SAMPLING)
    sessions = list(selectors.console_sessions(actor=request.user))
    context = {
        "pool_sizes": POOL_SIZES,
        "sites": list(selectors.console_sites(actor=request.user)),
        "sessions": sessions,
        "labs": list(selectors.lab_units()),
        "opened": request.GET.get("opened", ""),
    }
    return render(request, "screening/console.html", context)


@require_POST
@login_required
@renders_service_errors
def console_session_open(request: HttpRequest) -> HttpResponse:
    """Open a session now at the chosen site, then back to the console with it chosen."""
    try:
        site_id = int(request.POST.get("site", ""))
    except ValueError:
        raise ServiceError(_("Choose a site first."), code="no_site") from None
    session = session_start(actor=request.user, site_id=site_id)
    return redirect(f"{reverse('screening:console')}?opened={session.pk}")


def console_service_worker(request: HttpRequest) -> HttpResponse:
    """Served under the console's path so that its scope covers the console page."""
    response = HttpResponse(_SERVICE_WORKER_JS.read_text("utf-8"), content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = reverse("screening:console")
    return response


@require_POST
@login_required
def console_sync(request: HttpRequest) -> JsonResponse:
    """Apply queued console actions in order; each answers alone, retries are replays."""
    try:
        require_anywhere(request.user, SAMPLING)
    except PermissionDenied as refused:
        return JsonResponse(refused.as_dict(), status=refused.status)
    try:
        body = read_json(request.body or b"{}", max_bytes=MAX_SYNC_BYTES)
    except BadJson as unreadable:
        return JsonResponse(unreadable.as_dict(), status=400)
    items = body.get("items", []) if isinstance(body, dict) else None
    if not isinstance(items, list) or len(items) > MAX_SYNC_ITEMS:
        error = ServiceError(_('The sync body must be {"items": [...]}.'), code="bad_body")
        return JsonResponse(error.as_dict(), status=400)
    results = [_apply(request.user, item) for item in items]
    return JsonResponse({"results": results})


def _apply(actor: Actor, item: Any) -> dict[str, Any]:
    client_id = str(item.get("client_id", "")) if isinstance(item, dict) else ""
    try:
        if not isinstance(item, dict):
            raise ServiceError(_("Each item must be an object."), code="bad_item")
        if item.get("kind") == "close":
            tube_close(actor=actor, barcode=str(item.get("barcode", "")))
            return {"client_id": client_id, "status": "closed"}
        if item.get("kind") == "ship":
            return _ship(actor, client_id, item)
        code = str(item.get("code", ""))
        person = selectors.person_by_code(actor=actor, code=code, perm=SAMPLING)
        when = parse_datetime(str(item.get("sampled_at") or ""))
        sample, created = sample_register(
            actor=actor,
            client_id=client_id,
            barcode=str(item.get("barcode", "")),
            person_id=person.pk,
            pool_size=int(item.get("pool_size") or 10),
            per_household=bool(item.get("per_household")),
            session_id=_session_id(item),
            sampled_at=when,
        )
    except ServiceError as error:
        return {"client_id": client_id, "status": "error", **error.as_dict()}
    except (TypeError, ValueError, OverflowError):
        unreadable = ServiceError(_("The item is not readable."), code="bad_item")
        return {"client_id": client_id, "status": "error", **unreadable.as_dict()}
    return {
        "client_id": client_id,
        "status": "created" if created else "replayed",
        "name": mask_name(person.name),
        "age": age_band(person.birth_date, clock.today()),
        "barcode": sample.tube.barcode,
        "members": sample.tube.members,
        "pool_size": sample.tube.pool_size,
    }


def _session_id(item: dict[str, Any]) -> int | None:
    value = item.get("session_id")
    return int(value) if value not in (None, "") else None


def _ship(actor: Actor, client_id: str, item: dict[str, Any]) -> dict[str, Any]:
    session_id = _session_id(item)
    if session_id is None:
        raise ServiceError(_("Choose a session first."), code="no_session")
    shipment, created = shipment_send(
        actor=actor,
        client_id=client_id,
        session_id=session_id,
        lab_id=int(item.get("lab_id") or 0),
        sent_at=parse_datetime(str(item.get("sent_at") or "")),
    )
    return {
        "client_id": client_id,
        "status": "sent" if created else "replayed",
        "lab": shipment.lab.name,
        "tubes": shipment.tube_count,
        "sent_at": shipment.sent_at.isoformat(),
        "sent_time": timezone.localtime(shipment.sent_at).strftime("%H:%M"),
    }
