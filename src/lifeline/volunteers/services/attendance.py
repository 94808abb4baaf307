"""On duty: a volunteer checks in at their post and out again; the minutes between are
credited to the booking and to the volunteer. Who was confirmed and did not come is a
no-show, and the post's coordinators are told (``run_periodic``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import require
from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict
from lifeline.volunteers.models import Booking, BookingStatus, Volunteer

# How early one may check in, and how far past the shift's end a check-out still counts.
EARLY = dt.timedelta(minutes=60)
LATE = dt.timedelta(minutes=60)
# A confirmed volunteer not checked in this long after the start is a no-show.
NO_SHOW_AFTER = dt.timedelta(minutes=30)


def _require_manage(actor: Actor | None, booking: Booking) -> None:
    """A coordinator of the post records a volunteer's check-in or -out for them; without
    an actor the volunteer does it on their phone (the page has proven the phone)."""
    if actor is not None:
        require(
            actor,
            Perm.VOLUNTEERS_MANAGE,
            path=booking.area_path,
            message=_("You may not change bookings for this post."),
        )


def _locked(booking: Booking) -> Booking:
    return Booking.objects.select_for_update().select_related("shift").get(pk=booking.pk)


def booking_check_in(
    *,
    booking: Booking,
    post_id: Any,
    now: dt.datetime | None = None,
    actor: Actor | None = None,
) -> Booking:
    """The volunteer is at the post (``post_id``: the post their phone page or the post's
    code names). Refused: another post, a booking not confirmed, too early, after the
    shift, or checked in already. Nothing is written by a refusal."""
    _require_manage(actor, booking)
    moment = now or clock.now()
    with transaction.atomic():
        mine = _locked(booking)
        if str(mine.shift.post_id) != str(post_id):
            raise Conflict(_("This is not the post of your shift."), code="other_post")
        if mine.status != BookingStatus.CONFIRMED:
            raise Conflict(_("You are not on duty for this shift."), code="not_confirmed")
        if mine.checked_in_at is not None:
            raise Conflict(_("You have checked in already."), code="checked_in")
        if moment < mine.starts_at - EARLY:
            raise Conflict(_("Too early: check in at most an hour before the shift."), code="early")
        if moment >= mine.ends_at:
            raise Conflict(_("This shift is over."), code="over")
        mine.checked_in_at = moment
        mine.no_show = False
        mine.save(update_fields=["checked_in_at", "no_show"])
        audit_log(
            actor=actor,
            action="volunteers.check_in",
            obj=mine,
            area_path=mine.area_path,
            fields=["checked_in_at"],
        )
    return mine


def credited_minutes(booking: Booking, out: dt.datetime) -> int:
    """The minutes on duty: from check-in (not before the start) to check-out (not after
    the end); a late check-out after the grace is capped at the shift's end."""
    assert booking.checked_in_at is not None
    start = max(booking.checked_in_at, booking.starts_at)
    end = min(out, booking.ends_at)
    return max(0, int((end - start).total_seconds() // 60))


def booking_check_out(
    *, booking: Booking, now: dt.datetime | None = None, actor: Actor | None = None
) -> Booking:
    """The volunteer leaves the post: the minutes on duty are credited."""
    _require_manage(actor, booking)
    moment = now or clock.now()
    with transaction.atomic():
        mine = _locked(booking)
        if mine.checked_in_at is None:
            raise Conflict(_("Check in first."), code="not_checked_in")
        if mine.checked_out_at is not None:
            raise Conflict(_("You have checked out already."), code="checked_out")
        mine.checked_out_at = min(moment, mine.ends_at + LATE)
        mine.minutes_credited = credited_minutes(mine, mine.checked_out_at)
        mine.save(update_fields=["checked_out_at", "minutes_credited"])
        Volunteer.objects.filter(pk=mine.volunteer_id).update(
            minutes_credited=F("minutes_credited") + mine.minutes_credited
        )
        audit_log(
            actor=actor,
            action="volunteers.check_out",
            obj=mine,
            area_path=mine.area_path,
            fields=["checked_out_at", "minutes_credited"],
        )
    return mine
