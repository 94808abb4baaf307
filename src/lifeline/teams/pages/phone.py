"""The crew's phone page: the next stop, big buttons to record arrival and completion,
and the rest of the day below. Works without JavaScript (forms post and come back); with
htmx the card is swapped in place."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lifeline.core.dates import parse_day
from lifeline.core.errors import NotFound, ServiceError
from lifeline.core.safetext import refuses_unsafe_text
from lifeline.teams import selectors, services
from lifeline.teams.models import PlanStop
from lifeline.teams.pages.common import error_text, float_or_none, signed_in, window_text
from lifeline.teams.places import stop_places
from lifeline.web.htmx import is_htmx


def _context(
    request: HttpRequest, day: dt.date | None = None, revealed: dict[int, str] | None = None
) -> dict[str, object]:
    mine = selectors.route_for_member(actor=request.user, day=day)
    stops = mine.stops
    places = stop_places(stops)
    for stop in stops:
        stop.window = window_text(stop.earliest, stop.latest)  # type: ignore[attr-defined]
        stop.place = places[stop.pk]  # type: ignore[attr-defined]
        stop.phone = (revealed or {}).get(stop.pk, "")  # type: ignore[attr-defined]
    return {
        "mine": mine,
        "stops": stops,
        "next": mine.next_stop,
        "outcomes": PlanStop.Outcome.choices,
    }


@signed_in
def my_route(request: HttpRequest) -> HttpResponse:
    """Today's route (or ``?day=YYYY-MM-DD``'s, to look ahead)."""
    day = parse_day(request.GET.get("day"))
    return render(request, "teams/phone.html", _context(request, day))


@require_POST
@signed_in
@refuses_unsafe_text
def record(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Arrival or completion at one stop of the actor's route."""
    stop = selectors.stop_get(actor=request.user, pk=pk)
    data = request.POST
    try:
        km = float_or_none(data, "km")
        if action == "arrive":
            services.stop_arrive(actor=request.user, stop=stop, km=km, note=data.get("note", ""))
            done = _("Arrival recorded.")
        elif action == "complete":
            services.stop_complete(
                actor=request.user,
                stop=stop,
                outcome=data.get("outcome", PlanStop.Outcome.DONE),
                note=data.get("note", ""),
                km=km,
            )
            done = _("Stop completed.")
        else:
            raise NotFound()
    except NotFound:
        raise
    except ServiceError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, done)
    if is_htmx(request):
        context = {**_context(request, stop.plan.day), "fragment": True}
        return render(request, "teams/partials/phone_card.html", context)
    return redirect("teams:my_route")


@require_POST
@signed_in
def reveal_contact(request: HttpRequest, pk: int) -> HttpResponse:
    """The full callback number of one open stop, shown once with a link to call it
    (audited); the page, or with htmx the card, comes back with it."""
    stop = selectors.stop_get(actor=request.user, pk=pk)
    revealed: dict[int, str] = {}
    try:
        revealed[stop.pk] = services.stop_contact_reveal(actor=request.user, stop=stop)
    except NotFound:
        raise
    except ServiceError as error:
        messages.error(request, error_text(error))
    context = _context(request, stop.plan.day, revealed)
    if is_htmx(request):
        return render(request, "teams/partials/phone_card.html", {**context, "fragment": True})
    return render(request, "teams/phone.html", context)
