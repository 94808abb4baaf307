"""Work-order reads. Every selector takes the actor and reads through ``scoped``: area staff
see the orders of their subtree, unit staff the orders their unit is responsible for."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm, roles_with
from lifeline.accounts.scoping import scope_for, scoped
from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.errors import NotFound
from lifeline.core.replica import reads_replica
from lifeline.registry.models import Area, AreaLevel
from lifeline.workorders.clocks import overdue_q
from lifeline.workorders.models import (
    CLAIMABLE,
    OPEN_STATUSES,
    Category,
    EventKind,
    Photo,
    Status,
    WorkOrder,
    WorkOrderEvent,
)
from lifeline.workorders.services import common


def _base(actor: Actor) -> QuerySet[WorkOrder]:
    """Orders where the actor holds ``WORKORDER_VIEW`` (by place or responsible unit)."""
    return scoped(WorkOrder.objects.all(), actor, Perm.WORKORDER_VIEW).select_related(
        "category", "responsible_unit", "area"
    )


@reads_replica
def workorder_list(
    *,
    actor: Actor,
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


def workorder_get(*, actor: Actor, pk: int) -> WorkOrder:
    order = _base(actor).filter(pk=pk).first()
    if order is None:
        raise NotFound()
    return order


def workorder_to_add_to(*, actor: Actor, pk: int) -> WorkOrder:
    """An order the actor may add to, as to its record (a comment, a photo, the hours its
    resident is at home): its handlers and the staff who file for its place. NotFound where
    the actor may not see it, PermissionDenied where they see it but may not add."""
    order = WorkOrder.objects.filter(pk=pk).first()
    if order is None:
        raise NotFound(_("No such work order in your area or unit."))
    common.require_adder(actor, order)
    return order


def workorder_queue(*, actor: Actor) -> QuerySet[WorkOrder]:
    """A team member's queue: open work of the units where they work orders (with the
    units below), unclaimed or claimed by them."""
    unit_ids = sorted(scope_for(actor).grant(Perm.WORKORDER_WORK).unit_ids)
    return (
        _base(actor)
        .filter(responsible_unit_id__in=unit_ids, status__in=CLAIMABLE)
        .filter(Q(claimed_by__isnull=True) | Q(claimed_by=actor))
        .order_by("priority", "due_resolution_at", "pk")
    )


def workorder_timeline(*, actor: Actor, order: WorkOrder) -> QuerySet[WorkOrderEvent]:
    workorder_get(actor=actor, pk=order.pk)
    return (
        WorkOrderEvent.objects.filter(order=order)
        .select_related("unit", "from_unit", "actor")
        .prefetch_related("actor__memberships")
        .order_by("at", "pk")
    )


def workorder_likely_duplicates(*, actor: Actor, order: WorkOrder) -> list[WorkOrder]:
    """The orders flagged at intake as the same need as ``order`` (either way round) that
    the actor may see: the one it looks like, and those that look like it."""
    found = list(
        _base(actor)
        .filter(likely_duplicate_of_id=order.pk, duplicate_of__isnull=True)
        .order_by("created_at", "pk")[:20]
    )
    if order.likely_duplicate_of_id is not None:
        earlier = _base(actor).filter(pk=order.likely_duplicate_of_id).first()
        if earlier is not None:
            found.insert(0, earlier)
    return found


def likely_duplicate_map(*, actor: Actor, orders: list[WorkOrder]) -> dict[int, list[WorkOrder]]:
    """For a page of orders, the flagged orders linked to each (both ways), in one query
    bounded by the page."""
    pks = [o.pk for o in orders]
    earlier = [o.likely_duplicate_of_id for o in orders if o.likely_duplicate_of_id]
    linked = _base(actor).filter(
        Q(likely_duplicate_of_id__in=pks, duplicate_of__isnull=True) | Q(pk__in=earlier)
    )
    by_pk = {o.pk: o for o in linked}
    result: dict[int, list[WorkOrder]] = {pk: [] for pk in pks}
    for other in by_pk.values():
        if other.likely_duplicate_of_id in result:
            result[other.likely_duplicate_of_id].append(other)
    for order in orders:
        if order.likely_duplicate_of_id in by_pk:
            result[order.pk].insert(0, by_pk[order.likely_duplicate_of_id])
    return result


def category_list(*, internal: bool = False) -> QuerySet[Category]:
    """Reference data, public: the resident form shows it without a login. Internal
    categories (filed by the city's services) only with ``internal=True`` (staff filters)."""
    found = Category.objects.filter(active=True)
    if not internal:
        found = found.filter(internal=False)
    return found.order_by("sort_order", "code")


def workorder_metrics(
    *,
    actor: Actor,
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
    qs = scoped(WorkOrder.objects.exclude(status=Status.CANCELLED), actor, Perm.WORKORDER_VIEW)
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


def workorder_feed(
    *,
    actor: Actor,
    numbers: list[str] | None = None,
    category_codes: list[str] | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    open_states: list[bool] | None = None,
) -> QuerySet[WorkOrder]:
    """Orders for a partner feed (Open311 ``GET requests``), scoped, newest first."""
    qs = _base(actor)
    if numbers:
        qs = qs.filter(number__in=numbers)
    if category_codes:
        qs = qs.filter(category__code__in=category_codes)
    if since:
        qs = qs.filter(created_at__gte=since)
    if until:
        qs = qs.filter(created_at__lte=until)
    if open_states is not None and len(set(open_states)) == 1:
        qs = (
            qs.filter(status__in=OPEN_STATUSES)
            if open_states[0]
            else qs.exclude(status__in=OPEN_STATUSES)
        )
    return qs.order_by("-created_at", "-pk")


def workorder_track(*, numbers: list[str], phone: str) -> QuerySet[WorkOrder]:
    """Orders by their numbers, for the resident who filed them. A number is a date and a
    serial, so anyone can guess one: it finds nothing without ``phone``, the contact phone
    the caller proved (a verified session or a one-time code). Callers show only the
    status, the category, the times and the responsible unit."""
    if not phone:
        return WorkOrder.objects.none()
    return (
        WorkOrder.objects.filter(number__in=[n for n in numbers if n], contact_phone=phone)
        .select_related("category", "responsible_unit")
        .order_by("-created_at", "-pk")
    )


def workorder_track_by_pk(*, pk: int) -> WorkOrder | None:
    """One order by id, for a caller that proved it holds the order's token (unscoped)."""
    return WorkOrder.objects.select_related("category").filter(pk=pk).first()


def workorder_open_for_caller(
    *, actor: Actor, household_ids: list[int], phone: str
) -> QuerySet[WorkOrder]:
    """The hotline's view of a caller: open orders of their households or filed from their
    phone, within the operator's scope."""
    match = Q(household_id__in=household_ids)
    if phone:
        match |= Q(contact_phone=phone)
    return (
        _base(actor)
        .filter(match, status__in=OPEN_STATUSES)
        .select_related("person", "household")
        .order_by("priority", "due_resolution_at", "pk")
    )


def workorder_for_resident(*, phone: str, limit: int = 20) -> QuerySet[WorkOrder]:
    """A resident's own orders, for a phone proven by a one-time code (no account)."""
    if not phone:
        return WorkOrder.objects.none()
    return (
        WorkOrder.objects.filter(contact_phone=phone)
        .select_related("category", "responsible_unit")
        .order_by("-created_at", "-pk")[:limit]
    )


def workorder_resolution_note(*, order: WorkOrder) -> str:
    """What the unit wrote when it last resolved ``order`` (for the resident who filed it,
    found by ``workorder_track``): the note only, never who wrote it."""
    event = (
        WorkOrderEvent.objects.filter(order=order, kind=EventKind.RESOLVED)
        .order_by("-at", "-pk")
        .only("note")
        .first()
    )
    return event.note if event is not None else ""


def workorder_counts(
    *,
    actor: Actor,
    by: str,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """How many orders per category (code) or channel, in the actor's scope."""
    key = {"category": "category__code", "channel": "channel"}.get(by)
    if key is None:
        raise ValueError("by must be category or channel")
    qs = scoped(WorkOrder.objects.all(), actor, Perm.WORKORDER_VIEW)
    if since:
        qs = qs.filter(created_at__gte=since)
    if until:
        qs = qs.filter(created_at__lt=until)
    rows = qs.values(key).annotate(
        total=Count("id"),
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("id", filter=overdue_q(clock.now())),
    )
    return [
        {"key": row[key], "total": row["total"], "open": row["open"], "overdue": row["overdue"]}
        for row in rows.order_by("-total", key)
    ]


def photo_list(*, actor: Actor, order: WorkOrder) -> QuerySet[Photo]:
    workorder_get(actor=actor, pk=order.pk)
    return Photo.objects.filter(order=order).defer("data").order_by("uploaded_at", "pk")


def photo_get(*, actor: Actor, pk: int) -> Photo:
    """A photo, if the actor may see its order."""
    photo = Photo.objects.filter(pk=pk).first()
    if photo is None:
        raise NotFound()
    workorder_get(actor=actor, pk=photo.order_id)
    return photo


def resident_places() -> QuerySet[Area]:
    """Communities a resident may choose on the public form (names are public reference)."""
    return Area.objects.filter(level=AreaLevel.COMMUNITY).order_by("path")


def colleagues(*, actor: Actor, order: WorkOrder) -> QuerySet[Any]:
    """Active members of the order's unit, in a role that works orders, other than the
    actor: whom one may hand over to (``workorder_handover`` checks each again)."""
    from lifeline.accounts.models import User

    workorder_get(actor=actor, pk=order.pk)
    if order.responsible_unit_id is None:
        return User.objects.none()
    return (
        User.objects.filter(
            is_active=True,
            memberships__active=True,
            memberships__unit_id=order.responsible_unit_id,
            memberships__role__in=sorted(roles_with(Perm.WORKORDER_WORK)),
        )
        .exclude(pk=int(getattr(actor, "pk", 0) or 0))
        .distinct()
        .order_by("username")
    )
