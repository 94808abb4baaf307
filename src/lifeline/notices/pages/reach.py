"""The grid worker's list of households to reach: households that did not acknowledge a
must-reach notice within its hours (unit and phone masked), each recorded as reached in
person, or several at once turned into door-to-door visits (work orders); the list's
export (masked, audited)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can_anywhere
from lifeline.core.errors import NotFound, PermissionDenied, ServiceError
from lifeline.notices import exports, selectors, services
from lifeline.web.errors import error_text, renders_service_errors


def _require_reach(request: HttpRequest) -> None:
    if not can_anywhere(request.user, Perm.NOTICES_REACH):
        raise PermissionDenied()


@login_required
@renders_service_errors
def reach(request: HttpRequest) -> HttpResponse:
    _require_reach(request)
    rows = selectors.reach_rows(list(selectors.reach_list(actor=request.user)[:500]))
    return render(request, "notices/reach.html", {"rows": rows})


@login_required
@renders_service_errors
@require_POST
def reach_mark(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        note = request.POST.get(f"note-{pk}", request.POST.get("note", ""))
        services.household_mark_reached(actor=request.user, pk=pk, note=note)
    except NotFound:
        raise
    except ServiceError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Recorded as reached in person."))
    return redirect("notices:reach")


@login_required
@renders_service_errors
@require_POST
def visits(request: HttpRequest) -> HttpResponse:
    """The households ticked on the list become door-to-door visits (work orders)."""
    _require_reach(request)
    raw = request.POST.getlist("row")
    ids: list[object] = [int(v) if v.isdigit() and len(v) < 19 else v for v in raw[:101]]
    try:
        done = services.notice_visits_request(actor=request.user, row_ids=ids)
    except NotFound:
        raise
    except ServiceError as exc:
        messages.error(request, error_text(exc))
        return redirect("notices:reach")
    if done.requested:
        n = len(done.requested)
        messages.success(
            request,
            ngettext(
                "%(n)s door-to-door visit requested.", "%(n)s door-to-door visits requested.", n
            )
            % {"n": n},
        )
    if done.skipped:
        n = len(done.skipped)
        messages.info(
            request,
            ngettext(
                "%(n)s household was already confirmed, reached or has a visit requested.",
                "%(n)s households were already confirmed, reached or have a visit requested.",
                n,
            )
            % {"n": n},
        )
    return redirect("notices:reach")


@login_required
@renders_service_errors
@require_POST
def reach_export(request: HttpRequest, pk: int) -> HttpResponse:
    _require_reach(request)
    try:
        export = exports.unreached_export(
            actor=request.user, notice_id=pk, fmt=request.POST.get("format", "csv")
        )
    except ServiceError as exc:
        messages.error(request, error_text(exc))
        return redirect("notices:reach")
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    return response
