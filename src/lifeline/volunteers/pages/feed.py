"""A volunteer's shifts in their own calendar app: the phone page that makes, replaces or
stops the feed's secret address (phone proven as on the other phone pages), and the feed
itself, ``/volunteers/feed/<token>.ics`` (iCalendar), read by calendar apps with no login.

The feed holds the confirmed shifts from ``FEED_PAST`` ago to ``FEED_AHEAD`` ahead: each
post's name and address, start and end; nothing about the volunteer."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST, require_safe
from icalendar import Calendar, Event, vDuration

from lifeline.core import clock
from lifeline.core.errors import NotFound, ServiceError
from lifeline.volunteers import selectors
from lifeline.volunteers.models import Booking, BookingStatus, Volunteer, VolunteerStatus
from lifeline.volunteers.pages.phone import prove_phone
from lifeline.volunteers.services.feed import (
    volunteer_by_feed_token,
    volunteer_feed_token_make,
    volunteer_feed_token_revoke,
)
from lifeline.web.errors import error_text
from lifeline.workorders.providers import verified_phone

FEED_PAST = dt.timedelta(days=7)
FEED_AHEAD = dt.timedelta(days=60)
# How often calendar apps are asked to fetch the feed again.
REFRESH = dt.timedelta(hours=1)


def _feed_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("volunteers:feed", args=[token]))


def _active_of(phone: str) -> list[Volunteer]:
    return [
        v
        for v in selectors.volunteers_of_phone(phone=phone).select_related("area")
        if v.status == VolunteerStatus.ACTIVE
    ]


@never_cache
@require_GET
def calendar_page(request: HttpRequest) -> HttpResponse:
    """The phone's calendar links, one per active volunteer record of the phone."""
    phone = verified_phone(request)
    if not phone:
        return prove_phone(request)
    rows = []
    for person in _active_of(phone):
        url = _feed_url(request, person.feed_token) if person.feed_token else ""
        webcal = "webcal://" + url.split("://", 1)[1] if url else ""
        rows.append({"volunteer": person, "url": url, "webcal": webcal})
    context = {"rows": rows, "several": len(rows) > 1}
    return render(request, "volunteers/phone/calendar.html", context)


@never_cache
@require_POST
def calendar_act(request: HttpRequest, action: str) -> HttpResponse:
    """make (or show again), renew (a new address; the old stops) or stop the feed."""
    phone = verified_phone(request)
    if not phone:
        return prove_phone(request)
    raw = request.POST.get("volunteer", "")
    person = next((v for v in _active_of(phone) if str(v.pk) == raw), None)
    try:
        if person is None:
            raise NotFound()
        if action == "make":
            volunteer_feed_token_make(volunteer=person)
            done = _("Your calendar link is ready.")
        elif action == "renew":
            volunteer_feed_token_make(volunteer=person, renew=True)
            done = _("A new calendar link is ready; the old one no longer works.")
        elif action == "stop":
            volunteer_feed_token_revoke(volunteer=person)
            done = _("Your calendar link no longer works.")
        else:
            raise NotFound()
    except ServiceError as error:
        messages.error(request, error_text(error, field_names=False))
        return redirect("volunteers:calendar")
    messages.success(request, done)
    return redirect("volunteers:calendar")


def feed_bookings(*, volunteer: Volunteer, now: dt.datetime) -> list[Booking]:
    """The volunteer's confirmed shifts in the feed's window, earliest first."""
    return list(
        Booking.objects.select_related("shift__post")
        .filter(
            volunteer=volunteer,
            status=BookingStatus.CONFIRMED,
            shift__cancelled_at__isnull=True,
            ends_at__gt=now - FEED_PAST,
            starts_at__lt=now + FEED_AHEAD,
        )
        .order_by("starts_at", "pk")
    )


def feed_calendar(*, bookings: list[Booking], now: dt.datetime) -> bytes:
    """The iCalendar text of these bookings: one event per shift, its post and times."""
    cal = Calendar()
    cal.add("prodid", "-//Lifeline//Volunteer duty//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _("Volunteer duty"))
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    for booking in bookings:
        post = booking.shift.post
        event = Event()
        event.add("uid", f"volunteer-booking-{booking.pk}@lifeline")
        event.add("dtstamp", now)
        event.add("dtstart", booking.starts_at)
        event.add("dtend", booking.ends_at)
        event.add("summary", post.name)
        if post.address:
            event.add("location", post.address)
        event.add("status", "CONFIRMED")
        event.add("transp", "OPAQUE")
        cal.add_component(event)
    return cal.to_ical()


@never_cache
@require_safe
def feed(request: HttpRequest, token: str) -> HttpResponse:
    person = volunteer_by_feed_token(token=token)
    if person is None:
        raise Http404()
    now = clock.now()
    body = feed_calendar(bookings=feed_bookings(volunteer=person, now=now), now=now)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="volunteer-duty.ics"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


urlpatterns = [
    path("v/calendar/", calendar_page, name="calendar"),
    path("v/calendar/<slug:action>/", calendar_act, name="calendar_act"),
    path("feed/<str:token>.ics", feed, name="feed"),
]
