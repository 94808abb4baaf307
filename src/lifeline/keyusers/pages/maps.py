"""The register on a map: a Leaflet page (vendored, no tiles, no inline script) that reads
``map_data``, the key users the reader sees as GeoJSON (people at home masked)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import path

from lifeline.keyusers import mapdata
from lifeline.keyusers.models import KeyUserKind
from lifeline.keyusers.pages.register import require_view
from lifeline.web.errors import renders_service_errors


def _filters(request: HttpRequest) -> tuple[str, str]:
    q = request.GET.get("q", "").strip()[:100]
    kind = request.GET.get("kind", "")
    return q, kind if kind in KeyUserKind.values else ""


@login_required
@renders_service_errors
def map_page(request: HttpRequest) -> HttpResponse:
    require_view(request)
    q, kind = _filters(request)
    context = {"q": q, "kind": kind, "kinds": KeyUserKind.choices, "legend": mapdata.legend()}
    return render(request, "keyusers/map.html", context)


@login_required
@renders_service_errors
def map_data(request: HttpRequest) -> HttpResponse:
    require_view(request)
    q, kind = _filters(request)
    return JsonResponse(mapdata.keyuser_geojson(actor=request.user, q=q, kind=kind))


urlpatterns = [
    path("map/", map_page, name="map"),
    path("map/data/", map_data, name="map_data"),
]
