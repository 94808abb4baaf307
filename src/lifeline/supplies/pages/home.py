"""Supplies pages: the landing page (what the signed-in user may do here, and a few figures)
and the exports of distributions (CSV, XLSX, HXL).

The landing page links only to the parts the user's permissions open, and only to those
that exist (each part's page is its own module). Downloads are reads (GET): the file is
made from what the user may see, and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can_anywhere
from lifeline.core.actors import Actor
from lifeline.core.errors import PermissionDenied
from lifeline.supplies.selectors import exports
from lifeline.web.errors import renders_service_errors

ANY_SUPPLIES = (
    Perm.SUPPLIES_VIEW,
    Perm.SUPPLIES_STOCK,
    Perm.SUPPLIES_DONATIONS,
    Perm.SUPPLIES_NEED,
    Perm.SUPPLIES_ALLOCATE,
    Perm.SUPPLIES_PACKAGES,
    Perm.SUPPLIES_DELIVER,
    Perm.SUPPLIES_CATALOGUE,
)


@dataclass(frozen=True)
class Part:
    url_name: str
    title: object
    text: object
    perms: tuple[str, ...]


PARTS = [
    Part(
        "supplies:stock",
        _("Stock and warehouses"),
        _("What each warehouse holds, receipts, transfers, issues and counts."),
        (Perm.SUPPLIES_STOCK, Perm.SUPPLIES_VIEW),
    ),
    Part(
        "supplies:donations",
        _("Donations"),
        _("Donors, their pledges and money, and receiving the goods."),
        (Perm.SUPPLIES_DONATIONS,),
    ),
    Part(
        "supplies:needs",
        _("Supply needs"),
        _("What communities, streets and units need, by when."),
        (Perm.SUPPLIES_NEED, Perm.SUPPLIES_ALLOCATE),
    ),
    Part(
        "supplies:recurring",
        _("Daily needs"),
        _("Canteens and posts fed every day, and their days of cover."),
        (Perm.SUPPLIES_NEED, Perm.SUPPLIES_ALLOCATE),
    ),
    Part(
        "supplies:allocation",
        _("Matching"),
        _("Match stock to open needs and approve the proposal."),
        (Perm.SUPPLIES_ALLOCATE,),
    ),
    Part(
        "supplies:shipments",
        _("Shipments"),
        _("Waybills, dispatch and receipt by the receiving contact."),
        (Perm.SUPPLIES_ALLOCATE, Perm.SUPPLIES_VIEW),
    ),
    Part(
        "supplies:packages",
        _("Supply packages"),
        _("Packages for residents: contents, daily cap and orders."),
        (Perm.SUPPLIES_PACKAGES,),
    ),
    Part(
        "supplies:picklists",
        _("Deliveries tonight"),
        _("Each building's orders to hand out."),
        (Perm.SUPPLIES_DELIVER,),
    ),
    Part(
        "supplies:exports",
        _("Exports"),
        _("Distributions as CSV, Excel and HXL (who, what, where, when)."),
        (Perm.SUPPLIES_VIEW,),
    ),
]


def parts_for(actor: Actor) -> list[dict[str, object]]:
    """The parts ``actor`` may open, with their links; parts not built yet are skipped."""
    found = []
    for part in PARTS:
        if not can_anywhere(actor, part.perms):
            continue
        try:
            url = reverse(part.url_name)
        except NoReverseMatch:
            continue
        found.append({"url": url, "title": part.title, "text": part.text, "name": part.url_name})
    return found


def _require_supplies(actor: Actor) -> None:
    if not can_anywhere(actor, ANY_SUPPLIES):
        raise PermissionDenied(_("Your role has no part in supplies."))


@login_required
@require_GET
@renders_service_errors
def home(request: HttpRequest) -> HttpResponse:
    actor = request.user
    _require_supplies(actor)
    context = {"parts": parts_for(actor), "figures": exports.home_figures(actor=actor)}
    return render(request, "supplies/home/home.html", context)


@login_required
@require_GET
@renders_service_errors
def exports_page(request: HttpRequest) -> HttpResponse:
    actor = request.user
    if not exports.may_export(actor=actor):
        raise PermissionDenied(_("You may not export distributions."))
    since = exports.parse_day(request.GET.get("since"), "since")
    until = exports.parse_day(request.GET.get("until"), "until")
    query = request.GET.urlencode()
    links = [
        {
            "fmt": fmt,
            "label": label,
            "url": reverse("supplies:exports_download", kwargs={"fmt": fmt})
            + (f"?{query}" if query else ""),
        }
        for fmt, label in (
            ("csv", _("CSV")),
            ("xlsx", _("Excel (XLSX)")),
            ("hxl", _("HXL-tagged CSV")),
        )
    ]
    context = {"since": since, "until": until, "links": links, "max_rows": exports.MAX_ROWS}
    return render(request, "supplies/home/exports.html", context)


@login_required
@require_GET
@renders_service_errors
def exports_download(request: HttpRequest, fmt: str) -> HttpResponse:
    export = exports.distributions_export(
        actor=request.user,
        fmt=fmt,
        since=exports.parse_day(request.GET.get("since"), "since"),
        until=exports.parse_day(request.GET.get("until"), "until"),
        language=get_language() or "zh-hans",
    )
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    return response


urlpatterns: list[URLPattern] = [
    path("", home, name="home"),
    path("exports/", exports_page, name="exports"),
    path("exports/distributions.<str:fmt>", exports_download, name="exports_download"),
]
