"""The sampling console: the page a sampler's phone keeps open, and the sync of its
offline queue (each queued action applied alone; retries are replays). Both need
``screening.sample`` somewhere, and each action needs it at the person's and tube's place
(``screening.permissions``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lifeline.core.actors import Actor
from lifeline.core.errors import PermissionDenied, ServiceError
from lifeline.core.jsonbody import BadJson, read_json
from lifeline.core.personal import mask_name
from lifeline.screening import selectors
from lifeline.screening.models import POOL_SIZES
from lifeline.screening.pages.common import SAMPLING, require_anywhere
from lifeline.screening.services import (
    sample_register,
    tube_close,
)
from lifeline.web.errors import renders_service_errors

MAX_SYNC_ITEMS = 500
MAX_SYNC_BYTES = 1_000_000


@never_cache
@login_required
@renders_service_errors
def console(request: HttpRequest) -> HttpResponse:
    require_anywhere(request.user, SAMPLING)
    return render(request, "screening/console.html", {"pool_sizes": POOL_SIZES})


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
        "members": sample.tube.members,
    }
