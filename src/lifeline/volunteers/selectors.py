"""Volunteers reads, scoped to where the actor may see volunteers (``VOLUNTEERS_VIEW``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from lifeline.accounts.scoping import scoped
from lifeline.core.actors import Actor
from lifeline.core.errors import NotFound
from lifeline.volunteers.models import LIVE, Booking, Post, Shift, Volunteer


def volunteer_list(*, actor: Actor, status: str = "") -> QuerySet[Volunteer]:
    qs = scoped(Volunteer.objects.all(), actor)
    return qs.filter(status=status) if status else qs


def volunteer_get(*, actor: Actor, pk: int) -> Volunteer:
    found = volunteer_list(actor=actor).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def post_list(*, actor: Actor) -> QuerySet[Post]:
    return scoped(Post.objects.filter(active=True).select_related("group"), actor)


def shift_list(
    *, actor: Actor, since: dt.datetime, until: dt.datetime, post: Post | None = None
) -> QuerySet[Shift]:
    """Shifts overlapping [since, until) with their live counts (kept on the shift)."""
    qs = scoped(Shift.objects.select_related("post"), actor).filter(
        ends_at__gt=since, starts_at__lt=until, cancelled_at__isnull=True
    )
    return qs.filter(post=post) if post is not None else qs


def shift_get(*, actor: Actor, pk: int) -> Shift:
    found = scoped(Shift.objects.select_related("post"), actor).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def shift_roll(*, actor: Actor, shift: Shift) -> QuerySet[Booking]:
    """Who is on a shift and who waits, in arrival order."""
    return (
        scoped(Booking.objects.select_related("volunteer"), actor)
        .filter(shift=shift, status__in=LIVE)
        .order_by("status", "position")
    )


def bookings_of_volunteer(*, volunteer: Volunteer, since: dt.datetime) -> QuerySet[Booking]:
    """A volunteer's own shifts from ``since`` (their phone page has proven who they are)."""
    return (
        Booking.objects.select_related("shift__post")
        .filter(volunteer=volunteer, status__in=LIVE, ends_at__gt=since)
        .order_by("starts_at")
    )
