"""Volunteers API: bookings. A coordinator puts a volunteer on a shift (confirmed while
places are left, else waiting; with an Idempotency-Key), takes a booking off, and records
check-in at the post and check-out (the minutes on duty are credited)."""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Router

from lifeline.api.auth import AuthedRequest
from lifeline.api.creates import IdempotencyKey, create_once
from lifeline.api.schemas import ERRORS, SAFE, Id, InSchema, bounded
from lifeline.core.actors import Actor
from lifeline.volunteers import selectors, services
from lifeline.volunteers.api.outputs import DutyBookingOut, booking_out
from lifeline.volunteers.models import Booking

router = Router(tags=["volunteers"])


class DutyBookingIn(InSchema):
    volunteer_id: Id


class BookingCancelIn(InSchema):
    reason: Annotated[str, bounded(200), SAFE] = ""


class BookingCheckInIn(InSchema):
    # The post the volunteer stands at: refused unless it is their shift's.
    post_id: Id


def _booking(actor: Actor, pk: int) -> Booking:
    return selectors.booking_get(actor=actor, pk=pk)


def _answer(actor: Actor, pk: int) -> dict[str, Any]:
    return booking_out(_booking(actor, pk))


@router.post("/shifts/{int:shift_id}/bookings", response={201: DutyBookingOut, **ERRORS})
def bookings_create(
    request: AuthedRequest, shift_id: Id, payload: DutyBookingIn, key: IdempotencyKey
) -> Any:
    """Book a volunteer of the area on the shift: confirmed while places are left, else
    on the waiting list. Refused (409): not approved yet, the shift closed or begun, on
    the list already (``already_booked``), or past their limits (``limits``)."""
    actor = request.auth

    def make() -> dict[str, Any]:
        shift = selectors.shift_get(actor=actor, pk=shift_id)
        volunteer = selectors.volunteer_get(actor=actor, pk=payload.volunteer_id)
        booking = services.booking_signup(actor=actor, volunteer=volunteer, shift=shift)
        return _answer(actor, booking.pk)

    return create_once(request, key=key, payload=payload, make=make, out=DutyBookingOut)


@router.post("/bookings/{int:booking_id}/cancel", response={200: DutyBookingOut, **ERRORS})
def bookings_cancel(request: AuthedRequest, booking_id: Id, payload: BookingCancelIn) -> Any:
    """Take the booking off the list; a confirmed place that frees goes to the first
    waiting who still fits their limits."""
    actor = request.auth
    services.booking_cancel(actor=actor, booking=_booking(actor, booking_id), reason=payload.reason)
    return _answer(actor, booking_id)


@router.post("/bookings/{int:booking_id}/check-in", response={200: DutyBookingOut, **ERRORS})
def bookings_check_in(request: AuthedRequest, booking_id: Id, payload: BookingCheckInIn) -> Any:
    """The volunteer is at ``post_id``: refused at another post, for a booking not
    confirmed, more than an hour early, after the shift, or twice."""
    actor = request.auth
    booking = _booking(actor, booking_id)
    services.booking_check_in(booking=booking, post_id=payload.post_id, actor=actor)
    return _answer(actor, booking_id)


@router.post("/bookings/{int:booking_id}/check-out", response={200: DutyBookingOut, **ERRORS})
def bookings_check_out(request: AuthedRequest, booking_id: Id) -> Any:
    """The volunteer leaves the post: the minutes on duty are credited."""
    actor = request.auth
    booking = _booking(actor, booking_id)
    services.booking_check_out(booking=booking, actor=actor)
    return _answer(actor, booking_id)
