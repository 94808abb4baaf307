"""Work-order reads. Every selector takes the actor and reads through ``scoped``: area staff
see the orders of their subtree, unit staff the orders their unit is responsible for."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import TruncDate

from lifeline.core import clock
from lifeline.core.errors import NotFound
from lifeline.core.scoping import scope_for, scoped
from lifeline.workorders.models import (
    AWAITING_RESPONSE,
    OPEN_STATUSES,
    Category,
    Status,
    WorkOrder,
    WorkOrderEvent,
)

CLAIMABLE = (Status.DISPATCHED, Status.ACCEPTED, Status.IN_PROGRESS, Status.REOPENED)


def _base(actor: Any) -> QuerySet[WorkOrder]:
    return scoped(WorkOrder.objects.all(), actor).select_related(
        "category", "responsible_unit", "area"
    )


def overdue_q(now: dt.datetime) -> Q:
    return Q(status__in=OPEN_STATUSES, paused_at__isnull=True) & (
        Q(status__in=AWAITING_RESPONSE, due_response_at__lte=now) | Q(due_resolution_at__lte=now)
    )


def workorder_list(
    *,
    actor: Any,
    status: str = "",
    category: str = "",
    unit_id: int | None = None,
    area_path: str = "",
    open_only: bool = False,
    overdue: bool = False,
    priority: int | None = None,
    q: str = "",
    now: dt.datetime | None = None,
) -> QuerySet[WorkOrder]:
    qs = _base(actor)
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category__code=category)
    if unit_id:
        qs = qs.filter(responsible_unit_id=unit_id)
    if area_path:
        qs = qs.filter(area_path__startswith=area_path)
    if open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if overdue:
        qs = qs.filter(overdue_q(now or clock.now()))
    if priority:
        qs = qs.filter(priority=priority)
    if q:
        qs = qs.filter(Q(number__startswith=q.strip()) | Q(description__icontains=q.strip()))
    return qs.order_by("priority", "created_at", "pk")


def workorder_get(*, actor: Any, pk: int) -> WorkOrder:
    order = _base(actor).filter(pk=pk).first()
    if order is None:
        raise NotFound()
    return order


def workorder_queue(*, actor: Any) -> QuerySet[WorkOrder]:
    """A team member's queue: open work of their units, unclaimed or claimed by them."""
    unit_ids = sorted(scope_for(actor).unit_ids)
    return (
        _base(actor)
        .filter(responsible_unit_id__in=unit_ids, status__in=CLAIMABLE)
        .filter(Q(claimed_by__isnull=True) | Q(claimed_by=actor))
        .order_by("priority", "due_resolution_at", "pk")
    )


def workorder_timeline(*, actor: Any, order: WorkOrder) -> QuerySet[WorkOrderEvent]:
    workorder_get(actor=actor, pk=order.pk)
    return (
        WorkOrderEvent.objects.filter(order=order)
        .select_related("unit", "from_unit")
        .order_by("at", "pk")
    )


def category_list() -> QuerySet[Category]:
    """Reference data, public: the resident form shows it without a login."""
    return Category.objects.filter(active=True).order_by("sort_order", "code")


def workorder_metrics(
    *,
    actor: Any,
    by: str = "unit",
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """Response rate, on-time resolution rate and satisfaction per unit, area or day.

    Rates count the orders that reached the step on time out of all orders that reached it
    or are past its due time; cancelled orders are left out.
    """
    key = {
        "unit": "responsible_unit_id",
        "area": "area_path",
        "day": "day",
    }.get(by)
    if key is None:
        raise ValueError("by must be unit, area or day")
    qs = scoped(WorkOrder.objects.exclude(status=Status.CANCELLED), actor)
    if since:
        qs = qs.filter(created_at__gte=since)
    if until:
        qs = qs.filter(created_at__lt=until)
    if by == "day":
        qs = qs.annotate(day=TruncDate("created_at", tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE)))
    now = clock.now()
    rows = (
        qs.values(key)
        .annotate(
            total=Count("id"),
            responded=Count("id", filter=Q(responded_at__isnull=False)),
            responded_on_time=Count("id", filter=Q(responded_at__lte=F("due_response_at"))),
            response_due=Count(
                "id", filter=Q(responded_at__isnull=False) | Q(due_response_at__lte=now)
            ),
            resolved=Count("id", filter=Q(resolved_at__isnull=False)),
            resolved_on_time=Count("id", filter=Q(resolved_at__lte=F("due_resolution_at"))),
            resolution_due=Count(
                "id", filter=Q(resolved_at__isnull=False) | Q(due_resolution_at__lte=now)
            ),
            satisfaction=Avg("satisfaction"),
        )
        .order_by(key)
    )
    result = []
    for row in rows:
        row = dict(row)
        row["key"] = row.pop(key)
        row["response_rate"] = _rate(row["responded_on_time"], row["response_due"])
        row["on_time_resolution_rate"] = _rate(row["resolved_on_time"], row["resolution_due"])
        result.append(row)
    return result


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
