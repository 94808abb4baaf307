"""Rosters: a coordinator asks for an area's week (``roster_request``, checked at once),
``lifeline worker`` solves it (``roster_run``, through ``volunteers.tasks``) with the
CP-SAT model of ``roster_model``, the coordinator edits the proposal (``roster_edit``,
every edit checked by the same rules, ``roster_rules``) and publishes it: the worker books
each line through ``booking_signup`` (locks, limits and head counts as for a sign-up), so
a published roster's later edits are ordinary bookings, checked the same way.

The solver sees the area's shifts in the window, the active volunteers who serve there,
their times away and their confirmed bookings: inside the window those are kept as fixed
lines, outside it (or elsewhere) they are time the volunteer is busy, widened by their
rest. Minutes count from the local midnight of the first day."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import require
from lifeline.core import clock
from lifeline.core.actors import Actor, user_of
from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict, ServiceError
from lifeline.registry.tree import ancestor_paths
from lifeline.volunteers import roster_rules
from lifeline.volunteers.models import (
    Booking,
    BookingSource,
    BookingStatus,
    Roster,
    RosterStatus,
    Shift,
    Unavailability,
    Volunteer,
    VolunteerStatus,
)
from lifeline.volunteers.roster_rules import Person, ShiftSlot
from lifeline.volunteers.services.common import invalid, text_volunteer

logger = logging.getLogger(__name__)

MAX_DAYS = 14
MAX_TIME_LIMIT = 120.0
DEFAULT_TIME_LIMIT = 30.0

# What a gap's or a broken rule's code means, for the coordinator.
GAP_REASONS = {
    "no_one_free": gettext_lazy("everyone who could take it is away, busy or at a limit"),
    "skill": gettext_lazy("too few people with the skill"),
    "time_limit": gettext_lazy("the solver ran out of time"),
    "refused": gettext_lazy("the shift or the person changed before publishing"),
}
RULES = {
    "unknown": gettext_lazy("that shift is not in this roster"),
    "duplicate": gettext_lazy("already on this shift"),
    "over_need": gettext_lazy("the shift is already full"),
    "unavailable": gettext_lazy("away or busy then"),
    "overlap": gettext_lazy("already on duty then"),
    "rest": gettext_lazy("too little rest between shifts"),
    "day": gettext_lazy("more hours that day than allowed"),
    "week": gettext_lazy("more hours that week than allowed"),
}


def _check_request(starts_on: Any, days: Any, time_limit: Any) -> tuple[dt.date, int, float]:
    fields: dict[str, list[str]] = {}
    if not isinstance(starts_on, dt.date):
        fields["starts_on"] = [_("Give the first day.")]
    elif starts_on < timezone.localdate(clock.now()):
        fields["starts_on"] = [_("A roster cannot start in the past.")]
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_DAYS:
        fields["days"] = [_("A roster covers 1 to %(most)d days.") % {"most": MAX_DAYS}]
    try:
        limit = float(time_limit)
    except (TypeError, ValueError):
        limit = 0.0
    if not 1.0 <= limit <= MAX_TIME_LIMIT:
        fields["time_limit"] = [_("The solver's time is 1 to 120 seconds.")]
    if fields:
        raise invalid(fields)
    return starts_on, days, limit


def window(roster: Roster) -> tuple[dt.datetime, dt.datetime]:
    """The roster's first local midnight and the end of its last day."""
    origin = timezone.make_aware(dt.datetime.combine(roster.starts_on, dt.time()))
    return origin, origin + dt.timedelta(days=roster.days)


def roster_shifts(roster: Roster) -> list[Shift]:
    start, end = window(roster)
    return list(
        Shift.objects.filter(
            area_path__startswith=roster.area_path,
            starts_at__gte=start,
            starts_at__lt=end,
            cancelled_at__isnull=True,
            post__active=True,
        )
        .select_related("post")
        .order_by("starts_at", "post__name", "pk")
    )


def roster_request(
    *,
    actor: Actor,
    area: Any,
    starts_on: Any,
    days: Any = 7,
    time_limit: Any = DEFAULT_TIME_LIMIT,
) -> Roster:
    """A queued roster for the area's shifts, refused at once when the actor may not
    deploy volunteers there, the days are wrong or there is no shift to staff."""
    require(
        actor,
        Perm.VOLUNTEERS_MANAGE,
        path=area.path,
        message=_("You may not make rosters for this area."),
    )
    starts_on, days, limit = _check_request(starts_on, days, time_limit)
    user = user_of(actor)
    if user is None:
        raise ServiceError(_("Only a person can ask for a roster."), code="no_person")
    roster = Roster(
        area=area,
        area_path=area.path,
        starts_on=starts_on,
        days=days,
        time_limit=limit,
        language=translation.get_language() or "zh-hans",
        created_by=user,
        created_at=clock.now(),
    )
    if not roster_shifts(roster):
        raise invalid({"starts_on": [_("There is no shift to staff in these days.")]})
    with transaction.atomic():
        roster.save()
        audit_log(actor=actor, action="volunteers.roster_request", obj=roster, fields=["days"])
        transaction.on_commit(lambda: _enqueue(roster.pk))
    return roster


def _enqueue(roster_id: int) -> None:
    from lifeline.volunteers.tasks import roster_job

    roster_job.enqueue(roster_id)


def _volunteers(roster: Roster) -> list[Volunteer]:
    above = ancestor_paths(roster.area_path)
    return list(
        Volunteer.objects.filter(status=VolunteerStatus.ACTIVE)
        .filter(Q(area_path__startswith=roster.area_path) | Q(area_path__in=above))
        .order_by("pk")
    )


def _people(roster: Roster, shifts: list[Shift], volunteers: list[Volunteer]) -> list[Person]:
    """The volunteers as the solver sees them (see the module's docstring)."""
    origin, end = window(roster)
    ours = {s.pk for s in shifts}
    ids = [v.pk for v in volunteers]

    def minute(moment: dt.datetime) -> int:
        return int((moment - origin).total_seconds() // 60)

    fixed: dict[int, list[int]] = defaultdict(list)
    busy: dict[int, list[tuple[int, int]]] = defaultdict(list)
    rest = {v.pk: v.min_rest_minutes for v in volunteers}
    bookings = Booking.objects.filter(
        volunteer_id__in=ids,
        status=BookingStatus.CONFIRMED,
        ends_at__gt=origin - dt.timedelta(days=1),
        starts_at__lt=end + dt.timedelta(days=1),
    ).values_list("volunteer_id", "shift_id", "starts_at", "ends_at")
    for vid, sid, starts, ends in bookings:
        if sid in ours:
            fixed[vid].append(sid)
        else:
            busy[vid].append((minute(starts) - rest[vid], minute(ends) + rest[vid]))
    away = Unavailability.objects.filter(
        volunteer_id__in=ids, ends_at__gt=origin, starts_at__lt=end
    ).values_list("volunteer_id", "starts_at", "ends_at")
    for vid, starts, ends in away:
        busy[vid].append((minute(starts), minute(ends)))
    return [
        Person(
            key=v.pk,
            skills=frozenset(v.skills or ()),
            unavailable=tuple(sorted(busy[v.pk])),
            max_day=v.max_day_minutes,
            max_week=v.max_week_minutes,
            min_rest=v.min_rest_minutes,
            fixed=tuple(fixed[v.pk]),
        )
        for v in volunteers
    ]


def _slots(roster: Roster, shifts: list[Shift]) -> list[ShiftSlot]:
    origin, _end = window(roster)

    def minute(moment: dt.datetime) -> int:
        return int((moment - origin).total_seconds() // 60)

    return [
        ShiftSlot(
            key=s.pk,
            post=s.post_id,
            start=minute(s.starts_at),
            end=minute(s.ends_at),
            need=s.capacity,
            skills=frozenset(s.skills or ()),
        )
        for s in shifts
    ]


class Problem:
    """A roster's shifts and people as plain tuples, read once."""

    def __init__(self, roster: Roster) -> None:
        self.shifts = roster_shifts(roster)
        self.volunteers = _volunteers(roster)
        self.slots = _slots(roster, self.shifts)
        self.people = _people(roster, self.shifts, self.volunteers)

    def figures(self, assignments: list[tuple[int, int]], gaps: list[Any]) -> dict[str, Any]:
        needed = sum(s.need for s in self.slots)
        minutes: dict[int, int] = {p.key: 0 for p in self.people}
        length = {s.key: s.minutes for s in self.slots}
        for key, person in assignments:
            minutes[person] = minutes.get(person, 0) + length.get(key, 0)
        working = [m for m in minutes.values() if m]
        return {
            "shifts": len(self.slots),
            "needed": needed,
            "filled": len(assignments),
            "coverage": round(100 * len(assignments) / needed, 1) if needed else 100.0,
            "volunteers": len(self.people),
            "working": len(working),
            "hours_min": round(min(working) / 60, 1) if working else 0,
            "hours_max": round(max(working) / 60, 1) if working else 0,
            "hours_mean": round(sum(working) / len(working) / 60, 1) if working else 0,
            "gaps": len(gaps),
            "fairness": roster_rules.fairness_of(minutes.values()),
        }


def _gap_rows(gaps: list[Any]) -> list[dict[str, Any]]:
    return [
        {"shift": g.shift, "missing": g.missing, "reason": g.reason, "skill": g.skill} for g in gaps
    ]


def roster_run(*, roster_id: int) -> Roster:
    """The worker's part: solve a queued roster, or publish one being published. A roster
    already claimed is returned untouched, so running it twice does the work once."""
    claimed = Roster.objects.filter(pk=roster_id, status=RosterStatus.QUEUED).update(
        status=RosterStatus.RUNNING, started_at=clock.now()
    )
    roster = Roster.objects.select_related("created_by").get(pk=roster_id)
    if claimed:
        with translation.override(roster.language or None):
            return _solve(roster)
    if roster.status == RosterStatus.PUBLISHING:
        with translation.override(roster.language or None):
            return _publish(roster)
    return roster


def _solve(roster: Roster) -> Roster:
    from lifeline.volunteers.roster_model import solve_roster

    try:
        problem = Problem(roster)
        solution = solve_roster(problem.slots, problem.people, time_limit=roster.time_limit)
    except Exception:  # the coordinator is told; the worker goes on
        logger.exception("roster %s failed", roster.pk)
        return _fail(roster, _("The roster could not be made. Try again or ask for help."))
    if solution.status == "INFEASIBLE":
        count = len(solution.conflicts)
        return _fail(
            roster,
            _("Bookings already made break the rules %(count)d times; fix them first.")
            % {"count": count},
        )
    if solution.status == "UNKNOWN":
        return _fail(roster, _("The solver found no roster in its time; give it more time."))
    roster.assignments = [list(pair) for pair in sorted(solution.assignments)]
    roster.gaps = _gap_rows(solution.gaps)
    roster.figures = problem.figures(solution.assignments, solution.gaps) | {
        "status": solution.status,
        "seconds": round(solution.seconds, 2),
        "fixed": sum(len(p.fixed) for p in problem.people),
    }
    roster.status = RosterStatus.PROPOSED
    roster.finished_at = clock.now()
    roster.save(
        update_fields=["assignments", "gaps", "figures", "status", "finished_at", "message"]
    )
    return roster


def _fail(roster: Roster, message: str) -> Roster:
    roster.status = RosterStatus.FAILED
    roster.message = message[:300]
    roster.finished_at = clock.now()
    roster.save(update_fields=["status", "message", "finished_at"])
    return roster


def _lock(roster: Roster, actor: Actor, *status: str) -> Roster:
    require(
        actor,
        Perm.VOLUNTEERS_MANAGE,
        path=roster.area_path,
        message=_("You may not change this roster."),
    )
    locked = Roster.objects.select_for_update().get(pk=roster.pk)
    if locked.status not in status:
        raise Conflict(_("This roster can no longer be changed."), code="roster_state")
    return locked


def _parse_pairs(values: Any, fields: dict[str, list[str]], name: str) -> list[tuple[int, int]]:
    pairs: list[tuple[int, int]] = []
    for item in values or ():
        try:
            shift, person = (int(x) for x in item)
        except (TypeError, ValueError):
            fields[name] = [_("Each line is a shift and a volunteer.")]
            return []
        pairs.append((shift, person))
    return pairs


def roster_edit(*, actor: Actor, roster: Roster, add: Any = (), remove: Any = ()) -> Roster:
    """Take lines off a proposed roster and put lines on, refused (writing nothing) when
    the result breaks a rule: the broken rule is named, with the volunteer."""
    fields: dict[str, list[str]] = {}
    adding = _parse_pairs(add, fields, "add")
    removing = set(_parse_pairs(remove, fields, "remove"))
    if fields:
        raise invalid(fields)
    with transaction.atomic():
        locked = _lock(roster, actor, RosterStatus.PROPOSED)
        problem = Problem(locked)
        current = [tuple(pair) for pair in locked.assignments]
        fixed = {(key, p.key) for p in problem.people for key in p.fixed}
        if removing & fixed:
            raise Conflict(
                _("That volunteer is already booked on the shift; cancel the booking instead."),
                code="booked",
            )
        lines = [pair for pair in current if pair not in removing]
        lines += adding
        known = {v.pk for v in problem.volunteers}
        if any(person not in known for _shift, person in adding):
            raise invalid({"add": [_("That volunteer does not serve in this area.")]})
        free = [p._replace(fixed=()) for p in problem.people]
        broken = roster_rules.roster_violations(problem.slots, free, lines)
        if broken:
            raise Conflict(_describe(broken[0], problem), code="rule")
        gaps = roster_rules.find_gaps(problem.slots, problem.people, lines)
        locked.assignments = [list(pair) for pair in sorted(lines)]
        locked.gaps = _gap_rows(gaps)
        locked.figures = locked.figures | problem.figures(lines, gaps)
        locked.save(update_fields=["assignments", "gaps", "figures"])
        audit_log(
            actor=actor,
            action="volunteers.roster_edit",
            obj=locked,
            area_path=locked.area_path,
            fields=["assignments"],
        )
    return locked


def _describe(broken: roster_rules.Violation, problem: Problem) -> str:
    names = {v.pk: v.name for v in problem.volunteers}
    return _("%(name)s cannot take this shift: %(reason)s.") % {
        "name": names.get(broken.person, "?"),
        "reason": RULES.get(broken.code, broken.code),
    }


def roster_publish(*, actor: Actor, roster: Roster) -> Roster:
    """Hand a proposed roster to the worker, which books every line."""
    with transaction.atomic():
        locked = _lock(roster, actor, RosterStatus.PROPOSED)
        locked.status = RosterStatus.PUBLISHING
        locked.published_by = user_of(actor)
        locked.save(update_fields=["status", "published_by"])
        audit_log(actor=actor, action="volunteers.roster_publish", obj=locked, fields=["status"])
        transaction.on_commit(lambda: _enqueue(locked.pk))
    return locked


def roster_discard(*, actor: Actor, roster: Roster) -> Roster:
    with transaction.atomic():
        locked = _lock(roster, actor, RosterStatus.PROPOSED, RosterStatus.FAILED)
        locked.status = RosterStatus.DISCARDED
        locked.save(update_fields=["status"])
        audit_log(actor=actor, action="volunteers.roster_discard", obj=locked, fields=["status"])
    return locked


def _publish(roster: Roster) -> Roster:
    """Book every line as the coordinator who published; a line refused because the shift
    or the person changed since becomes a gap. Safe to run again after a crash: lines
    already booked are skipped."""
    from lifeline.volunteers.services.bookings import booking_signup

    actor = roster.published_by or roster.created_by
    shifts = {s.pk: s for s in roster_shifts(roster)}
    people = Volunteer.objects.in_bulk([person for _shift, person in roster.assignments])
    booked = set(
        Booking.objects.filter(shift_id__in=shifts, status=BookingStatus.CONFIRMED).values_list(
            "shift_id", "volunteer_id"
        )
    )
    refused: list[dict[str, Any]] = []
    told: dict[int, int] = defaultdict(int)
    for shift_id, person_id in roster.assignments:
        if (shift_id, person_id) in booked:
            continue
        shift, person = shifts.get(shift_id), people.get(person_id)
        try:
            if shift is None or person is None:
                raise Conflict(_("This shift is closed."), code="closed")
            booking_signup(
                volunteer=person,
                shift=shift,
                actor=actor,
                source=BookingSource.ROSTER,
                waitlist=False,
            )
        except ServiceError:
            refused.append({"shift": shift_id, "missing": 1, "reason": "refused", "skill": ""})
            continue
        told[person_id] += 1
    for person_id, count in told.items():
        text_volunteer(
            people[person_id],
            gettext_lazy(
                "You are on the duty roster from %(day)s: %(count)d shifts. "
                "Your shifts are on the volunteers' page."
            ),
            day=roster.starts_on.isoformat(),
            count=count,
        )
    roster.status = RosterStatus.PUBLISHED
    roster.published_at = clock.now()
    roster.gaps = list(roster.gaps) + refused
    roster.figures = roster.figures | {"refused": len(refused), "booked": sum(told.values())}
    roster.save(update_fields=["status", "published_at", "gaps", "figures"])
    return roster
