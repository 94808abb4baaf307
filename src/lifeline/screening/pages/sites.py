"""Sampling sites: list, create, edit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from lifeline.core.errors import ServiceError
from lifeline.screening import progress, selectors
from lifeline.screening.forms import (
    SiteForm,
)
from lifeline.screening.pages.common import (
    PLANNING,
    PLANS,
    form_failed,
    require_anywhere,
    screening_page,
)
from lifeline.screening.services import (
    site_create,
)
from lifeline.screening.services.plans_edit import (
    site_update,
)
from lifeline.web.errors import renders_service_errors


@never_cache
@login_required
@renders_service_errors
def site_list(request: HttpRequest) -> HttpResponse:
    require_anywhere(request.user, PLANS)
    sites = progress.site_list(actor=request.user).order_by("area_path", "name")[:300]
    return screening_page(request, "screening/sites.html", {"sites": sites})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@renders_service_errors
def site_new(request: HttpRequest) -> HttpResponse:
    require_anywhere(request.user, PLANNING)
    form = SiteForm(request.POST or None, actor=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            c = form.cleaned_data
            try:
                site = site_create(
                    actor=request.user,
                    area_id=c["area"],
                    name=c["name"],
                    kind=c["kind"],
                    address=c["address"],
                )
            except ServiceError as error:
                status = form_failed(form, error)
            else:
                messages.success(request, _("Site saved."))
                return redirect("screening:site_edit", pk=site.pk)
    return screening_page(request, "screening/site_form.html", {"form": form}, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@renders_service_errors
def site_edit(request: HttpRequest, pk: int) -> HttpResponse:
    site = progress.site_get(actor=request.user, site_id=pk)
    status = 200
    if request.method == "POST":
        form = SiteForm(request.POST, actor=request.user, editing=True)
        status = 400
        if form.is_valid():
            c = form.cleaned_data
            try:
                site_update(
                    actor=request.user,
                    site_id=site.pk,
                    name=c["name"],
                    kind=c["kind"],
                    address=c["address"],
                )
            except ServiceError as error:
                status = form_failed(form, error)
            else:
                messages.success(request, _("Site saved."))
                return redirect("screening:site_edit", pk=site.pk)
    else:
        form = SiteForm(
            actor=request.user,
            editing=True,
            initial={"name": site.name, "kind": site.kind, "address": site.address},
        )
    sessions = selectors.session_list(actor=request.user).filter(site=site)[:100]
    context = {"form": form, "site": site, "sessions": sessions}
    return screening_page(request, "screening/site_form.html", context, status=status)
