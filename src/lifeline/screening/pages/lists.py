"""The screening lists of an area (not yet tested, due, ...); a list opens a sampling
session in one action."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lifeline.core.actors import Actor
from lifeline.core.errors import NotFound, ServiceError
from lifeline.core.exports import csv_writer
from lifeline.core.personal import mask_name, mask_phone
from lifeline.registry.models import Person
from lifeline.registry.tree import area_get, breadcrumbs
from lifeline.screening import selectors
from lifeline.screening.forms import ListSessionForm
from lifeline.screening.pages.common import (
    LISTS,
    form_failed,
    screening_page,
    session_times,
)
from lifeline.screening.permissions import DENIED
from lifeline.screening.services import session_open_for_list
from lifeline.web.errors import renders_service_errors

_LIST_NAMES = {
    "not_tested_today": _lazy("Not tested today"),
    "not_compliant": _lazy("Not compliant"),
    "pending_recheck": _lazy("Pending recheck"),
    "yellow_code": _lazy("Yellow code"),
    "staying_home": _lazy("Staying home"),
}


def _list_people(actor: Actor, area_id: int, kind: str) -> QuerySet[Person]:
    if kind in selectors.STATUS_LIST_KINDS:
        return selectors.status_list(actor=actor, area_id=area_id, kind=kind)
    return selectors.screening_list(actor=actor, area_id=area_id, kind=kind)


def _list_session_name(kind: str) -> str:
    return str(_("Special session: %(list)s") % {"list": _LIST_NAMES.get(kind, kind)})


def _list_page(
    request: HttpRequest,
    area_id: int,
    kind: str,
    *,
    session_form: ListSessionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    people = _list_people(request.user, area_id, kind)
    area = area_get(
        actor=request.user, pk=area_id, perm=LISTS, missing=selectors.NO_AREA, denied=DENIED
    )
    counts = selectors.screening_counts(actor=request.user, area_id=area_id)
    selectors.status_counts(actor=request.user, area=area, rows=counts)
    if session_form is None:
        session_form = ListSessionForm(
            actor=request.user,
            initial={"name": _list_session_name(kind), **session_times(None)},
        )
    context = {
        "kind": kind,
        "kind_name": _LIST_NAMES[kind],
        "area": area,
        "area_id": area_id,
        "breadcrumbs": breadcrumbs(actor=request.user, area=area),
        "counts": counts,
        "people": people.select_related("grid")[:500],
        "kinds": [(k, _LIST_NAMES[k]) for k in selectors.PAGE_LIST_KINDS],
        "session_form": session_form,
    }
    return screening_page(request, "screening/list.html", context, status=status)


@never_cache
@login_required
@renders_service_errors
def screening_list(request: HttpRequest, area_id: int, kind: str) -> HttpResponse:
    """A screening list of an area; ``?format=csv`` exports it (names and phones masked)."""
    if kind not in selectors.PAGE_LIST_KINDS:
        raise NotFound(_("Unknown list."))
    if request.GET.get("format") == "csv":
        people = _list_people(request.user, area_id, kind)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{kind}-{area_id}.csv"'
        writer = csv_writer(response)  # formula-like names neutralised
        writer.writerow([_("Person"), _("Name"), _("Phone"), _("Grid")])
        for pk, name, phone, grid in people.values_list("pk", "name", "phone", "grid__name"):
            writer.writerow([pk, mask_name(name), mask_phone(phone), grid])
        return response
    return _list_page(request, area_id, kind)


# Management pages ---------------------------------------------------------------------------
# Policies, rounds, sites and sessions: lists scoped to the actor, forms that show the
# services' validation messages on their fields, changes audited by the services.


@login_required
@require_POST
@renders_service_errors
def list_session(request: HttpRequest, area_id: int, kind: str) -> HttpResponse:
    """One action: the people of a list are invited to a new session serving their grids."""
    people = _list_people(request.user, area_id, kind)
    form = ListSessionForm(request.POST, actor=request.user)
    status = 400
    if form.is_valid():
        c = form.cleaned_data
        try:
            session = session_open_for_list(
                actor=request.user,
                site_id=c["site"],
                name=c["name"] or _list_session_name(kind),
                kind=c["kind"],
                starts_at=c["starts_at"],
                ends_at=c["ends_at"],
                person_grid_pairs=list(people.values_list("pk", "grid_id")),
            )
        except ServiceError as error:
            status = form_failed(form, error)
        else:
            messages.success(request, _("Session opened for the list."))
            return redirect("screening:session_edit", pk=session.pk)
    return _list_page(request, area_id, kind, session_form=form, status=status)
