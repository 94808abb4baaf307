"""Periodic work: clock warnings and escalation of orders that missed a target.

``run_periodic(now)`` is what ``lifeline worker`` calls on its beat; ``lifeline sweep``
runs it once. Each order is escalated in its own short transaction, so one sweep never
holds many row locks and two workers sweeping at once only skip each other's orders.
Which orders are due is defined in ``clocks``; the steps are the system's own
(``core.actors.system``).
"""

from __future__ import annotations

import datetime as dt
import logging

from lifeline.core import clock
from lifeline.core.actors import system
from lifeline.workorders.clocks import escalation_due_q, warning_due_q
from lifeline.workorders.models import WorkOrder
from lifeline.workorders.services import workorder_escalate, workorder_warn
from lifeline.workorders.services.escalation import ESCALATION_SWEEP, WARNING_SWEEP

log = logging.getLogger(__name__)
BATCH = 500


def escalate_overdue(now: dt.datetime | None = None) -> int:
    """Move every order that missed a target one unit up the ladder. Returns how many."""
    now = now or clock.now()
    actor = system(ESCALATION_SWEEP)
    ids = list(
        WorkOrder.objects.filter(escalation_due_q(now))
        .order_by("priority", "pk")
        .values_list("pk", flat=True)[:BATCH]
    )
    moved = 0
    for order_id in ids:
        if workorder_escalate(actor=actor, order_id=order_id, now=now) is not None:
            moved += 1
    return moved


def warn_due_soon(now: dt.datetime | None = None) -> int:
    now = now or clock.now()
    actor = system(WARNING_SWEEP)
    ids = list(
        WorkOrder.objects.filter(warning_due_q(now))
        .order_by("priority", "pk")
        .values_list("pk", flat=True)[:BATCH]
    )
    return sum(1 for order_id in ids if workorder_warn(actor=actor, order_id=order_id, now=now))


def run_periodic(now: dt.datetime | None = None) -> dict[str, int]:
    """One beat of the work-order clocks: warnings first, then escalations."""
    now = now or clock.now()
    result = {
        "workorders_warned": warn_due_soon(now),
        "workorders_escalated": escalate_overdue(now),
    }
    if any(result.values()):
        log.info("work-order sweep: %s", result)
    return result
