"""Sampling sessions of a site: list, create, edit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from lifeline.accounts.permissions import Perm
from lifeline.core import clock
from lifeline.core.errors import ServiceError
from lifeline.core.personal import mask_name
from lifeline.core.scoping import scoped
from lifeline.screening import progress, selectors
from lifeline.screening.forms import (
    SessionForm,
)
from lifeline.screening.models import SessionKind
from lifeline.screening.pages.common import (
    PLANNING,
    PLANS,
    form_failed,
    require_anywhere,
    screening_page,
    session_times,
)
from lifeline.screening.services import (
    session_create,
)
from lifeline.screening.services.plans_edit import (
    session_update,
)
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


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@renders_service_errors
def session_new(request: HttpRequest, site_pk: int) -> HttpResponse:
    require_anywhere(request.user, PLANNING)
    site = progress.site_get(actor=request.user, site_id=site_pk)
    form = SessionForm(request.POST or None, actor=request.user, site=site)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            c = form.cleaned_data
            try:
                session = session_create(
                    actor=request.user,
                    site_id=site.pk,
                    kind=c["kind"],
                    name=c["name"],
                    starts_at=c["starts_at"],
                    ends_at=c["ends_at"],
                    grid_ids=c["grids"],
                )
            except ServiceError as error:
                status = form_failed(form, error)
            else:
                messages.success(request, _("Session saved."))
                return redirect("screening:session_edit", pk=session.pk)
    else:
        form.initial = {"kind": SessionKind.REGULAR, **session_times(None)}
    return screening_page(
        request, "screening/session_form.html", {"form": form, "site": site}, status
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@renders_service_errors
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = progress.session_get(actor=request.user, session_id=pk)
    status = 200
    if request.method == "POST":
        form = SessionForm(request.POST, actor=request.user, site=session.site)
        status = 400
        if form.is_valid():
            c = form.cleaned_data
            try:
                session_update(
                    actor=request.user,
                    session_id=session.pk,
                    kind=c["kind"],
                    name=c["name"],
                    starts_at=c["starts_at"],
                    ends_at=c["ends_at"],
                    grid_ids=c["grids"],
                )
            except ServiceError as error:
                status = form_failed(form, error)
            else:
                messages.success(request, _("Session saved."))
                return redirect("screening:session_edit", pk=session.pk)
    else:
        # The grids the editor plans for: those outside stay served (``session_update``).
        grids = scoped(session.grids.all(), request.user, PLANNING).values_list("pk", flat=True)
        form = SessionForm(
            actor=request.user,
            site=session.site,
            initial={
                "name": session.name,
                "kind": session.kind,
                "grids": list(grids),
                **session_times(session),
            },
        )
    # Whom the session invites, masked: for those who plan or sample there.
    readers = (Perm.SCREENING_VIEW, Perm.SCREENING_SAMPLE)
    invited = scoped(session.invited.all(), request.user, readers)
    context = {
        "form": form,
        "site": session.site,
        "session": session,
        "invited_count": invited.count(),
        "invited": [(p.pk, mask_name(p.name)) for p in invited.order_by("pk")[:200]],
    }
    return screening_page(request, "screening/session_form.html", context, status=status)


# A screening list becomes a session
