"""What the crew records at a stop: arrival and completion, with the trip meter, so the
plan's kilometres and times can be compared with what happened.

A stop is a visit to a work order, a delivery or a person to sample. Completing a work
order's stop resolves the order (``workorders.services.workorder_resolve_from_route``: the
resident gets the code to confirm, as when staff resolve it), and a delivered package leaves
the delivery queue. The other way round, an order settled elsewhere (resolved by staff,
closed, cancelled) leaves the published routes: workorders announces it
(``workorder_settled``, connected in ``apps.py``) and its open stops are marked done with a
note saying why (``stops_drop_settled_order``), so the crew's list of stops to do drops it.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import scoped
from lifeline.core import clock
from lifeline.core.actors import Actor, system, user_of
from lifeline.core.audit import AuditEntry, audit_log, audit_log_many
from lifeline.core.errors import Conflict, NotFound, ServiceError
from lifeline.teams import access
from lifeline.teams.models import Delivery, Plan, PlanStop, Team, TeamMember, VisitKind
from lifeline.workorders.models import SETTLED_STATUSES, WorkOrder
from lifeline.workorders.models import Status as OrderStatus
from lifeline.workorders.services import workorder_resolve_from_route

MAX_KM = 5000.0
MAX_NOTE = 500
# Why the system takes a stop off a route (``core.actors.system``).
SETTLED_ELSEWHERE = gettext_noop("work order settled elsewhere")

log = logging.getLogger(__name__)


def crew_of(actor: Actor) -> QuerySet[TeamMember]:
    """The actor's active places in teams, counting only the teams where a membership lets
    them ride (``TEAMS_RIDE`` by the team's unit or area): being listed in a team grants
    nothing by itself."""
    if not getattr(actor, "is_authenticated", False):
        return TeamMember.objects.none()
    teams = scoped(Team.objects.all(), actor, Perm.TEAMS_RIDE)
    return TeamMember.objects.filter(user_id=actor.pk, active=True, team__in=teams)


def rides(actor: Actor, vehicle_id: int) -> bool:
    """Whether the actor is crew of the vehicle: riding in it, or a member of one of its
    teams who rides in no particular vehicle."""
    mine = crew_of(actor)
    return (
        mine.filter(vehicle_id=vehicle_id).exists()
        or mine.filter(vehicle__isnull=True)
        .filter(Q(team__vehicles=vehicle_id) | Q(team__shared_vehicles=vehicle_id))
        .exists()
    )


def may_record(actor: Actor, stop: PlanStop) -> bool:
    """The route's crew (``TEAMS_RIDE``) or the plan's dispatchers (``TEAMS_DISPATCH``).
    Both are asked every time, so what the answer depends on does not vary by who asks."""
    plan = stop.plan
    dispatches = access.may_dispatch(actor, unit_id=plan.unit_id, area_path=plan.area_path)
    return rides(actor, stop.route.vehicle_id) or dispatches


def _locked_stop(actor: Actor, stop: PlanStop, km: float | None, note: str) -> PlanStop:
    # The plan first, then the stop: the order dispatchers' edits lock them in.
    Plan.objects.select_for_update().filter(pk=stop.plan_id).first()
    locked = (
        PlanStop.objects.select_for_update()
        .select_related("plan", "route")
        .filter(pk=stop.pk)
        .first()
    )
    if locked is None or not may_record(actor, locked):
        raise NotFound(_("No such stop on your route."))
    if locked.plan.status != Plan.Status.PUBLISHED:
        raise ServiceError(
            _("Only the stops of a published plan can be recorded."), code="not_live"
        )
    fields: dict[str, list[str]] = {}
    if km is not None and not 0 <= km <= MAX_KM:
        fields["km"] = [gettext("Between 0 and %(n)s km.") % {"n": int(MAX_KM)}]
    if len(note or "") > MAX_NOTE:
        fields["note"] = [gettext("At most %(n)s characters.") % {"n": MAX_NOTE}]
    if fields:
        raise ServiceError(_("Please correct the marked fields."), fields=fields)
    return locked


def stop_arrive(
    *, actor: Actor, stop: PlanStop, km: float | None = None, note: str = ""
) -> PlanStop:
    """Record arrival now, with the trip meter's kilometres since leaving the depot."""
    with transaction.atomic():
        locked = _locked_stop(actor, stop, km, note)
        if locked.arrived_at is not None:
            raise Conflict(_("Arrival at this stop is already recorded."), code="already_recorded")
        locked.arrived_at = clock.now()
        locked.arrived_km = km
        locked.note = (note or locked.note).strip()
        locked.recorded_by = user_of(actor)
        locked.save(update_fields=["arrived_at", "arrived_km", "note", "recorded_by"])
        audit_log(
            actor=actor,
            action="teams.stop_arrive",
            obj=locked,
            area_path=locked.area_path,
            fields=["arrived_at", "arrived_km"],
        )
    return locked


def stop_complete(
    *,
    actor: Actor,
    stop: PlanStop,
    outcome: str = PlanStop.Outcome.DONE,
    note: str = "",
    km: float | None = None,
) -> PlanStop:
    """Record the visit done (or why not). An unrecorded arrival is taken as now; a
    delivered package leaves the delivery queue."""
    if outcome not in PlanStop.Outcome.values:
        raise ServiceError(
            _("Please correct the marked fields."),
            fields={"outcome": [gettext("Unknown outcome.")]},
        )
    with transaction.atomic():
        locked = _locked_stop(actor, stop, km, note)
        if locked.completed_at is not None:
            raise Conflict(_("This stop is already completed."), code="already_recorded")
        now = clock.now()
        if locked.arrived_at is None:
            locked.arrived_at = now
            locked.arrived_km = km
        locked.completed_at = now
        locked.outcome = outcome
        locked.note = (note or locked.note).strip()
        locked.recorded_by = user_of(actor)
        locked.save(
            update_fields=[
                "arrived_at",
                "arrived_km",
                "completed_at",
                "outcome",
                "note",
                "recorded_by",
            ]
        )
        if locked.kind == VisitKind.DELIVERY and outcome == PlanStop.Outcome.DONE:
            Delivery.objects.filter(pk=locked.ref_id, status=Delivery.Status.OPEN).update(
                status=Delivery.Status.DELIVERED, delivered_at=now
            )
        if locked.kind == VisitKind.WORK_ORDER and outcome == PlanStop.Outcome.DONE:
            # The order's row is locked after the plan's and the stop's (the order in which
            # ``stops_drop_settled_order`` takes them, after the order's writer committed).
            workorder_resolve_from_route(
                actor=actor,
                order_id=locked.ref_id,
                note=locked.note,
                route={"plan": locked.plan_id, "stop": locked.pk, "seq": locked.seq},
            )
        audit_log(
            actor=actor,
            action="teams.stop_complete",
            obj=locked,
            area_path=locked.area_path,
            fields=["completed_at", "outcome", "note"],
        )
    return locked


def on_workorder_settled(sender: Any, order: WorkOrder, **kwargs: Any) -> None:
    """``workorder_settled`` receiver: once the order's writer commits, its open stops
    leave the routes. Not in the writer's transaction: that holds the order's row, and a
    crew completing the stop holds the plan's and the stop's while it waits for the order."""
    order_id, actor = order.pk, system(SETTLED_ELSEWHERE)
    transaction.on_commit(
        lambda: stops_drop_settled_order(actor=actor, order_id=order_id), robust=True
    )


def stops_drop_settled_order(*, actor: Actor, order_id: int) -> int:
    """Take the work order's open stops off the published routes, if the order is still
    settled (resolved, closed or cancelled): each is marked done, outcome "other", with a
    note saying why, so the crew's list of stops still to do no longer holds it. A system
    write (``actor`` is ``system(SETTLED_ELSEWHERE)``); returns how many stops."""
    open_stops = PlanStop.objects.filter(
        kind=VisitKind.WORK_ORDER,
        ref_id=order_id,
        completed_at__isnull=True,
        plan__status=Plan.Status.PUBLISHED,
    )
    with transaction.atomic():
        order = WorkOrder.objects.filter(pk=order_id, status__in=SETTLED_STATUSES).first()
        plan_ids = sorted(set(open_stops.values_list("plan_id", flat=True)))
        if order is None or not plan_ids:
            return 0
        # The plans first, then the stops: the order dispatchers' edits and crews take them.
        list(Plan.objects.select_for_update().filter(pk__in=plan_ids).order_by("pk"))
        stops = list(open_stops.select_for_update(of=("self",)).order_by("pk"))
        if not stops:
            return 0
        note = gettext("Work order %(number)s is %(status)s: no visit needed.") % {
            "number": order.number or order.pk,
            "status": OrderStatus(order.status).label,
        }
        now = clock.now()
        for stop in stops:
            stop.completed_at, stop.outcome = now, PlanStop.Outcome.OTHER
            stop.note = note[:MAX_NOTE]
            stop.save(update_fields=["completed_at", "outcome", "note"])
        audit_log_many(
            actor=actor,
            entries=[
                AuditEntry(
                    action="teams.stop_drop",
                    obj=stop,
                    area_path=stop.area_path,
                    fields=("completed_at", "outcome", "note"),
                )
                for stop in stops
            ],
        )
    log.info("work order %s settled: %s stop(s) left the routes", order_id, len(stops))
    return len(stops)


def stop_contact_reveal(*, actor: Actor, stop: PlanStop) -> str:
    """The full callback number of an open work-order stop, for its crew to call from the
    door, and an audit record of who saw it (the field's name, never its value).

    Only the route's crew and the plan's dispatchers (``may_record``), only while the
    stop is open; refused when the stop has no callback number."""
    from lifeline.teams.places import callback_phone

    if not may_record(actor, stop):
        raise NotFound(access.NO_PLAN)
    if stop.completed_at is not None:
        raise ServiceError(_("This stop is done."), code="stop_done")
    phone = callback_phone(stop)
    if not phone:
        raise ServiceError(_("No callback number for this stop."), code="no_phone")
    with transaction.atomic():
        audit_log(
            actor=actor,
            action="teams.stop_contact_reveal",
            obj=stop,
            fields=["contact_phone"],
            purpose="call the resident from the route",
        )
    return phone
