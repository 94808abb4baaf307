"""Sampling sessions of a site: list, create, edit."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import scoped
from lifeline.core import clock
from lifeline.core.personal import mask_name
from lifeline.screening import selectors
from lifeline.screening.forms import SessionForm
from lifeline.screening.models import Session, SessionKind
from lifeline.screening.pages.common import (
    PLANNING,
    PLANS,
    plan_form_page,
    require_anywhere,
    screening_page,
    session_times,
)
from lifeline.screening.services import session_create, session_update
from lifeline.web.errors import renders_service_errors


@never_cache
@login_required
@renders_service_errors
def session_list(request: HttpRequest) -> HttpResponse:
    require_anywhere(request.user, PLANS)
    sessions = selectors.session_list(actor=request.user)
    kind = request.GET.get("kind", "")
    if kind in SessionKind.values:
        sessions = sessions.filter(kind=kind)
    if request.GET.get("when") != "past":
        sessions = sessions.filter(ends_at__gte=clock.now()).order_by("starts_at")
    rows = sessions.annotate(invited_count=Count("invited", distinct=True))[:300]
    context = {"sessions": rows, "kind": kind, "kinds": SessionKind.choices}
    return screening_page(request, "screening/sessions.html", context)


def _session_values(c: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": c["kind"],
        "name": c["name"],
        "starts_at": c["starts_at"],
        "ends_at": c["ends_at"],
        "grid_ids": c["grids"],
    }


def _to_session(session: Session) -> str:
    return reverse("screening:session_edit", args=[session.pk])


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@renders_service_errors
def session_new(request: HttpRequest, site_pk: int) -> HttpResponse:
    require_anywhere(request.user, PLANNING)
    site = selectors.site_get(actor=request.user, site_id=site_pk)
    return plan_form_page(
        request,
        form_class=SessionForm,
        form_kwargs={"actor": request.user, "site": site},
        initial=lambda: {"kind": SessionKind.REGULAR, **session_times(None)},
        template="screening/session_form.html",
        save=lambda c: session_create(actor=request.user, site_id=site.pk, **_session_values(c)),
        success_message=_("Session saved."),
        success_url=_to_session,
        context={"site": site},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@renders_service_errors
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(actor=request.user, session_id=pk)

    def initial() -> dict[str, Any]:
        # The grids the editor plans for: those outside stay served (``session_update``).
        grids = scoped(session.grids.all(), request.user, PLANNING).values_list("pk", flat=True)
        return {
            "name": session.name,
            "kind": session.kind,
            "grids": list(grids),
            **session_times(session),
        }

    def context() -> dict[str, Any]:
        # Whom the session invites, masked: for those who plan or sample there.
        readers = (Perm.SCREENING_VIEW, Perm.SCREENING_SAMPLE)
        invited = scoped(session.invited.all(), request.user, readers)
        return {
            "site": session.site,
            "session": session,
            "invited_count": invited.count(),
            "invited": [(p.pk, mask_name(p.name)) for p in invited.order_by("pk")[:200]],
        }

    return plan_form_page(
        request,
        form_class=SessionForm,
        form_kwargs={"actor": request.user, "site": session.site},
        initial=initial,
        template="screening/session_form.html",
        save=lambda c: session_update(
            actor=request.user, session_id=session.pk, **_session_values(c)
        ),
        success_message=_("Session saved."),
        success_url=_to_session,
        context=context,
    )
