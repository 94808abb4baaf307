"""When an order is overdue: the one definition, for the lists (a query) and the sweep (a
query, then the same test on the locked row).

An order has two clocks, each with its due time: the response clock (``due_response_at``)
runs while the order waits for its unit to take it up (``AWAITING_RESPONSE``), the
resolution clock (``due_resolution_at``) while it is open at all. Both stop while the order
is paused. An order is overdue when a running clock is past its due time; the escalation
sweep moves it up the ladder once per missed due time (``escalated_at`` earlier than that
due time), and leaves received orders alone (they wait for a dispatcher, not a unit).
Before that, the unit is warned once when the running clocks reach ``warn_at``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import F, Q

from lifeline.workorders.models import AWAITING_RESPONSE, OPEN_STATUSES, Status, WorkOrder


@dataclass(frozen=True)
class Clock:
    """One of an order's clocks: its name (as the timeline records a miss), the field of
    its due time and the statuses in which it runs."""

    name: str
    due_field: str
    statuses: tuple[str, ...]


# In the order a sweep reports a miss: the response before the resolution.
CLOCKS = (
    Clock("response", "due_response_at", tuple(AWAITING_RESPONSE)),
    Clock("resolution", "due_resolution_at", tuple(OPEN_STATUSES)),
)


def _running_q() -> Q:
    return Q(status__in=OPEN_STATUSES, paused_at__isnull=True)


def _past_due_q(clock: Clock, now: dt.datetime) -> Q:
    return Q(status__in=clock.statuses, **{f"{clock.due_field}__lte": now})


def _not_escalated_q(clock: Clock) -> Q:
    return Q(escalated_at__isnull=True) | Q(escalated_at__lt=F(clock.due_field))


def overdue_q(now: dt.datetime) -> Q:
    """Orders with a running clock past its due time at ``now`` (the overdue lists)."""
    return _running_q() & reduce(or_, (_past_due_q(c, now) for c in CLOCKS))


def escalation_due_q(now: dt.datetime) -> Q:
    """Overdue orders with a miss not escalated yet (what the sweep picks up)."""
    return (
        _running_q()
        & ~Q(status=Status.RECEIVED)
        & reduce(or_, (_past_due_q(c, now) & _not_escalated_q(c) for c in CLOCKS))
    )


def missed_target(order: WorkOrder, now: dt.datetime) -> str | None:
    """The clock ("response" or "resolution") whose miss by ``order`` at ``now`` is due for
    escalation, or None: ``escalation_due_q`` asked of one (locked) order."""
    if order.status not in OPEN_STATUSES or order.paused_at is not None:
        return None
    if order.status == Status.RECEIVED:
        return None
    for clock in CLOCKS:
        due = getattr(order, clock.due_field)
        if order.status not in clock.statuses or due is None or due > now:
            continue
        if order.escalated_at is None or order.escalated_at < due:
            return clock.name
    return None


def warning_due_q(now: dt.datetime) -> Q:
    """Orders whose unit is to be warned at ``now``: running, past ``warn_at``, not warned."""
    return _running_q() & Q(warned_at__isnull=True, warn_at__lte=now)


def warning_due(order: WorkOrder, now: dt.datetime) -> bool:
    """``warning_due_q`` asked of one (locked) order."""
    return (
        order.status in OPEN_STATUSES
        and order.paused_at is None
        and order.warned_at is None
        and order.warn_at is not None
        and order.warn_at <= now
    )


@dataclass(frozen=True)
class Deadline:
    """The due time that matters for an order now: which clock ("response" or
    "resolution"), when, and whether it is already missed."""

    clock: str
    at: dt.datetime
    missed: bool


def deadline_of(order: WorkOrder, now: dt.datetime) -> Deadline | None:
    """The first missed running clock (in ``CLOCKS`` order: a missed response before the
    resolution), else the next running clock to fall due; None for a paused or settled
    order, which has no running clock."""
    if order.status not in OPEN_STATUSES or order.paused_at is not None:
        return None
    running = [
        (clock.name, getattr(order, clock.due_field))
        for clock in CLOCKS
        if order.status in clock.statuses and getattr(order, clock.due_field) is not None
    ]
    for name, due in running:
        if due <= now:
            return Deadline(name, due, True)
    if not running:
        return None
    name, due = min(running, key=lambda item: item[1])
    return Deadline(name, due, False)
