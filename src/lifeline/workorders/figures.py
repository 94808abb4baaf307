"""Work-order figures for the command centre's dashboard (see ``registry/figures.py``):
opened on the day, and open, overdue and escalated when the figures are refreshed (for a
past day: as last refreshed before it froze)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifeline.core import clock
from lifeline.registry.models import Vulnerability
from lifeline.workorders.clocks import overdue_q
from lifeline.workorders.models import OPEN_STATUSES, WorkOrder


def _day(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def _by_path(qs: Any) -> dict[str, int]:
    rows = qs.order_by().values("area_path").annotate(n=Count("pk"))
    return {row["area_path"]: row["n"] for row in rows}


def _open() -> Any:
    return WorkOrder.objects.filter(status__in=OPEN_STATUSES)


def opened(day: dt.date) -> dict[str, int]:
    start, end = _day(day)
    return _by_path(WorkOrder.objects.filter(created_at__gte=start, created_at__lt=end))


def open_now(day: dt.date) -> dict[str, int]:
    return _by_path(_open())


def overdue_now(day: dt.date) -> dict[str, int]:
    return _by_path(_open().filter(overdue_q(clock.now())))


def escalated_now(day: dt.date) -> dict[str, int]:
    return _by_path(_open().filter(escalation_level__gt=0))


def vulnerable_waiting(day: dt.date) -> dict[str, int]:
    """Vulnerable residents with an open order (each person once)."""
    people = Vulnerability.objects.values("person_id")
    rows = (
        _open()
        .filter(Q(person_id__in=people))
        .order_by()
        .values("area_path")
        .annotate(n=Count("person_id", distinct=True))
    )
    return {row["area_path"]: row["n"] for row in rows}


def dashboard_figures() -> list[dict[str, Any]]:
    return [
        {"key": "workorders.opened", "label": _("Requests opened"), "compute": opened},
        {"key": "workorders.open", "label": _("Requests open"), "compute": open_now},
        {"key": "workorders.overdue", "label": _("Requests overdue"), "compute": overdue_now},
        {
            "key": "workorders.escalated",
            "label": _("Requests escalated"),
            "compute": escalated_now,
        },
        {
            "key": "workorders.vulnerable_waiting",
            "label": _("Vulnerable people waiting"),
            "compute": vulnerable_waiting,
        },
    ]
