"""Sign-up lists (接龙) and bookings: a shift never holds more than its head count, and
nobody is booked on two overlapping shifts, without their rest, or past their limits.

Every change of a shift's bookings holds the shift's row lock (``select_for_update``) and
the volunteer's, always in that order, so two sign-ups for one shift queue on the shift
and two of one volunteer's sign-ups for different shifts queue on the volunteer. Arrivals
after the cap wait in arrival order; a cancellation promotes the first waiting who still
fits their limits, and tells them. Cutting the head count moves the latest confirmed to
the front of the waiting list, and tells them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import require
from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict, NotFound
from lifeline.volunteers.models import (
    LIVE,
    Booking,
    BookingSource,
    BookingStatus,
    Shift,
    Volunteer,
    VolunteerStatus,
)
from lifeline.volunteers.services.availability import away_during
from lifeline.volunteers.services.common import invalid, shift_label, text_volunteer

DAY = dt.timedelta(days=1)


def _lock_shift(shift: Shift) -> Shift:
    return Shift.objects.select_for_update().select_related("post").get(pk=shift.pk)


def _lock_volunteer(volunteer: Volunteer) -> Volunteer:
    return Volunteer.objects.select_for_update().get(pk=volunteer.pk)


def serves_there(volunteer: Volunteer, shift: Shift) -> bool:
    """A volunteer serves posts inside their area, and an agency's volunteers (an area
    above) the posts below it."""
    return shift.area_path.startswith(volunteer.area_path) or volunteer.area_path.startswith(
        shift.area_path
    )


def _minutes(start: dt.datetime, end: dt.datetime) -> int:
    return int((end - start).total_seconds() // 60)


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def fits(volunteer: Volunteer, shift: Shift) -> str:
    """Why the volunteer cannot take the shift ("" when they can): they are away then,
    another booking overlaps
    it or leaves less than their rest, or it would take them past their minutes in its
    day (the local day it starts) or in its week (the seven days up to its end). Reads
    the volunteer's confirmed bookings; the caller holds the volunteer's row lock."""
    if away_during(volunteer, shift.starts_at, shift.ends_at):
        return str(_("away then"))
    rest = dt.timedelta(minutes=volunteer.min_rest_minutes)
    window_start = min(shift.starts_at - rest, shift.ends_at - 7 * DAY)
    others = Booking.objects.filter(
        volunteer=volunteer,
        status=BookingStatus.CONFIRMED,
        ends_at__gt=window_start,
        starts_at__lt=shift.ends_at + rest,
    )
    day = _local_day(shift.starts_at)
    day_minutes = week_minutes = shift.minutes
    for other in others.only("starts_at", "ends_at"):
        if other.starts_at < shift.ends_at and shift.starts_at < other.ends_at:
            return str(_("already on duty then"))
        if other.starts_at < shift.ends_at + rest and shift.starts_at < other.ends_at + rest:
            return str(_("too little rest between shifts"))
        length = _minutes(other.starts_at, other.ends_at)
        if _local_day(other.starts_at) == day:
            day_minutes += length
        if other.ends_at > shift.ends_at - 7 * DAY:
            week_minutes += length
    if day_minutes > volunteer.max_day_minutes:
        return str(_("more hours that day than allowed"))
    if week_minutes > volunteer.max_week_minutes:
        return str(_("more hours that week than allowed"))
    return ""


def booking_signup(
    *,
    volunteer: Volunteer,
    shift: Shift,
    actor: Actor | None = None,
    source: str = BookingSource.SIGNUP,
    waitlist: bool = True,
) -> Booking:
    """Put the volunteer on the shift: confirmed while places are left, else on the
    waiting list in arrival order. Without ``actor`` the volunteer signs up themselves
    (the page has proven their phone) and the shift must be open for sign-up; a
    coordinator (``actor``) books anyone of their area on any shift of it.

    Refused, writing nothing: a volunteer not yet approved, a shift not open or already
    begun, signing up twice (``already_booked``), or a booking that overlaps another, cuts
    their rest or passes their limits (``limits``); with ``waitlist=False`` (a published
    roster) a full shift (``full``) rather than a place on the waiting list."""
    if actor is not None:
        require(
            actor,
            Perm.VOLUNTEERS_MANAGE,
            path=shift.area_path,
            message=_("You may not book volunteers for this post."),
        )
        require(actor, Perm.VOLUNTEERS_VIEW, path=volunteer.area_path)
        source = source if source != BookingSource.SIGNUP else BookingSource.COORDINATOR
    now = clock.now()
    with transaction.atomic():
        locked = _lock_shift(shift)
        person = _lock_volunteer(volunteer)
        _check_signup(person, locked, now, self_service=actor is None)
        reason = fits(person, locked)
        if reason:
            raise Conflict(
                _("%(name)s cannot take this shift: %(reason)s.")
                % {"name": person.name, "reason": reason},
                code="limits",
            )
        confirmed = locked.confirmed < locked.capacity
        if not confirmed and not waitlist:
            raise Conflict(_("This shift is full."), code="full")
        Shift.objects.filter(pk=locked.pk).update(
            arrivals=F("arrivals") + 1,
            confirmed=F("confirmed") + (1 if confirmed else 0),
            waiting=F("waiting") + (0 if confirmed else 1),
        )
        booking = Booking.objects.create(
            shift=locked,
            volunteer=person,
            area_path=locked.area_path,
            starts_at=locked.starts_at,
            ends_at=locked.ends_at,
            status=BookingStatus.CONFIRMED if confirmed else BookingStatus.WAITING,
            source=source,
            position=locked.arrivals + 1,
            created_at=now,
            changed_at=now,
        )
        audit_log(
            actor=actor,
            action="volunteers.booking_signup",
            obj=booking,
            area_path=booking.area_path,
            fields=["status", "position"],
        )
    return booking


def _check_signup(person: Volunteer, shift: Shift, now: dt.datetime, *, self_service: bool) -> None:
    if person.status != VolunteerStatus.ACTIVE:
        raise Conflict(_("This volunteer is not approved yet."), code="not_active")
    if not serves_there(person, shift):
        raise NotFound(_("That shift is not in your area."))
    if shift.cancelled_at is not None or shift.starts_at <= now:
        raise Conflict(_("This shift is closed."), code="closed")
    if self_service and not shift.open_call:
        raise Conflict(_("This shift is not open for sign-up."), code="closed")
    live = Booking.objects.filter(shift=shift, volunteer=person, status__in=LIVE)
    if live.exists():
        raise Conflict(_("You are already on this list."), code="already_booked")


def booking_cancel(*, booking: Booking, actor: Actor | None = None, reason: str = "") -> Booking:
    """Take a confirmed or waiting booking off the list (the volunteer themselves, or a
    coordinator with ``actor``). A confirmed place that frees goes to the first waiting who
    still fits their limits; they are told."""
    if actor is not None:
        require(
            actor,
            Perm.VOLUNTEERS_MANAGE,
            path=booking.area_path,
            message=_("You may not change bookings for this post."),
        )
    now = clock.now()
    with transaction.atomic():
        shift = _lock_shift(booking.shift)
        mine = Booking.objects.select_for_update().get(pk=booking.pk)
        if mine.status not in LIVE:
            raise Conflict(_("This booking is already cancelled."), code="cancelled")
        if mine.checked_in_at is not None:
            raise Conflict(_("Checked in already: check out instead."), code="on_duty")
        was_confirmed = mine.status == BookingStatus.CONFIRMED
        mine.status = BookingStatus.CANCELLED
        mine.changed_at = now
        mine.save(update_fields=["status", "changed_at"])
        if was_confirmed:
            Shift.objects.filter(pk=shift.pk).update(confirmed=F("confirmed") - 1)
        else:
            Shift.objects.filter(pk=shift.pk).update(waiting=F("waiting") - 1)
        audit_log(
            actor=actor,
            action="volunteers.booking_cancel",
            obj=mine,
            area_path=mine.area_path,
            purpose=reason.strip()[:200],
            fields=["status"],
        )
        if was_confirmed:
            shift.refresh_from_db()
            promote_waiting(shift, now=now)
    return mine


def promote_waiting(shift: Shift, *, now: dt.datetime) -> list[Booking]:
    """Fill free places from the waiting list in arrival order, skipping (and leaving
    waiting) anyone the shift no longer fits. The caller holds the shift's lock."""
    promoted: list[Booking] = []
    free = shift.capacity - shift.confirmed
    if free <= 0 or shift.waiting == 0:
        return promoted
    queue = Booking.objects.filter(shift=shift, status=BookingStatus.WAITING).order_by("position")
    for candidate in queue.select_related("volunteer"):
        if free <= 0:
            break
        person = _lock_volunteer(candidate.volunteer)
        if fits(person, shift):
            continue
        Booking.objects.filter(pk=candidate.pk).update(
            status=BookingStatus.CONFIRMED, changed_at=now
        )
        candidate.status = BookingStatus.CONFIRMED
        promoted.append(candidate)
        free -= 1
        text_volunteer(
            person,
            _("Lifeline: a place came free and you are now on duty: %(shift)s."),
            shift=shift_label(shift),
        )
        audit_log(
            actor=None,
            action="volunteers.booking_promoted",
            obj=candidate,
            area_path=candidate.area_path,
            fields=["status"],
        )
    if promoted:
        Shift.objects.filter(pk=shift.pk).update(
            confirmed=F("confirmed") + len(promoted), waiting=F("waiting") - len(promoted)
        )
    return promoted


def shift_capacity_set(*, actor: Actor, shift: Shift, capacity: Any) -> Shift:
    """Change a shift's head count. Raised: the waiting list is promoted into the new
    places. Cut below those confirmed: the latest confirmed (by arrival) go back to the
    front of the waiting list, keeping their arrival order, and are told."""
    require(
        actor,
        Perm.VOLUNTEERS_MANAGE,
        path=shift.area_path,
        message=_("You may not change shifts of this post."),
    )
    try:
        wanted = int(capacity)
    except (TypeError, ValueError):
        wanted = -1
    if not 0 <= wanted <= 1000:
        raise invalid({"capacity": [str(_("Between 0 and 1,000 people."))]})
    now = clock.now()
    with transaction.atomic():
        locked = _lock_shift(shift)
        if locked.cancelled_at is not None or locked.ends_at <= now:
            raise Conflict(_("This shift is closed."), code="closed")
        over = locked.confirmed - wanted
        if over > 0:
            latest = list(
                Booking.objects.select_for_update()
                .filter(shift=locked, status=BookingStatus.CONFIRMED, checked_in_at__isnull=True)
                .order_by("-position")
                .select_related("volunteer")[:over]
            )
            if len(latest) < over:
                raise Conflict(_("More people are already on duty than that."), code="on_duty")
            Booking.objects.filter(pk__in=[b.pk for b in latest]).update(
                status=BookingStatus.WAITING, changed_at=now
            )
            Shift.objects.filter(pk=locked.pk).update(
                capacity=wanted,
                confirmed=F("confirmed") - over,
                waiting=F("waiting") + over,
            )
            for moved in latest:
                text_volunteer(
                    moved.volunteer,
                    _(
                        "Lifeline: fewer people are needed for %(shift)s; "
                        "you are first on its waiting list."
                    ),
                    shift=shift_label(locked),
                )
        else:
            Shift.objects.filter(pk=locked.pk).update(capacity=wanted)
        audit_log(
            actor=actor,
            action="volunteers.shift_capacity",
            obj=locked,
            area_path=locked.area_path,
            fields=["capacity"],
        )
        locked.refresh_from_db()
        if wanted > locked.confirmed:
            promote_waiting(locked, now=now)
            locked.refresh_from_db()
    return locked
