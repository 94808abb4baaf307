"""The screening home, the daily review and the door-to-door list of a grid."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can_anywhere
from lifeline.core import clock
from lifeline.core.dates import parse_day
from lifeline.core.exports import csv_writer
from lifeline.registry.tree import area_get
from lifeline.screening import selectors
from lifeline.screening.pages.common import (
    ANY_SCREENING,
    LISTS,
    REVIEW,
    require_anywhere,
    screening_page,
)
from lifeline.screening.permissions import DENIED
from lifeline.web.errors import renders_service_errors


@never_cache
@login_required
@renders_service_errors
def review(request: HttpRequest) -> HttpResponse:
    require_anywhere(request.user, REVIEW)
    day = parse_day(request.GET.get("day")) or clock.today()
    data = selectors.daily_review(actor=request.user, day=day)
    context = {
        "review": data,
        "day": day,
        "per_site": selectors.review_per_site(data),
        "sampled_to_result": selectors.sampled_to_result_minutes(actor=request.user, day=day),
        "shipments": list(selectors.shipments_of_day(actor=request.user, day=day)[:500]),
        "previous": day - dt.timedelta(days=1),
        "next": day + dt.timedelta(days=1),
    }
    return screening_page(request, "screening/review.html", context)


@never_cache
@login_required
@renders_service_errors
def door_to_door(request: HttpRequest, grid_id: int) -> HttpResponse:
    """Bedridden and disabled people of a grid by household; ``?format=csv`` exports the
    list (names masked), ``?format=visits`` the households still to sample as team visits."""
    grid = area_get(
        actor=request.user, pk=grid_id, perm=LISTS, missing=selectors.NO_AREA, denied=DENIED
    )
    day = clock.today()
    stops = selectors.door_to_door_stops(actor=request.user, grid_id=grid.pk, day=day)
    fmt = request.GET.get("format")
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="door-to-door-{grid.pk}.csv"'
        writer = csv_writer(response)  # formula-like names neutralised
        writer.writerow(
            [_("Person"), _("Name"), _("Building"), _("Unit"), _("Address"), _("Tested today")]
        )
        for stop in stops:
            for pk, name, tested in stop.people:
                yes_no = _("yes") if tested else _("no")
                writer.writerow([pk, name, stop.building, stop.unit_no, stop.address, yes_no])
        return response
    visits, unplaced = selectors.as_team_visits(stops, grid=grid, day=day)
    if fmt == "visits":
        return JsonResponse(
            {
                "day": day.isoformat(),
                "grid_id": grid.pk,
                "visits": [
                    {
                        "id": v.id,
                        "lat": v.lat,
                        "lng": v.lng,
                        "service": v.service,
                        "priority": v.priority,
                        "skill": v.skill,
                        "size": v.size,
                        "area": v.area,
                        "kind": v.kind,
                    }
                    for v in visits
                ],
                "unplaced_households": [s.household_id for s in unplaced],
            }
        )
    context = {
        "grid": grid,
        "stops": stops,
        "visits": len(visits),
        "unplaced": unplaced,
        "to_sample": sum(s.to_sample for s in stops),
    }
    return screening_page(request, "screening/door_to_door.html", context)


@never_cache
@login_required
@renders_service_errors
def home(request: HttpRequest) -> HttpResponse:
    require_anywhere(request.user, ANY_SCREENING)
    roots = selectors.root_areas(actor=request.user)
    # Samplers and labs hold no screening.view: no lists of people to offer them.
    may_list = can_anywhere(request.user, Perm.SCREENING_VIEW)
    return screening_page(request, "screening/home.html", {"roots": roots, "may_list": may_list})
