"""Periodic work: escalation of pass applications that missed their approval target.

``run_periodic(now)`` is meant for ``lifeline worker``'s beat, beside the work-order sweep.
Each application is escalated in its own short transaction, so two workers sweeping at once
only skip each other's rows.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import F

from lifeline.core import clock
from lifeline.passes.models import ApplicationStatus, PassApplication
from lifeline.passes.services import pass_application_escalate

log = logging.getLogger(__name__)
BATCH = 500


def escalate_overdue(now: dt.datetime | None = None) -> int:
    """Move every pending application past its due time one unit up. Returns how many."""
    now = now or clock.now()
    ids = list(
        PassApplication.objects.filter(status=ApplicationStatus.PENDING, due_at__lte=now)
        .exclude(escalated_at__gte=F("due_at"))
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[:BATCH]
    )
    return sum(1 for pk in ids if pass_application_escalate(application_id=pk, now=now) is not None)


def run_periodic(now: dt.datetime | None = None) -> dict[str, int]:
    """One beat of the pass clocks."""
    result = {"pass_applications_escalated": escalate_overdue(now or clock.now())}
    if any(result.values()):
        log.info("pass sweep: %s", result)
    return result
