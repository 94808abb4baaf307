"""The day's visits, assembled from the live queues (read only, all through ``scoped``, and
only where the planner both may read the row and holds ``TEAMS_DISPATCH``):

- open work orders of the planning units that have a place (their own position, or their
  household's building), with the time window agreed for the day (``Appointment``);
- open deliveries of the planning units due on or before the day;
- when a team of the plan can sample: open re-sampling tasks of positive pools (the person
  stays at home), and the households of bedridden or disabled people not yet tested that
  day (screening's door-to-door list, one visit per door, longer for more people).

Service time, skill and priority follow the work order's category (``SERVICE_MINUTES``,
``CATEGORY_SKILL``) and priority; visits without a window may be made any time of the day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import scoped
from lifeline.core.actors import Actor
from lifeline.registry.models import Area, AreaLevel, Household
from lifeline.screening.models import RecheckStatus, RecheckTask
from lifeline.screening.selectors import door_service_seconds, door_to_door_stops
from lifeline.teams.models import Appointment, Delivery, Skill, VisitKind, local_midnight
from lifeline.teams.planner.model import DAY_END
from lifeline.workorders.models import Status, WorkOrder

# Minutes at the door by work-order category (the rest: DEFAULT_SERVICE_MINUTES).
SERVICE_MINUTES = {
    "gas": 6,  # contactless top-up of the meter card
    "power": 15,
    "water": 15,
    "medicine": 5,
    "food_supplies": 5,
    "testing": 8,
    "elderly_care": 20,
    "medical_care": 20,
}
DEFAULT_SERVICE_MINUTES = 10
DELIVERY_MINUTES = 4
RECHECK_MINUTES = 8
CATEGORY_SKILL = {
    "gas": Skill.GAS_TOPUP,
    "testing": Skill.SAMPLING,
    "medicine": Skill.MEDICINE,
    "food_supplies": Skill.MEALS,
}
# Orders waiting for their unit: resolved orders only wait for the resident's confirmation.
PLANNABLE = [s for s in Status if s not in (Status.RESOLVED, Status.CLOSED, Status.CANCELLED)]
RECHECK_PRIORITY = 3  # a positive pool's member: as urgent as a critical order


@dataclass(frozen=True)
class QueueVisit:
    """One visit as the planner will see it; times are seconds after local midnight."""

    kind: str
    ref_id: int
    label: str
    address: str
    area_path: str
    lat: float
    lng: float
    earliest: int = 0
    latest: int = DAY_END
    service: int = DEFAULT_SERVICE_MINUTES * 60
    priority: int = 0
    skill: str = ""
    size: int = 1

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.ref_id}"


def seconds_of(value: dt.time) -> int:
    return value.hour * 3600 + value.minute * 60 + value.second


def plannable(qs: QuerySet[Any], actor: Actor) -> QuerySet[Any]:
    """Rows the actor may read (the model's own permission) where they also plan teams'
    days: a membership that lets one see a row elsewhere does not put it on a route."""
    return scoped(scoped(qs, actor), actor, Perm.TEAMS_DISPATCH)


def within(qs: QuerySet[Any], paths: Sequence[str]) -> QuerySet[Any]:
    """Rows placed in any of the subtrees ``paths`` (none: no rows)."""
    if not paths:
        return qs.none()
    return qs.filter(reduce(or_, (Q(area_path__startswith=p) for p in paths)))


def visits_for_day(
    *,
    actor: Actor,
    day: dt.date,
    unit_ids: Iterable[int],
    area_paths: Sequence[str] | None,
    skills: Iterable[str] = (),
) -> list[QueueVisit]:
    """The day's visits for the units ``unit_ids``; ``area_paths`` None takes them wherever
    they are (a unit's plan lists those outside every team's areas as unserved), otherwise
    only those inside the given subtrees. Ordered by kind and id, so plans are repeatable."""
    units = sorted(set(unit_ids))
    found = [
        *_work_orders(actor, day, units, area_paths),
        *_deliveries(actor, day, units, area_paths),
    ]
    if Skill.SAMPLING in set(skills):
        found.extend(_rechecks(actor, area_paths))
        found.extend(_home_sampling(actor, day, area_paths))
    return found


def _open_orders(actor: Actor, units: list[int]) -> QuerySet[WorkOrder]:
    return plannable(WorkOrder.objects.all(), actor).filter(
        responsible_unit_id__in=units, status__in=PLANNABLE, duplicate_of__isnull=True
    )


def _work_orders(
    actor: Actor,
    day: dt.date,
    units: list[int],
    paths: Sequence[str] | None,
    pk: int | None = None,
    orders_qs: QuerySet[WorkOrder] | None = None,
) -> list[QueueVisit]:
    qs = _open_orders(actor, units) if orders_qs is None else orders_qs
    if paths is not None:
        qs = within(qs, paths)
    if pk is not None:
        qs = qs.filter(pk=pk)
    orders = list(qs.select_related("category", "household__building").order_by("pk"))
    windows = {
        a.work_order_id: (seconds_of(a.start), seconds_of(a.end))
        for a in Appointment.objects.filter(day=day, work_order_id__in=[o.pk for o in orders])
    }
    end_of_day = local_midnight(day + dt.timedelta(days=1))
    visits = []
    for order in orders:
        place = _place_of(order)
        if place is None:
            continue
        lat, lng, address = place
        code = order.category.code
        priority = 4 - order.priority + (1 if order.emergency else 0)
        due = order.due_resolution_at
        if due is not None and due < end_of_day:
            priority += 1  # due today or overdue
        earliest, latest = windows.get(order.pk, (0, DAY_END))
        visits.append(
            QueueVisit(
                kind=VisitKind.WORK_ORDER,
                ref_id=order.pk,
                label=f"{order.category.name} {order.number or order.pk}"[:150],
                address=address[:255],
                area_path=order.area_path,
                lat=lat,
                lng=lng,
                earliest=earliest,
                latest=latest,
                service=SERVICE_MINUTES.get(code, DEFAULT_SERVICE_MINUTES) * 60,
                priority=max(0, priority),
                skill=CATEGORY_SKILL.get(code, ""),
            )
        )
    return visits


def _place_of(order: WorkOrder) -> tuple[float, float, str] | None:
    household = order.household
    building = household.building if household is not None else None
    address = order.address or (
        f"{building.address} {household.unit_no}" if building and household else ""
    )
    if order.lat is not None and order.lng is not None:
        return order.lat, order.lng, address
    if building is not None and building.lat is not None and building.lng is not None:
        return building.lat, building.lng, address
    return None


def _deliveries(
    actor: Actor, day: dt.date, units: list[int], paths: Sequence[str] | None, pk: int | None = None
) -> list[QueueVisit]:
    qs = plannable(Delivery.objects.all(), actor).filter(
        unit_id__in=units, status=Delivery.Status.OPEN, day__lte=day
    )
    if paths is not None:
        qs = within(qs, paths)
    if pk is not None:
        qs = qs.filter(pk=pk)
    visits = []
    for item in qs.select_related("household__building").order_by("pk"):
        if item.household is not None:
            building = item.household.building
            lat, lng = building.lat, building.lng
            address = f"{building.address} {item.household.unit_no}"
        else:  # a place: a community store, a canteen, a post
            lat, lng, address = item.lat, item.lng, item.address
        if lat is None or lng is None:
            continue
        overdue = item.day < day
        visits.append(
            QueueVisit(
                kind=VisitKind.DELIVERY,
                ref_id=item.pk,
                label=item.what[:150],
                address=address[:255],
                area_path=item.area_path,
                lat=lat,
                lng=lng,
                earliest=0 if overdue else seconds_of(item.start),
                latest=DAY_END if overdue else seconds_of(item.end),
                service=DELIVERY_MINUTES * 60,
                priority=2 if overdue else 1,
                skill=item.skill,
                size=item.size,
            )
        )
    return visits


def _rechecks(actor: Actor, paths: Sequence[str] | None, pk: int | None = None) -> list[QueueVisit]:
    qs = plannable(RecheckTask.objects.all(), actor).filter(status=RecheckStatus.OPEN)
    if paths is not None:
        qs = within(qs, paths)
    if pk is not None:
        qs = qs.filter(pk=pk)
    visits = []
    for task in qs.select_related("person__household__building").order_by("pk"):
        household = task.person.household
        building = household.building
        if building.lat is None or building.lng is None:
            continue
        visits.append(
            QueueVisit(
                kind=VisitKind.RECHECK,
                ref_id=task.pk,
                label=str(RecheckTask._meta.verbose_name)[:150],
                address=f"{building.address} {household.unit_no}"[:255],
                area_path=task.area_path,
                lat=building.lat,
                lng=building.lng,
                service=RECHECK_MINUTES * 60,
                priority=RECHECK_PRIORITY,
                skill=Skill.SAMPLING,
            )
        )
    return visits


def _home_sampling(
    actor: Actor, day: dt.date, paths: Sequence[str] | None, household_id: int | None = None
) -> list[QueueVisit]:
    # The doors themselves come through screening's own scoping (``door_to_door_stops``),
    # which names people: only grids where the planner also holds screening.view.
    grids = scoped(Area.objects.filter(level=AreaLevel.GRID), actor, Perm.TEAMS_DISPATCH)
    grids = grids.filter(
        pk__in=scoped(Area.objects.filter(level=AreaLevel.GRID), actor, Perm.SCREENING_VIEW)
    )
    if paths is not None:
        grids = grids.filter(reduce(or_, (Q(path__startswith=p) for p in paths), Q(pk__in=[])))
    if household_id is not None:
        grids = grids.filter(pk__in=Household.objects.filter(pk=household_id).values("grid_id"))
    visits = []
    for grid in grids.order_by("path"):
        for door in door_to_door_stops(actor=actor, grid_id=grid.pk, day=day):
            if not door.to_sample or door.lat is None or door.lng is None:
                continue
            if household_id is not None and door.household_id != household_id:
                continue
            visits.append(
                QueueVisit(
                    kind=VisitKind.HOME_SAMPLING,
                    ref_id=door.household_id,
                    label=str(_("Home sampling, %(n)s people") % {"n": door.to_sample})[:150],
                    address=f"{door.address} {door.unit_no}"[:255],
                    area_path=grid.path,
                    lat=door.lat,
                    lng=door.lng,
                    service=door_service_seconds(door.to_sample),
                    priority=1,
                    skill=Skill.SAMPLING,
                    size=door.to_sample,
                )
            )
    return visits


def visit_by_ref(
    *, actor: Actor, day: dt.date, kind: str, ref_id: int, unit_ids: Iterable[int]
) -> QueueVisit | None:
    """One queue visit (for an urgent insertion), found the same way as the day's visits."""
    units = sorted(set(unit_ids))
    if kind == VisitKind.WORK_ORDER:
        found = _work_orders(actor, day, units, None, pk=ref_id)
    elif kind == VisitKind.DELIVERY:
        found = _deliveries(actor, day, units, None, pk=ref_id)
    elif kind == VisitKind.RECHECK:
        found = _rechecks(actor, None, pk=ref_id)
    elif kind == VisitKind.HOME_SAMPLING:
        found = _home_sampling(actor, day, None, household_id=ref_id)
    else:
        return None
    return found[0] if found else None


URGENT_CHOICES = 20


def urgent_choices(
    *,
    actor: Actor,
    day: dt.date,
    unit_ids: Iterable[int],
    exclude: Iterable[int] = (),
    q: str = "",
    limit: int = URGENT_CHOICES,
) -> list[QueueVisit]:
    """Open work orders of the units that a dispatcher may insert into a plan, most urgent
    first (emergencies, then priority, then the due time), found by number, address or
    category when ``q`` is given; ``exclude`` are orders already on the plan's routes."""
    qs = _open_orders(actor, sorted(set(unit_ids))).exclude(pk__in=list(exclude))
    words = " ".join((q or "").split())[:100]
    if words:
        qs = qs.filter(
            Q(number__icontains=words)
            | Q(address__icontains=words)
            | Q(category__name__icontains=words)
            | Q(household__building__address__icontains=words)
        )
    ranked = qs.order_by("-emergency", "priority", "due_resolution_at", "pk")
    picked = list(ranked.values_list("pk", flat=True)[: limit * 2])
    found = _work_orders(actor, day, [], None, orders_qs=WorkOrder.objects.filter(pk__in=picked))
    order = {pk: n for n, pk in enumerate(picked)}
    return sorted(found, key=lambda v: order[v.ref_id])[:limit]
