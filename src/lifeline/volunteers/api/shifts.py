"""Volunteers API: shifts with their live counts (confirmed, waiting, head count), a new
shift of a post (with an Idempotency-Key), the head count changed, and a shift's roll
(confirmed, then waiting in arrival order; phones masked)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from lifeline.api.auth import AuthedRequest
from lifeline.api.creates import IdempotencyKey, create_once
from lifeline.api.pagination import PageParams, page_of, paginate
from lifeline.api.schemas import ERRORS, SAFE, Id, InSchema, bounded
from lifeline.core import clock
from lifeline.core.errors import ServiceError
from lifeline.volunteers import selectors, services
from lifeline.volunteers.api.outputs import (
    DutyBookingOut,
    DutyShiftOut,
    aware,
    booking_out,
    shift_out,
)

router = Router(tags=["volunteers"])

# The longest window one list of shifts covers.
MAX_WINDOW = dt.timedelta(days=62)
DEFAULT_WINDOW = dt.timedelta(days=7)
# Numbers are checked by the services, which say what is allowed (400, not 422).
Count = Annotated[int, Field(ge=-(2**31), le=2**31)]


class DutyShiftFilter(Schema):
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    post_id: Id | None = None


class DutyShiftIn(InSchema):
    post_id: Id
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: Count
    skills: list[Annotated[str, bounded(20), SAFE]] = Field(default_factory=list, max_length=10)
    open_call: bool = False
    note: Annotated[str, bounded(200), SAFE] = ""


class ShiftCapacityIn(InSchema):
    capacity: Count


class DutyRollOut(Schema):
    shift: DutyShiftOut
    bookings: list[DutyBookingOut]


def _window(filters: DutyShiftFilter) -> tuple[dt.datetime, dt.datetime]:
    message = _("Choose an end after the start, at most 62 days later.")
    since = aware(filters.since, "since") if filters.since else clock.now()
    try:
        until = aware(filters.until, "until") if filters.until else since + DEFAULT_WINDOW
    except OverflowError:
        raise ServiceError(message, fields={"until": [message]}) from None
    if until <= since or until - since > MAX_WINDOW:
        raise ServiceError(message, fields={"until": [message]})
    return since, until


@router.get("/shifts", response={200: page_of(DutyShiftOut), **ERRORS})
def shifts_list(
    request: AuthedRequest, filters: Query[DutyShiftFilter], page: Query[PageParams]
) -> Any:
    """Shifts overlapping [``since``, ``until``) (default: the coming seven days), of one
    post when ``post_id`` is given, with their live counts."""
    actor = request.auth
    since, until = _window(filters)
    post = None
    if filters.post_id is not None:
        post = selectors.post_get(actor=actor, pk=filters.post_id)
    qs = selectors.shift_list(actor=actor, since=since, until=until, post=post)
    answer = paginate(qs, page)
    answer["items"] = [shift_out(s) for s in answer["items"]]
    return answer


@router.post("/shifts", response={201: DutyShiftOut, **ERRORS})
def shifts_create(request: AuthedRequest, payload: DutyShiftIn, key: IdempotencyKey) -> Any:
    """A shift of a post for ``capacity`` people; ``open_call`` publishes it as a sign-up
    list (接龙). Times without an offset are read in the city's time zone."""
    actor = request.auth

    def make() -> dict[str, Any]:
        post = selectors.post_get(actor=actor, pk=payload.post_id)
        shift = services.shift_create(
            actor=actor,
            post=post,
            starts_at=aware(payload.starts_at, "starts_at"),
            ends_at=aware(payload.ends_at, "ends_at"),
            capacity=payload.capacity,
            skills=payload.skills,
            open_call=payload.open_call,
            note=payload.note,
        )
        return shift_out(selectors.shift_get(actor=actor, pk=shift.pk))

    return create_once(request, key=key, payload=payload, make=make, out=DutyShiftOut)


@router.post("/shifts/{int:shift_id}/capacity", response={200: DutyShiftOut, **ERRORS})
def shifts_capacity(request: AuthedRequest, shift_id: Id, payload: ShiftCapacityIn) -> Any:
    """Change the head count: raised, the waiting list moves up; cut, the latest confirmed
    go back to the front of the waiting list (and are told)."""
    actor = request.auth
    shift = selectors.shift_get(actor=actor, pk=shift_id)
    services.shift_capacity_set(actor=actor, shift=shift, capacity=payload.capacity)
    return shift_out(selectors.shift_get(actor=actor, pk=shift_id))


@router.get("/shifts/{int:shift_id}/roll", response={200: DutyRollOut, **ERRORS})
def shifts_roll(request: AuthedRequest, shift_id: Id) -> Any:
    """Who is on the shift and who waits, in arrival order."""
    actor = request.auth
    shift = selectors.shift_get(actor=actor, pk=shift_id)
    roll = selectors.shift_roll(actor=actor, shift=shift)
    return {"shift": shift_out(shift), "bookings": [booking_out(b) for b in roll]}
