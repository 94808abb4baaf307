"""The duty clock, run on the worker's beat (``run_periodic``): no-shows and reminders.

- A confirmed booking not checked in ``NO_SHOW_AFTER`` past its shift's start is flagged
  ``no_show`` once (compare-and-set on the flag, under the shift's row lock, taken before
  the bookings' as every booking change does), and the post's coordinators are texted once
  per shift, naming who has not come.
- Each confirmed volunteer is texted a reminder ``REMIND_BEFORE`` their shift starts, once.

"Once" is kept by the idempotency engine (``core.idempotency``: a unique key per shift or
booking, reserved in the sending transaction), because neither shifts nor bookings carry a
marker of their own; its records are kept 7 days, longer than either window below. Safe
from several workers at once: the second waits on the first's locks or key, then finds
nothing left to do.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.models import Membership, Role
from lifeline.accounts.permissions import Perm, roles_with
from lifeline.core import clock
from lifeline.core.actors import system
from lifeline.core.audit import AuditEntry, audit_log_many
from lifeline.core.idempotency import idempotent
from lifeline.core.models import IdempotencyRecord
from lifeline.core.outbox import enqueue_sms
from lifeline.registry.tree import ancestor_paths
from lifeline.volunteers.models import Booking, BookingStatus, Shift
from lifeline.volunteers.services.attendance import NO_SHOW_AFTER
from lifeline.volunteers.services.common import shift_label, text_volunteer

log = logging.getLogger(__name__)

# Shifts that started longer ago than this are left as they are (the sweep stays small).
NO_SHOW_LOOKBACK = dt.timedelta(days=1)
REMIND_BEFORE = dt.timedelta(hours=12)
# Closer to the start than this, a reminder is noise: the volunteer has just signed up.
REMIND_NOT_AFTER = dt.timedelta(hours=1)
BATCH = 500
NAMES_IN_TEXT = 5
ONCE_OWNER = "volunteers.duty_sweep"


def run_periodic(now: dt.datetime | None = None) -> dict[str, int]:
    """One beat of the duty clock: flag no-shows, tell coordinators, send reminders."""
    moment = now or clock.now()
    flagged, told = flag_no_shows(now=moment)
    result = {
        "volunteer_no_shows": flagged,
        "volunteer_no_show_alerts": told,
        "volunteer_reminders": send_reminders(now=moment),
    }
    if any(result.values()):
        log.info("duty sweep: %s", result)
    return result


def _once(key: str, send: Callable[[], None]) -> bool:
    """Run ``send`` in the caller's transaction unless ``key`` ran before; True if it ran."""
    ran: list[bool] = []

    def create() -> tuple[int, Any]:
        send()
        ran.append(True)
        return 200, {}

    idempotent(owner=ONCE_OWNER, key=key, endpoint=ONCE_OWNER, payload=key, create=create)
    return bool(ran)


def _done_keys(keys: list[str]) -> set[str]:
    return set(
        IdempotencyRecord.objects.filter(owner=ONCE_OWNER, key__in=keys).values_list(
            "key", flat=True
        )
    )


# -- No-shows ---------------------------------------------------------------------------


def flag_no_shows(*, now: dt.datetime) -> tuple[int, int]:
    """Flag the no-shows of every shift past its grace; returns (bookings flagged, shifts
    whose coordinators were told). Each shift in its own short transaction."""
    shift_ids = list(
        _missing(now)
        .filter(starts_at__gt=now - NO_SHOW_LOOKBACK)
        .order_by("shift_id")
        .values_list("shift_id", flat=True)
        .distinct()[:BATCH]
    )
    flagged = told = 0
    for shift_id in shift_ids:
        count, alerted = _flag_shift(shift_id, now)
        flagged += count
        told += alerted
    return flagged, told


def _missing(now: dt.datetime) -> Any:
    return Booking.objects.filter(
        status=BookingStatus.CONFIRMED,
        checked_in_at__isnull=True,
        no_show=False,
        starts_at__lte=now - NO_SHOW_AFTER,
        shift__cancelled_at__isnull=True,
    )


def _flag_shift(shift_id: int, now: dt.datetime) -> tuple[int, bool]:
    with transaction.atomic():
        shift = Shift.objects.select_for_update().select_related("post").get(pk=shift_id)
        if shift.cancelled_at is not None:
            return 0, False
        missing = list(
            _missing(now)
            .filter(shift_id=shift_id)
            .select_for_update(of=("self",))
            .select_related("volunteer")
            .order_by("pk")
        )
        if not missing:
            return 0, False
        Booking.objects.filter(pk__in=[b.pk for b in missing]).update(no_show=True)
        audit_log_many(
            actor=system("no-show sweep"),
            entries=[
                AuditEntry("volunteers.no_show", obj=b, area_path=b.area_path, fields=("no_show",))
                for b in missing
            ],
        )
        told = _once(f"no_show:{shift.pk}", lambda: _tell_coordinators(shift, missing))
    return len(missing), told


def coordinator_phones(area_path: str) -> list[str]:
    """Whom to tell about a post at ``area_path``: the volunteer coordinators covering it,
    the nearest first level of them; without any, whoever else manages volunteers there
    (community staff, ...), again the nearest level. Active accounts with a phone only."""
    rows = list(
        Membership.objects.filter(
            active=True,
            role__in=sorted(roles_with(Perm.VOLUNTEERS_MANAGE)),
            area__path__in=ancestor_paths(area_path),
            user__is_active=True,
        )
        .exclude(user__phone="")
        .values_list("role", "area__path", "user__phone")
    )
    if not rows:
        return []

    def rank(row: tuple[str, str, str]) -> tuple[bool, int]:
        return row[0] != Role.VOLUNTEER_COORDINATOR, -len(row[1])

    best = min(rank(row) for row in rows)
    return sorted({row[2] for row in rows if rank(row) == best})


def _tell_coordinators(shift: Shift, missing: list[Booking]) -> None:
    names = [b.volunteer.name for b in missing[:NAMES_IN_TEXT]]
    more = len(missing) - len(names)
    with translation.override(settings.LANGUAGE_CODE):
        listed = ", ".join(names)
        if more > 0:
            listed = str(_("%(names)s and %(n)s more")) % {"names": listed, "n": more}
        body = str(
            _(
                "Lifeline: not checked in %(minutes)s minutes after the start of %(shift)s: "
                "%(names)s. The roll: %(link)s"
            )
        ) % {
            "minutes": int(NO_SHOW_AFTER.total_seconds() // 60),
            "shift": shift_label(shift),
            "names": listed,
            "link": reverse("volunteers:shift", args=[shift.pk]),
        }
    for phone in coordinator_phones(shift.area_path):
        enqueue_sms(
            recipient=phone, body=body, object_type="volunteers.shift", object_id=str(shift.pk)
        )


# -- Reminders --------------------------------------------------------------------------


def send_reminders(*, now: dt.datetime) -> int:
    """Text each confirmed volunteer whose shift starts within ``REMIND_BEFORE`` (and not
    sooner than ``REMIND_NOT_AFTER``) a reminder, once per booking; returns how many
    bookings were reminded (a volunteer who allows no texts counts, and gets none)."""
    due = list(
        Booking.objects.filter(
            status=BookingStatus.CONFIRMED,
            starts_at__gt=now + REMIND_NOT_AFTER,
            starts_at__lte=now + REMIND_BEFORE,
            shift__cancelled_at__isnull=True,
        )
        .order_by("starts_at", "pk")
        .values_list("pk", flat=True)[:BATCH]
    )
    done = _done_keys([f"reminder:{pk}" for pk in due])
    return sum(_remind(pk) for pk in due if f"reminder:{pk}" not in done)


def _remind(booking_id: int) -> bool:
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("volunteer", "shift__post")
            .get(pk=booking_id)
        )
        if booking.status != BookingStatus.CONFIRMED or booking.shift.cancelled_at is not None:
            return False
        return _once(f"reminder:{booking.pk}", lambda: _text_reminder(booking))


def _text_reminder(booking: Booking) -> None:
    post = booking.shift.post
    values = {"shift": shift_label(booking.shift), "link": reverse("volunteers:my_duty")}
    if post.address:
        message = _(
            "Lifeline reminder: you are on volunteer duty %(shift)s at %(address)s. "
            "If you cannot come, say so on your duty page: %(link)s"
        )
        values["address"] = post.address
    else:
        message = _(
            "Lifeline reminder: you are on volunteer duty %(shift)s. "
            "If you cannot come, say so on your duty page: %(link)s"
        )
    text_volunteer(booking.volunteer, message, **values)
