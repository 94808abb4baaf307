"""The volunteer's phone pages, with no account: the phone is proven by the one-time code
of the resident pages (``workorders.providers.verified_phone``). My shifts (cancel, check
in, check out), the open sign-up lists (接龙) of my area with live counts, and one list's
page, the link a coordinator shares."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lifeline.core import clock
from lifeline.core.errors import NotFound, ServiceError
from lifeline.volunteers import selectors, services
from lifeline.volunteers.models import LIVE, Booking, Shift, Volunteer, VolunteerStatus
from lifeline.volunteers.services.bookings import serves_there
from lifeline.web.errors import error_text
from lifeline.workorders.providers import verified_phone

WEEK = dt.timedelta(days=7)


def prove_phone(request: HttpRequest) -> HttpResponse:
    """To the resident pages' phone proof, and back here afterwards."""
    start = reverse("workorders:resident_start")
    return redirect(f"{start}?{urlencode({'next': request.get_full_path()})}")


def _mine(phone: str) -> list[Volunteer]:
    return list(selectors.volunteers_of_phone(phone=phone))


def _active(people: list[Volunteer]) -> list[Volunteer]:
    return [v for v in people if v.status == VolunteerStatus.ACTIVE]


@never_cache
def my_duty(request: HttpRequest) -> HttpResponse:
    phone = verified_phone(request)
    if not phone:
        return prove_phone(request)
    people = _mine(phone)
    now = clock.now()
    bookings = [b for v in people for b in selectors.bookings_of_volunteer(volunteer=v, since=now)]
    bookings.sort(key=lambda b: b.starts_at)
    booked = {b.shift_id for b in bookings}
    calls = [
        s
        for s in selectors.open_calls_for(volunteers=_active(people), since=now, until=now + WEEK)
        if s.pk not in booked
    ][:50]
    context = {
        "people": people,
        "bookings": bookings,
        "calls": calls,
        "now": now,
        "pending": any(v.status == VolunteerStatus.PENDING for v in people),
    }
    return render(request, "volunteers/phone/mine.html", context)


@never_cache
def call(request: HttpRequest, pk: int) -> HttpResponse:
    """One sign-up list, as shared: what, where, when, how many places are left."""
    shift = Shift.objects.select_related("post").filter(pk=pk, open_call=True).first()
    if shift is None:
        raise NotFound()
    phone = verified_phone(request)
    people = _active(_mine(phone)) if phone else []
    mine = (
        Booking.objects.filter(shift=shift, volunteer__in=people, status__in=LIVE).first()
        if people
        else None
    )
    context = {
        "shift": shift,
        "left": max(0, shift.capacity - shift.confirmed),
        "phone": phone,
        "people": people,
        "mine": mine,
        "prove_url": reverse("workorders:resident_start")
        + "?"
        + urlencode({"next": request.get_full_path()}),
    }
    return render(request, "volunteers/phone/call.html", context)


def _volunteer_for(people: list[Volunteer], shift: Shift) -> Volunteer:
    """Which of the phone's volunteers serves where the shift is."""
    for person in people:
        if serves_there(person, shift):
            return person
    raise NotFound(_("That shift is not in your area."))


def _own_booking(phone: str, pk: Any) -> Booking:
    booking = (
        Booking.objects.select_related("shift", "volunteer")
        .filter(pk=pk if str(pk).isdigit() else 0, volunteer__phone=phone)
        .first()
    )
    if booking is None:
        raise NotFound()
    return booking


@never_cache
@require_POST
def act(request: HttpRequest, action: str) -> HttpResponse:
    phone = verified_phone(request)
    if not phone:
        return prove_phone(request)
    data = request.POST
    back = reverse("volunteers:my_duty")
    try:
        if action == "signup":
            raw = data.get("shift", "")
            shift = Shift.objects.filter(pk=raw if raw.isdigit() else 0).first()
            if shift is None:
                raise NotFound()
            person = _volunteer_for(_active(_mine(phone)), shift)
            booking = services.booking_signup(volunteer=person, shift=shift)
            if booking.status == "confirmed":
                done = _("You are on the list.")
            else:
                done = _("The list is full: you are number %(n)s on the waiting list.") % {
                    "n": shift_waiting_rank(booking)
                }
            if data.get("from") == "call":
                back = reverse("volunteers:call", args=[shift.pk])
        elif action == "cancel":
            services.booking_cancel(booking=_own_booking(phone, data.get("booking", "")))
            done = _("You are off the list.")
        elif action == "checkin":
            booking = _own_booking(phone, data.get("booking", ""))
            services.booking_check_in(booking=booking, post_id=data.get("post", ""))
            done = _("Checked in. Thank you!")
        elif action == "checkout":
            services.booking_check_out(booking=_own_booking(phone, data.get("booking", "")))
            done = _("Checked out. Your hours are credited.")
        else:
            raise NotFound()
    except ServiceError as error:
        messages.error(request, error_text(error, field_names=False))
        return redirect(back)
    messages.success(request, done)
    return redirect(back)


def shift_waiting_rank(booking: Booking) -> int:
    """1 for the first waiting on the booking's shift."""
    return Booking.objects.filter(
        shift_id=booking.shift_id, status="waiting", position__lte=booking.position
    ).count()


urlpatterns = [
    path("v/", my_duty, name="my_duty"),
    path("v/calls/<int:pk>/", call, name="call"),
    path("v/act/<slug:action>/", act, name="phone_act"),
]
