"""The times a volunteer cannot serve: added and taken back on their phone (or by a
coordinator of their area), and read by the booking rules and the roster (``away_during``).

Invariants: an entry ends after it starts, does not start in the past (a few minutes of
slack for a form typed "from now"), ends at most ``MAX_AHEAD`` from now, and a volunteer
holds at most ``MAX_ENTRIES`` entries that have not ended; the count is taken under the
volunteer's row lock, so two adds at once cannot pass it together.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import require
from lifeline.core import clock
from lifeline.core.actors import Actor, system
from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict, NotFound
from lifeline.core.safetext import has_unsafe
from lifeline.volunteers.models import Unavailability, Volunteer
from lifeline.volunteers.services.common import invalid

MAX_AHEAD = dt.timedelta(days=60)
MAX_ENTRIES = 50
SLACK = dt.timedelta(minutes=15)
OWN = "volunteer's own availability"


def away_during(volunteer: Volunteer, start: dt.datetime, end: dt.datetime) -> bool:
    """True when the volunteer said they cannot serve at some moment of [start, end)."""
    return Unavailability.objects.filter(
        volunteer=volunteer, starts_at__lt=end, ends_at__gt=start
    ).exists()


def unavailability_upcoming(*, volunteer: Volunteer) -> QuerySet[Unavailability]:
    """The volunteer's times away that have not ended, soonest first (for their own page:
    the caller has proven who they are)."""
    return Unavailability.objects.filter(volunteer=volunteer, ends_at__gt=clock.now()).order_by(
        "starts_at", "pk"
    )


def _may_act(actor: Actor | None, volunteer: Volunteer) -> Actor:
    """The volunteer themselves (no actor: their phone is proven) or a coordinator there."""
    if actor is None:
        return system(OWN)
    require(
        actor,
        Perm.VOLUNTEERS_MANAGE,
        path=volunteer.area_path,
        message=_("You may not manage volunteers here."),
    )
    return actor


def _checked(starts_at: Any, ends_at: Any, note: Any, now: dt.datetime) -> str:
    fields: dict[str, list[str]] = {}
    if not isinstance(starts_at, dt.datetime) or starts_at.tzinfo is None:
        fields["starts_at"] = [str(_("Give a date and time."))]
    if not isinstance(ends_at, dt.datetime) or ends_at.tzinfo is None:
        fields["ends_at"] = [str(_("Give a date and time."))]
    text = str(note or "").strip()
    if len(text) > 100 or has_unsafe(text):
        fields["note"] = [str(_("At most %(n)s characters, no control characters.") % {"n": 100})]
    if fields:
        raise invalid(fields)
    if ends_at <= starts_at:
        fields["ends_at"] = [str(_("The end must come after the start."))]
    elif starts_at < now - SLACK:
        fields["starts_at"] = [str(_("That time has passed."))]
    elif ends_at > now + MAX_AHEAD:
        fields["ends_at"] = [str(_("At most 60 days ahead."))]
    if fields:
        raise invalid(fields)
    return text


def unavailability_add(
    *,
    volunteer: Volunteer,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    note: str = "",
    actor: Actor | None = None,
) -> Unavailability:
    """Record that the volunteer cannot serve from ``starts_at`` to ``ends_at``. Without
    ``actor`` the volunteer adds it themselves (the page has proven their phone).

    Refused, writing nothing: bad times (see the module), a note too long, or
    ``MAX_ENTRIES`` entries already waiting (``too_many``). Bookings already made are
    left as they are: the volunteer cancels those on their page."""
    who = _may_act(actor, volunteer)
    now = clock.now()
    text = _checked(starts_at, ends_at, note, now)
    with transaction.atomic():
        Volunteer.objects.select_for_update().filter(pk=volunteer.pk).first()
        waiting = Unavailability.objects.filter(volunteer=volunteer, ends_at__gt=now).count()
        if waiting >= MAX_ENTRIES:
            raise Conflict(
                _("At most %(n)s times away at once: take back one first.") % {"n": MAX_ENTRIES},
                code="too_many",
            )
        away = Unavailability.objects.create(
            volunteer=volunteer,
            area_path=volunteer.area_path,
            starts_at=starts_at,
            ends_at=ends_at,
            note=text,
        )
        audit_log(
            actor=who,
            action="volunteers.unavailability_add",
            obj=away,
            area_path=away.area_path,
            fields=["starts_at", "ends_at", "note"],
        )
    return away


def unavailability_remove(*, volunteer: Volunteer, pk: Any, actor: Actor | None = None) -> None:
    """Take back one of the volunteer's times away (NotFound for anyone else's)."""
    who = _may_act(actor, volunteer)
    key = str(pk or "")
    away = (
        Unavailability.objects.filter(volunteer=volunteer, pk=int(key)).first()
        if key.isdigit() and len(key) < 18
        else None
    )
    if away is None:
        raise NotFound(_("That time away was not found."))
    with transaction.atomic():
        audit_log(
            actor=who,
            action="volunteers.unavailability_remove",
            obj=away,
            area_path=away.area_path,
            fields=["starts_at", "ends_at"],
        )
        away.delete()
