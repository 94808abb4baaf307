"""Standing needs: dialysis schedules and chemo- or radiotherapy appointments that produce
their transport orders ahead of time, so nobody has to call.

``standing_trips_create`` is the periodic sweep's work: for every session whose order is due
(``lead_hours`` before the appointment) and not filed yet, it makes the access decision,
files the order with the decision attached and records the trip. Each trip is filed in its
own short transaction under a lock of its need, and a unique constraint on (need, session)
backs it: any number of sweeps, run twice or at once, file each session once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can, require
from lifeline.core import clock
from lifeline.core.actors import Actor, user_of
from lifeline.core.audit import audit_log
from lifeline.core.errors import PermissionDenied, ServiceError
from lifeline.health.models import DesignatedHospital, MedicalTransfer, StandingNeed
from lifeline.health.services.medical_access import access_decide
from lifeline.health.services.transfers import transfer_order_create, transfer_order_text
from lifeline.health.vocab import Urgency
from lifeline.registry.models import Person
from lifeline.workorders.models import OPEN_STATUSES
from lifeline.workorders.services import workorder_cancel

log = logging.getLogger(__name__)
MAX_LEAD_HOURS = 168
MAX_DATES = 200
BATCH = 500


@dataclass(frozen=True)
class SweepResult:
    created: int = 0
    failed: int = 0


def session_times(
    need: StandingNeed, *, start: dt.datetime, end: dt.datetime
) -> Iterator[dt.datetime]:
    """The need's appointments in ``(start, end]``, as aware datetimes (local time of the
    city), within its active period."""
    zone = timezone.get_default_timezone()
    first = max(timezone.localtime(start, zone).date(), need.active_from)
    last = timezone.localtime(end, zone).date()
    if need.active_to is not None:
        last = min(last, need.active_to)
    dates = {dt.date.fromisoformat(d) for d in need.dates or ()}
    day = first
    while day <= last:
        if day.isoweekday() in (need.weekdays or ()) or day in dates:
            moment = timezone.make_aware(dt.datetime.combine(day, need.time), zone)
            if start < moment <= end:
                yield moment
        day += dt.timedelta(days=1)


def _clean_schedule(
    weekdays: Iterable[int], dates: Iterable[str | dt.date], active_from: dt.date
) -> tuple[list[int], list[str]]:
    fields: dict[str, list[str]] = {}
    try:
        days = sorted({int(d) for d in weekdays})
    except (TypeError, ValueError):
        days = [0]
    if any(d < 1 or d > 7 for d in days):
        fields["weekdays"] = [_("Weekdays are 1 (Monday) to 7 (Sunday).")]
    parsed: set[dt.date] = set()
    for value in dates:
        try:
            parsed.add(value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)))
        except ValueError:
            fields["dates"] = [_("Dates are written YYYY-MM-DD.")]
    if len(parsed) > MAX_DATES:
        fields["dates"] = [_("At most %(n)d dates.") % {"n": MAX_DATES}]
    if not days and not parsed and not fields:
        fields["weekdays"] = [_("Give the weekdays or the dates of the sessions.")]
    if any(d < active_from for d in parsed):
        fields["dates"] = [_("A date is before the start of the period.")]
    if fields:
        raise ServiceError(_("Please correct the marked fields."), fields=fields)
    return days, [d.isoformat() for d in sorted(parsed)]


def _require_arranger(actor: Actor, path: str) -> None:
    require(
        actor,
        Perm.HEALTH_STANDING_NEEDS,
        path=path,
        message=_("You may not arrange standing medical needs for people here."),
    )


def standing_need_create(
    *,
    actor: Actor,
    person: Person,
    kind: str,
    time: dt.time,
    weekdays: Iterable[int] = (),
    dates: Iterable[str | dt.date] = (),
    hospital: DesignatedHospital | None = None,
    active_from: dt.date | None = None,
    active_to: dt.date | None = None,
    lead_hours: int = 24,
    note: str = "",
) -> StandingNeed:
    """Arrange a standing need for ``person``; its trips are filed in ``actor``'s name, for
    as long as ``actor`` holds ``HEALTH_STANDING_NEEDS`` where the person lives."""
    _require_arranger(actor, person.area_path)
    if kind not in StandingNeed.Kind.values:
        raise ServiceError(
            _("Choose dialysis or chemo- or radiotherapy."), fields={"kind": [_("Unknown.")]}
        )
    active_from = active_from or clock.today()
    if active_to is not None and active_to < active_from:
        raise ServiceError(
            _("The end of the period must not be before its start."),
            fields={"active_to": [_("Before the start.")]},
        )
    if not 1 <= int(lead_hours) <= MAX_LEAD_HOURS:
        raise ServiceError(
            _("Order between 1 hour and 7 days ahead."), fields={"lead_hours": [_("1 to 168.")]}
        )
    days, day_list = _clean_schedule(weekdays, dates, active_from)
    with transaction.atomic():
        need = StandingNeed.objects.create(
            person=person,
            area_path=person.area_path,
            kind=kind,
            weekdays=days,
            dates=day_list,
            time=time,
            hospital=hospital,
            active_from=active_from,
            active_to=active_to,
            lead_hours=int(lead_hours),
            note=note.strip()[:200],
            arranged_by=user_of(actor),
            created_at=clock.now(),
        )
        audit_log(
            actor=actor,
            action="health.standing_need_create",
            obj=need,
            fields=["kind", "weekdays", "dates", "time", "hospital", "active_from", "active_to"],
        )
    return need


def standing_need_end(*, actor: Actor, need: StandingNeed, reason: str) -> StandingNeed:
    """End the need now. Trips already filed for later sessions that no vehicle has left
    for are cancelled with ``reason``; the rest stay on record."""
    _require_arranger(actor, need.area_path)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ServiceError(_("Please give a reason."), fields={"reason": [_("Required.")]})
    now = clock.now()
    with transaction.atomic():
        locked = StandingNeed.objects.select_for_update().get(pk=need.pk)
        if not locked.active:
            return locked
        locked.active = False
        end = max(locked.active_from, clock.today())
        locked.active_to = min(locked.active_to or end, end)
        locked.save(update_fields=["active", "active_to"])
        pending = MedicalTransfer.objects.filter(
            standing_need=locked,
            appointment_at__gt=now,
            dispatched_at__isnull=True,
            order__status__in=OPEN_STATUSES,
        ).select_related("order")
        for trip in pending:
            workorder_cancel(actor=actor, order=trip.order, reason=reason)
        audit_log(
            actor=actor, action="health.standing_need_end", obj=locked, fields=["active", "reason"]
        )
    return locked


def _file_trip(need_id: int, appointment_at: dt.datetime) -> bool:
    """One session's trip in its own transaction; False when it was already filed."""
    with transaction.atomic():
        need = (
            StandingNeed.objects.select_for_update(of=("self",))
            .select_related("person__household__building", "arranged_by", "hospital__facility")
            .filter(pk=need_id, active=True)
            .first()
        )
        if need is None:
            return False
        if MedicalTransfer.objects.filter(
            standing_need=need, appointment_at=appointment_at
        ).exists():
            return False
        actor, person = need.arranged_by, need.person
        # The arranger's memberships may have changed since: trips go on only while one of
        # them still grants standing needs where the person lives.
        if not can(actor, Perm.HEALTH_STANDING_NEEDS, path=need.area_path):
            raise PermissionDenied(
                _("Whoever arranged this need may no longer arrange needs for this person.")
            )
        decision = access_decide(
            actor=actor,
            person=person,
            urgency=Urgency.NECESSARY,
            needs=[need.kind],
            channel="standing_need",
        )
        hospital = need.hospital or decision.hospital
        what = _("%(kind)s trip, appointment %(at)s") % {
            "kind": need.get_kind_display(),
            "at": timezone.localtime(appointment_at).strftime("%Y-%m-%d %H:%M"),
        }
        transfer_order_create(
            actor=actor,
            person=person,
            decision=decision,
            kind=MedicalTransfer.Kind.STANDING,
            hospital=hospital,
            description=transfer_order_text(
                person, decision, hospital.facility.name if hospital else "", what
            ),
            extra_need=need.kind,
            top_priority=False,
            standing_need=need,
            appointment_at=appointment_at,
        )
        if need.last_error:
            need.last_error, need.last_error_at = "", None
            need.save(update_fields=["last_error", "last_error_at"])
    return True


def _note_failure(need_id: int, error: Exception, now: dt.datetime) -> None:
    message = str(getattr(error, "message", "") or error)[:255]
    StandingNeed.objects.filter(pk=need_id).update(last_error=message, last_error_at=now)


def due_sessions(now: dt.datetime) -> list[tuple[int, dt.datetime]]:
    """(need, appointment) of every session within its need's lead time and not filed."""
    today = timezone.localdate(now)
    needs = (
        StandingNeed.objects.filter(active=True, active_from__lte=today + dt.timedelta(days=8))
        .exclude(active_to__lt=today)
        .order_by("pk")
    )
    due = [
        (need.pk, moment)
        for need in needs.iterator(chunk_size=BATCH)
        for moment in session_times(need, start=now, end=now + dt.timedelta(hours=need.lead_hours))
    ]
    if not due:
        return []
    filed = set(
        MedicalTransfer.objects.filter(
            standing_need__isnull=False,
            appointment_at__gt=now,
            appointment_at__lte=max(moment for _, moment in due),
        ).values_list("standing_need_id", "appointment_at")
    )
    return [item for item in due if item not in filed]


def standing_trips_create(*, now: dt.datetime | None = None) -> SweepResult:
    """File the transport order of every session now within its need's lead time.

    A need whose arranger may no longer file for the person (scope or role gone) keeps
    ``last_error`` for the staff page, and the sweep goes on with the others.
    """
    now = now or clock.now()
    created = failed = 0
    for need_id, moment in due_sessions(now):
        try:
            if _file_trip(need_id, moment):
                created += 1
        except IntegrityError:
            continue  # another worker filed this session first
        except Exception as error:  # one need must not stop the trips of the others
            failed += 1
            if isinstance(error, ServiceError):
                log.warning("standing need %s: trip not filed: %s", need_id, error)
            else:
                log.exception("standing need %s: trip not filed", need_id)
            _note_failure(need_id, error, now)
    return SweepResult(created=created, failed=failed)
