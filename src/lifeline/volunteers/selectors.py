"""Volunteers reads, scoped to where the actor may see volunteers (``VOLUNTEERS_VIEW``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import scope_for, scoped
from lifeline.core.actors import Actor
from lifeline.core.errors import NotFound
from lifeline.core.replica import reads_replica
from lifeline.registry.models import Area
from lifeline.volunteers.models import LIVE, Booking, Post, Roster, Shift, TaskGroup, Volunteer


@reads_replica
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


@reads_replica
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


def booking_get(*, actor: Actor, pk: int) -> Booking:
    found = scoped(Booking.objects.select_related("volunteer", "shift"), actor).filter(pk=pk)
    booking = found.first()
    if booking is None:
        raise NotFound()
    return booking


def bookings_of_volunteer(*, volunteer: Volunteer, since: dt.datetime) -> QuerySet[Booking]:
    """A volunteer's own shifts from ``since`` (their phone page has proven who they are)."""
    return (
        Booking.objects.select_related("shift__post")
        .filter(volunteer=volunteer, status__in=LIVE, ends_at__gt=since)
        .order_by("starts_at")
    )


def manage_areas(*, actor: Actor) -> QuerySet[Area]:
    """Areas where the actor sets up volunteers, posts and shifts (street down to grid)."""
    grant = scope_for(actor).grant(Perm.VOLUNTEERS_MANAGE)
    qs = Area.objects.none()
    for prefix in grant.area_paths:
        qs = qs | Area.objects.filter(path__startswith=prefix)
    return qs.filter(level__in=("street", "community", "grid")).order_by("path")


def manage_posts(*, actor: Actor) -> QuerySet[Post]:
    """The open posts the actor may set shifts for."""
    grant = scope_for(actor).grant(Perm.VOLUNTEERS_MANAGE)
    qs = Post.objects.none()
    for prefix in grant.area_paths:
        qs = qs | Post.objects.filter(area_path__startswith=prefix, active=True)
    return qs.order_by("area_path", "name")


def volunteers_of_phone(*, phone: str) -> QuerySet[Volunteer]:
    """The volunteers registered with a phone the page has proven."""
    return Volunteer.objects.filter(phone=phone).order_by("area_path")


def open_calls_for(
    *, volunteers: list[Volunteer], since: dt.datetime, until: dt.datetime
) -> QuerySet[Shift]:
    """Shifts open for sign-up that these volunteers may take (posts in their areas, or in
    an area above: an agency's), with their live counts."""
    where = Q(pk__in=[])
    for path in {v.area_path for v in volunteers}:
        parts = path.strip("/").split("/")
        above = ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts))]
        where |= Q(area_path__startswith=path) | Q(area_path__in=above)
    return (
        Shift.objects.select_related("post")
        .filter(where, open_call=True, cancelled_at__isnull=True)
        .filter(starts_at__gt=since, starts_at__lt=until)
        .order_by("starts_at")
    )


def roster_list(*, actor: Actor) -> QuerySet[Roster]:
    return scoped(Roster.objects.select_related("area", "created_by"), actor)


def roster_get(*, actor: Actor, pk: int) -> Roster:
    found = roster_list(actor=actor).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def volunteers_named(*, actor: Actor, ids: list[int]) -> dict[int, Volunteer]:
    """The volunteers of these ids that the actor may see, by id."""
    return {v.pk: v for v in volunteer_list(actor=actor).filter(pk__in=ids)}


def shifts_by_id(*, actor: Actor, ids: list[int]) -> dict[int, Shift]:
    return {s.pk: s for s in scoped(Shift.objects.select_related("post"), actor).filter(pk__in=ids)}


def group_list(*, actor: Actor) -> QuerySet[TaskGroup]:
    """The task groups where the actor may see volunteers."""
    return scoped(TaskGroup.objects.all(), actor)


def group_get(*, actor: Actor, pk: int) -> TaskGroup:
    found = group_list(actor=actor).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def post_get(*, actor: Actor, pk: int) -> Post:
    """One post the actor may see, open or closed (a closed one is refused by the writes)."""
    found = scoped(Post.objects.select_related("group"), actor).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found
