"""A volunteer's task sheet for one day, printable: their shifts (post, address, times,
check-in), and for a building head (楼栋长) the building's vulnerable residents, masked,
and the building's supply orders to collect and deliver.

The coordinator prints it at ``/volunteers/people/<pk>/sheet/?day=YYYY-MM-DD``; the
volunteer sees their own on the phone (``selfservice.my_sheet``). Names are masked and
no phone or ID number is shown on either: the sheet travels in a pocket.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can
from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.registry import selectors as registry_selectors
from lifeline.registry.models import Building
from lifeline.supplies import selectors as supplies_selectors
from lifeline.volunteers import selectors
from lifeline.volunteers.models import Booking, Volunteer, VolunteerStatus
from lifeline.web.errors import renders_service_errors

DAY = dt.timedelta(days=1)


@dataclass
class DaySheet:
    """One volunteer's day. ``neighbours`` is None when the reader may not see them;
    ``orders`` is None when the reader may not see them."""

    volunteer: Volunteer
    day: dt.date
    bookings: list[Booking]
    building: Building | None = None
    neighbours: list[dict[str, Any]] | None = None
    need_counts: list[tuple[str, int]] = field(default_factory=list)
    orders: list[dict[str, Any]] | None = None


def parse_day(raw: str) -> dt.date | None:
    """``YYYY-MM-DD``, or today's local date when blank; None when it is not a date."""
    if not raw:
        return timezone.localdate(clock.now())
    try:
        return dt.date.fromisoformat(raw[:10]) if len(raw) == 10 else None
    except ValueError:
        return None


def _bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, timezone.make_aware(dt.datetime.combine(day + DAY, dt.time.min))


def bookings_of_day(volunteer: Volunteer, day: dt.date) -> list[Booking]:
    """The volunteer's shifts touching ``day`` (confirmed or waiting), in order."""
    start, end = _bounds(day)
    since = selectors.bookings_of_volunteer(volunteer=volunteer, since=start)
    return list(since.filter(starts_at__lt=end))


def _need_counts(rows: list[dict[str, Any]]) -> list[tuple[str, int]]:
    """How many residents of the building have each need."""
    counts: dict[str, int] = {}
    for row in rows:
        for need in row["needs"]:
            counts[need] = counts.get(need, 0) + 1
    return list(counts.items())


def neighbours_for_actor(actor: Actor, building: Building) -> list[dict[str, Any]] | None:
    """The building's residents needing care as the registry shows them to ``actor``,
    masked (None when the actor may not see the registry there)."""
    return registry_selectors.building_care_list(building_id=building.pk, actor=actor)


def neighbours_for_head(building: Building) -> list[dict[str, Any]] | None:
    """The building's residents needing care for its head, whose phone the page has proven
    and whom a coordinator made head of this building; masked by the registry."""
    return registry_selectors.building_care_list(building_id=building.pk)


def supply_orders(building: Building, day: dt.date) -> list[dict[str, Any]]:
    """The building's package orders to collect and deliver on ``day`` (unit, package,
    status; no name or phone)."""
    return supplies_selectors.building_orders_of_day(building_id=building.pk, day=day)


def day_sheet(
    volunteer: Volunteer, day: dt.date, neighbours: list[dict[str, Any]] | None
) -> DaySheet:
    sheet = DaySheet(volunteer=volunteer, day=day, bookings=bookings_of_day(volunteer, day))
    building = volunteer.building if volunteer.status == VolunteerStatus.ACTIVE else None
    if building is None:
        return sheet
    sheet.building = building
    if neighbours is not None:  # the building's households: for the head and registry staff
        sheet.neighbours, sheet.need_counts = neighbours, _need_counts(neighbours)
        sheet.orders = supply_orders(building, day)
    return sheet


@login_required
@renders_service_errors
def volunteer_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """The coordinator's printable sheet of one volunteer's day."""
    actor = request.user
    volunteer = selectors.volunteer_get(actor=actor, pk=pk)
    day = parse_day(request.GET.get("day", ""))
    if day is None:
        context = {"volunteer": volunteer, "error": _("Give the day as YYYY-MM-DD.")}
        return render(request, "volunteers/sheet.html", context, status=400)
    building = volunteer.building
    neighbours = neighbours_for_actor(actor, building) if building is not None else None
    context = {
        "volunteer": volunteer,
        "sheet": day_sheet(volunteer, day, neighbours),
        "printed_at": clock.now(),
        "may_set_building": volunteer.status == VolunteerStatus.ACTIVE
        and can(actor, Perm.VOLUNTEERS_MANAGE, path=volunteer.area_path),
    }
    return render(request, "volunteers/sheet.html", context)


urlpatterns = [
    path("people/<int:pk>/sheet/", volunteer_sheet, name="volunteer_sheet"),
]
