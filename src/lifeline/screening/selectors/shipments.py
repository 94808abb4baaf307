"""What the sampling console offers (sites, today's sessions, labs) and the boxes of
tubes on their way to a lab.

A lab is a unit with an active lab membership: the boxes sent to it are read by its staff
through the unit (``Shipment.SCOPE_UNIT_FIELD``), or across the area of a lab membership
that names no unit."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from lifeline.accounts.models import Membership, Role
from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import scope_for, scoped
from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.registry.models import Unit
from lifeline.screening.models import Session, Shipment, Site, TubeStatus

SAMPLING = Perm.SCREENING_SAMPLE


def lab_units() -> QuerySet[Unit]:
    """Units that run a lab (reference data: any member may read their names)."""
    labs = Membership.objects.filter(role=Role.LAB, active=True, unit__isnull=False)
    return Unit.objects.filter(pk__in=labs.values("unit_id")).order_by("name")


def console_sites(*, actor: Actor) -> QuerySet[Site]:
    """Sites where the actor samples."""
    return scoped(Site.objects.all(), actor, SAMPLING).order_by("name")


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def console_sessions(*, actor: Actor) -> QuerySet[Session]:
    """Today's sessions (any hour of the local day) at sites where the actor samples."""
    start, end = _day_bounds(clock.today())
    sessions = Session.objects.filter(starts_at__lt=end, ends_at__gte=start)
    return scoped(sessions.select_related("site"), actor, SAMPLING).order_by("starts_at", "pk")


def shipments_of_day(*, actor: Actor, day: dt.date) -> QuerySet[Shipment]:
    """Boxes sent on a day, where the actor samples, views or results."""
    start, end = _day_bounds(day)
    shipments = Shipment.objects.filter(sent_at__gte=start, sent_at__lt=end)
    return scoped(shipments.select_related("lab", "session__site"), actor).order_by("sent_at")


def shipments_incoming(*, actor: Actor) -> QuerySet[Shipment]:
    """Boxes on their way to the actor's labs (some tube not yet resulted), oldest first.

    A lab membership naming a unit reads the boxes sent to that unit only."""
    grant = scope_for(actor).grant(Perm.SCREENING_RESULTS)
    shipments = scoped(Shipment.objects.all(), actor, Perm.SCREENING_RESULTS)
    if grant.unit_ids:
        shipments = shipments.filter(lab_id__in=sorted(grant.unit_ids))
    return (
        shipments.filter(tubes__status=TubeStatus.SENT)
        .annotate(waiting=Count("tubes", filter=Q(tubes__status=TubeStatus.SENT)))
        .select_related("lab", "session__site")
        .order_by("sent_at", "pk")
    )
