"""Periodic work: clock warnings and escalation of orders that missed a target.

``run_periodic(now)`` is what ``lifeline worker`` calls on its beat; ``lifeline sweep``
runs it once. Each order is escalated in its own short transaction, so one sweep never
holds many row locks and two workers sweeping at once only skip each other's orders.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db.models import F, Q

from lifeline.core import clock
from lifeline.workorders.models import AWAITING_RESPONSE, OPEN_STATUSES, Status, WorkOrder
from lifeline.workorders.services import workorder_escalate, workorder_warn

log = logging.getLogger(__name__)
BATCH = 500


def _overdue(now: dt.datetime) -> Any:
    not_yet = Q(escalated_at__isnull=True)
    response = Q(status__in=AWAITING_RESPONSE, due_response_at__lte=now) & (
        not_yet | Q(escalated_at__lt=F("due_response_at"))
    )
    resolution = Q(due_resolution_at__lte=now) & (
        not_yet | Q(escalated_at__lt=F("due_resolution_at"))
    )
    return (
        WorkOrder.objects.filter(status__in=OPEN_STATUSES, paused_at__isnull=True)
        .exclude(status=Status.RECEIVED)
        .filter(response | resolution)
    )


def escalate_overdue(now: dt.datetime | None = None) -> int:
    """Move every order that missed a target one unit up the ladder. Returns how many."""
    now = now or clock.now()
    ids = list(_overdue(now).order_by("priority", "pk").values_list("pk", flat=True)[:BATCH])
    moved = 0
    for order_id in ids:
        if workorder_escalate(order_id=order_id, now=now) is not None:
            moved += 1
    return moved


def warn_due_soon(now: dt.datetime | None = None) -> int:
    now = now or clock.now()
    ids = list(
        WorkOrder.objects.filter(
            status__in=OPEN_STATUSES,
            paused_at__isnull=True,
            warned_at__isnull=True,
            warn_at__lte=now,
        )
        .order_by("priority", "pk")
        .values_list("pk", flat=True)[:BATCH]
    )
    return sum(1 for order_id in ids if workorder_warn(order_id=order_id, now=now))


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
