"""Screening pages: the sampling console (phone, offline queue) and the screening lists."""

from __future__ import annotations

import csv
import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lifeline.core.errors import ServiceError
from lifeline.core.personal import mask_name, mask_phone
from lifeline.screening import selectors
from lifeline.screening.models import POOL_SIZES
from lifeline.screening.services import sample_register, tube_close
from lifeline.web.errors import renders_service_errors

MAX_SYNC_ITEMS = 500


@never_cache
@login_required
def console(request: HttpRequest) -> HttpResponse:
    return render(request, "screening/console.html", {"pool_sizes": POOL_SIZES})


@require_POST
@login_required
def console_sync(request: HttpRequest) -> JsonResponse:
    """Apply queued console actions in order; each answers alone, retries are replays."""
    try:
        items = json.loads(request.body or b"{}").get("items", [])
        if not isinstance(items, list) or len(items) > MAX_SYNC_ITEMS:
            raise ValueError
    except (ValueError, AttributeError):
        error = ServiceError(_('The sync body must be {"items": [...]}.'), code="bad_body")
        return JsonResponse(error.as_dict(), status=400)
    results = [_apply(request.user, item) for item in items]
    return JsonResponse({"results": results})


def _apply(actor: Any, item: Any) -> dict[str, Any]:
    client_id = str(item.get("client_id", "")) if isinstance(item, dict) else ""
    try:
        if not isinstance(item, dict):
            raise ServiceError(_("Each item must be an object."), code="bad_item")
        if item.get("kind") == "close":
            tube_close(actor=actor, barcode=str(item.get("barcode", "")))
            return {"client_id": client_id, "status": "closed"}
        person = selectors.person_by_code(actor=actor, code=str(item.get("code", "")))
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
    except (TypeError, ValueError):
        unreadable = ServiceError(_("The item is not readable."), code="bad_item")
        return {"client_id": client_id, "status": "error", **unreadable.as_dict()}
    return {
        "client_id": client_id,
        "status": "created" if created else "replayed",
        "name": mask_name(person.name),
        "members": sample.tube.members,
    }


@never_cache
@login_required
@renders_service_errors
def screening_list(request: HttpRequest, area_id: int, kind: str) -> HttpResponse:
    """A screening list of an area; ``?format=csv`` exports it (names and phones masked)."""
    people = selectors.screening_list(actor=request.user, area_id=area_id, kind=kind)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{kind}-{area_id}.csv"'
        writer = csv.writer(response)
        writer.writerow([_("Person"), _("Name"), _("Phone"), _("Grid")])
        for pk, name, phone, grid in people.values_list("pk", "name", "phone", "grid__name"):
            writer.writerow([pk, mask_name(name), mask_phone(phone), grid])
        return response
    counts = selectors.screening_counts(actor=request.user, area_id=area_id)
    return render(
        request,
        "screening/list.html",
        {
            "kind": kind,
            "area_id": area_id,
            "counts": counts,
            "people": people.select_related("grid")[:500],
            "kinds": selectors.LIST_KINDS,
        },
    )
