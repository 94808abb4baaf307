"""The plan's map: a Leaflet page (vendored, no tiles) that reads the plan's GeoJSON from
``map_data``, which answers only to those who may read the plan."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from lifeline.teams import mapdata, selectors
from lifeline.teams.pages.common import signed_in


@signed_in
def map_page(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(actor=request.user, pk=pk)
    routes = selectors.routes_of(plan)
    context = {
        "plan": plan,
        "legend": mapdata.legend(routes),
        "unserved": plan.unserved.count(),
    }
    return render(request, "teams/map.html", context)


@signed_in
def map_data(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(actor=request.user, pk=pk)
    return JsonResponse(mapdata.plan_geojson(plan, selectors.routes_of(plan)))
