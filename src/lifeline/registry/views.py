"""Registry pages for operators: area tree, grid, household, person, search, reveal.

Every object comes through the scoped selectors, so anything outside the actor's area is
a ``NotFound`` (rendered as a 404 by ``renders_service_errors``). Phones and ID numbers
are shown masked; the full value only ever appears in the response to an audited reveal.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can_anywhere
from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.errors import NotFound, ServiceError
from lifeline.core.personal import (
    age_band,
    id_number_is_valid,
    mask_id_number,
    mask_phone,
    normalise_id_number,
    normalise_phone,
)
from lifeline.core.safetext import refuses_unsafe_text
from lifeline.registry import panels, selectors, sensitive, tree
from lifeline.registry.models import Area, AreaLevel, Household, Person, VulnerabilityKind
from lifeline.web.errors import renders_service_errors
from lifeline.web.htmx import is_htmx

PAGE_SIZE = 50
# The grid page shows three lists at once; smaller pages keep it fast on a phone and server.
GRID_PAGE_SIZE = 25
SEARCH_MAX_LENGTH = 100
_PHONE_LIKE = re.compile(r"^[\d\s+()-]{7,}$")

# Which masked attribute stands in for each revealable field, and how it is labelled.
_MASKED_ATTR = {
    "phone": "phone_masked",
    "phone_alt": "phone_alt_masked",
    "id_number": "id_number_masked",
}
_FIELD_LABELS = {
    "phone": _("Phone"),
    "phone_alt": _("Second phone"),
    "id_number": _("ID number"),
    "birth_date": _("Date of birth"),
}


def _masked(obj: Person | Household, field: str) -> str:
    if field == "birth_date":
        return age_band(getattr(obj, "birth_date", None), clock.today())
    return str(getattr(obj, _MASKED_ATTR.get(field, ""), "") or "")


def _page(request: HttpRequest, qs: QuerySet[Any], param: str, size: int = PAGE_SIZE) -> Page[Any]:
    return Paginator(qs, size).get_page(request.GET.get(param))


def _url_prefixes() -> dict[str, str]:
    """Link prefixes for per-row links: one reverse() per page instead of one per row."""
    prefixes = {}
    for key, name in (("person_url", "registry:person"), ("household_url", "registry:household")):
        url = reverse(name, args=[0])
        if not url.endswith("/0/"):  # pragma: no cover - guards a changed URL pattern
            raise RuntimeError(f"{name} must end with /<pk>/")
        prefixes[key] = url[:-2]
    return prefixes


def _grid_get(actor: Actor, pk: int) -> Area:
    """The grid ``pk`` for its register: only where the actor may view the register."""
    area = tree.area_get(
        actor=actor,
        pk=pk,
        perm=Perm.REGISTRY_VIEW,
        denied=_("You may not view this grid's register."),
    )
    if area.level != AreaLevel.GRID:
        raise NotFound(_("This area is not a grid."))
    return area


@login_required
def area_tree(request: HttpRequest) -> HttpResponse:
    roots = [
        {
            "area": root,
            "children": selectors.area_children_with_counts(actor=request.user, area=root),
        }
        for root in selectors.area_roots_for(actor=request.user)
    ]
    return render(request, "registry/area_tree.html", {"roots": roots})


@login_required
@renders_service_errors
def area_detail(request: HttpRequest, pk: int) -> HttpResponse:
    area = tree.area_get(actor=request.user, pk=pk)
    if area.level == AreaLevel.GRID:
        return redirect("registry:grid", pk=area.pk)
    return render(
        request,
        "registry/area_detail.html",
        {
            "area": area,
            "breadcrumbs": tree.breadcrumbs(actor=request.user, area=area),
            "children": selectors.area_children_with_counts(actor=request.user, area=area),
        },
    )


def _vulnerable_context(request: HttpRequest, grid: Area) -> dict[str, Any]:
    kind = request.GET.get("kind", "")
    if kind not in VulnerabilityKind.values:
        kind = ""
    rows = selectors.vulnerable_list(actor=request.user, grid=grid, kind=kind)
    return {
        "grid": grid,
        "kind": kind,
        "kinds": VulnerabilityKind.choices,
        "vulnerable_page": _page(request, rows, "vpage", GRID_PAGE_SIZE),
    }


@login_required
@renders_service_errors
def grid(request: HttpRequest, pk: int) -> HttpResponse:
    grid = _grid_get(request.user, pk)
    households = selectors.household_list(actor=request.user, grid=grid).annotate(
        member_count=Count("members")
    )
    people = selectors.person_list(actor=request.user, grid=grid).prefetch_related(
        "vulnerabilities"
    )
    context = {
        "area": grid,
        "breadcrumbs": tree.breadcrumbs(actor=request.user, area=grid),
        "buildings": selectors.building_list(actor=request.user, grid=grid),
        "household_page": _page(request, households, "hpage", GRID_PAGE_SIZE),
        "people_page": _page(request, people, "ppage", GRID_PAGE_SIZE),
        **_vulnerable_context(request, grid),
        **_url_prefixes(),
    }
    return render(request, "registry/grid.html", context)


@login_required
@renders_service_errors
def grid_vulnerable(request: HttpRequest, pk: int) -> HttpResponse:
    """The vulnerable list of one grid as a fragment, filtered by kind (for htmx)."""
    grid = _grid_get(request.user, pk)
    context = {**_vulnerable_context(request, grid), **_url_prefixes()}
    if not is_htmx(request):
        return redirect(reverse("registry:grid", args=[grid.pk]) + "?" + request.GET.urlencode())
    response = render(request, "registry/partials/vulnerable_list.html", context)
    # Keep the address bar on the full page, so reload and "back" show the same filter.
    response["HX-Push-Url"] = (
        reverse("registry:grid", args=[grid.pk]) + "?" + request.GET.urlencode()
    )
    return response


def _reveal_context(obj: Person | Household, field: str, url_name: str) -> dict[str, Any]:
    return {
        "obj": obj,
        "field": field,
        "label": _FIELD_LABELS.get(field, field),
        "masked": _masked(obj, field),
        "reveal_url": reverse(url_name, args=[obj.pk]),
        "reasons": list(sensitive.REVEAL_REASONS.items()),
    }


def _reveal_fields(actor: Actor, obj: Person | Household, url_name: str) -> list[dict[str, Any]]:
    """The masked fields; each with a reveal form only when the actor may reveal here."""
    fields = sensitive.REVEALABLE[type(obj)]
    may = sensitive.reveal_may(actor, obj)
    return [{**_reveal_context(obj, field, url_name), "may_reveal": may} for field in fields]


@login_required
@renders_service_errors
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.household_get(actor=request.user, pk=pk)
    members = selectors.person_list(actor=request.user, household=household).prefetch_related(
        "vulnerabilities"
    )
    return render(
        request,
        "registry/household.html",
        {
            "household": household,
            "breadcrumbs": tree.breadcrumbs(actor=request.user, area=household.grid),
            "sensitive": _reveal_fields(request.user, household, "registry:household_reveal"),
            "members": members,
        },
    )


@login_required
@renders_service_errors
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(actor=request.user, pk=pk)
    members = selectors.person_list(
        actor=request.user, household=person.household
    ).prefetch_related("vulnerabilities")
    return render(
        request,
        "registry/person.html",
        {
            "person": person,
            "breadcrumbs": tree.breadcrumbs(actor=request.user, area=person.grid),
            "sensitive": _reveal_fields(request.user, person, "registry:person_reveal"),
            "vulnerabilities": person.vulnerabilities.all(),
            "members": members,
            "panels": panels.person_panels(actor=request.user, person=person),
        },
    )


def _reveal(request: HttpRequest, obj: Person | Household, url_name: str) -> HttpResponse:
    field = request.POST.get("field", "")
    context = {**_reveal_context(obj, field, url_name), "may_reveal": True}
    purpose = request.POST.get("purpose", "")
    reason = request.POST.get("reason", "")
    status = 200
    try:
        context["value"] = sensitive.sensitive_reveal(
            actor=request.user, obj=obj, field=field, purpose=purpose, reason=reason
        )
        context["revealed"] = True
    except ServiceError as error:
        if not ({"purpose", "reason"} & set(error.fields)) and error.status != 429:
            raise
        messages = [m for key in ("reason", "purpose") for m in error.fields.get(key, [])]
        context.update(
            errors=messages or [str(error.message)],
            purpose=purpose[:200],
            reason=reason if reason in sensitive.REVEAL_REASONS else "",
        )
        status = error.status
    if is_htmx(request):
        return render(request, "registry/partials/reveal.html", {"item": context}, status=status)
    # Without JavaScript the form posts here as a page: show the value on a page of its own.
    if isinstance(obj, Person):
        back, heading = reverse("registry:person", args=[obj.pk]), obj.name
    else:
        back = reverse("registry:household", args=[obj.pk])
        heading = f"{obj.building.address} {obj.unit_no}"
    return render(
        request,
        "registry/reveal_page.html",
        {"item": context, "back_url": back, "heading": heading},
        status=status,
    )


@never_cache
@login_required
@require_POST
@renders_service_errors
@refuses_unsafe_text
def person_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(actor=request.user, pk=pk)
    return _reveal(request, person, "registry:person_reveal")


@never_cache
@login_required
@require_POST
@renders_service_errors
@refuses_unsafe_text
def household_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.household_get(actor=request.user, pk=pk)
    return _reveal(request, household, "registry:household_reveal")


def _masked_query(query: str) -> str:
    """The query as it may be shown back: a full phone or ID number only masked."""
    id_number = normalise_id_number(query)
    if len(id_number) == 18 and id_number_is_valid(id_number):
        return mask_id_number(id_number)
    if _PHONE_LIKE.match(query):
        return mask_phone(normalise_phone(query))
    return query


@login_required
@renders_service_errors
def search(request: HttpRequest) -> HttpResponse:
    """People by name prefix or phone (GET); by full ID number (POST, counted and audited,
    so the number never sits in a URL or a server log)."""
    context: dict[str, Any] = {"may_search_id": can_anywhere(request.user, Perm.REGISTRY_SEARCH_ID)}
    status = 200
    if request.method == "POST":
        number = request.POST.get("id_number", "")
        context.update(shown_query=mask_id_number(normalise_id_number(number)), id_search=True)
        try:
            found = sensitive.person_find_by_id_number(actor=request.user, id_number=number)
        except ServiceError as error:
            if error.status == 403:
                raise
            context["id_errors"] = [
                *error.fields.get("id_number", []),
                *([] if error.fields else [str(error.message)]),
            ]
            status = error.status
        else:
            context["results_page"] = Paginator(found, PAGE_SIZE).get_page(1)
            context["query_is_personal"] = True
        return render(request, "registry/search.html", context, status=status)
    query = request.GET.get("q", "").strip()[:SEARCH_MAX_LENGTH]
    shown = _masked_query(query)
    context.update(
        # A phone or ID number typed in is not echoed in full, not even into the box.
        search_query=query if shown == query else "",
        shown_query=shown,
        query_is_personal=shown != query,
    )
    if selectors.looks_like_id_number(query):
        context["use_id_search"] = True
    elif query:
        results = selectors.person_search(actor=request.user, q=query)
        context["results_page"] = _page(request, results, "page")
    return render(request, "registry/search.html", context)
