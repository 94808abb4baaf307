"""Sampling sites: list, create, edit."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from lifeline.screening import selectors
from lifeline.screening.forms import SiteForm
from lifeline.screening.models import Site
from lifeline.screening.pages.common import (
    PLANNING,
    PLANS,
    plan_form_page,
    require_anywhere,
    screening_page,
)
from lifeline.screening.services import site_create, site_update
from lifeline.web.errors import renders_service_errors


@never_cache
@login_required
@renders_service_errors
def site_list(request: HttpRequest) -> HttpResponse:
    require_anywhere(request.user, PLANS)
    sites = selectors.site_list(actor=request.user).order_by("area_path", "name")[:300]
    return screening_page(request, "screening/sites.html", {"sites": sites})


def _site_values(c: dict[str, Any]) -> dict[str, Any]:
    return {"name": c["name"], "kind": c["kind"], "address": c["address"]}


def _to_site(site: Site) -> str:
    return reverse("screening:site_edit", args=[site.pk])


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@renders_service_errors
def site_new(request: HttpRequest) -> HttpResponse:
    require_anywhere(request.user, PLANNING)
    return plan_form_page(
        request,
        form_class=SiteForm,
        form_kwargs={"actor": request.user},
        template="screening/site_form.html",
        save=lambda c: site_create(actor=request.user, area_id=c["area"], **_site_values(c)),
        success_message=_("Site saved."),
        success_url=_to_site,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@renders_service_errors
def site_edit(request: HttpRequest, pk: int) -> HttpResponse:
    site = selectors.site_get(actor=request.user, site_id=pk)
    return plan_form_page(
        request,
        form_class=SiteForm,
        form_kwargs={"actor": request.user, "editing": True},
        initial=lambda: {"name": site.name, "kind": site.kind, "address": site.address},
        template="screening/site_form.html",
        save=lambda c: site_update(actor=request.user, site_id=site.pk, **_site_values(c)),
        success_message=_("Site saved."),
        success_url=_to_site,
        context=lambda: {
            "site": site,
            "sessions": selectors.session_list(actor=request.user).filter(site=site)[:100],
        },
    )
