"""Editing a live plan without re-planning it: an urgent visit goes in at its cheapest
feasible place, a stop moves to another place or vehicle. Each edit names the version the
dispatcher saw and runs under the plan's row lock (see ``plans.lock_plan``)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lifeline.core.actors import Actor
from lifeline.core.audit import audit_log
from lifeline.core.errors import NotFound, ServiceError
from lifeline.teams import storage
from lifeline.teams.models import Plan, PlanStop, PlanUnserved
from lifeline.teams.planner import model as pm
from lifeline.teams.planner.eligibility import area_index
from lifeline.teams.planner.insert import insert_visit
from lifeline.teams.planner.schedule import first_violation, make_route
from lifeline.teams.problem import distance_provider, planner_visit, unit_subtree
from lifeline.teams.services.plans import bump_version, editable_plan, notify_crews
from lifeline.teams.visits import visit_by_ref

URGENT_PRIORITY = 9


@dataclass
class UrgentResult:
    plan: Plan
    stop: PlanStop | None
    unserved: PlanUnserved | None


def _visited(loaded: storage.Loaded) -> dict[str, int]:
    """Per vehicle, how many leading stops were already reached (they stay first)."""
    frozen: dict[str, int] = {}
    for route in loaded.plan.routes:
        count = 0
        for stop in route.stops:
            row = loaded.stops[stop.visit_id]
            if row.arrived_at is None and row.completed_at is None:
                break
            count += 1
        frozen[route.vehicle_id] = count
    return frozen


def plan_insert_urgent(
    *, actor: Actor, plan: Plan, kind: str, ref_id: int, expected_version: int
) -> UrgentResult:
    """Put one queue visit (new, or listed unserved) into the plan at its cheapest feasible
    place, without re-planning: planned stops keep their order and windows, visited stops
    stay first. When it fits nowhere it is listed unserved with the reason."""
    with transaction.atomic():
        locked = editable_plan(actor, plan, expected_version)
        loaded = storage.load(locked)
        key = f"{kind}:{ref_id}"
        if key in loaded.stops:
            raise ServiceError(_("This visit is already on a route."), code="already_planned")
        queued = visit_by_ref(
            actor=actor,
            day=locked.day,
            kind=kind,
            ref_id=ref_id,
            unit_ids=unit_subtree(locked.unit_id),
        )
        if queued is None:
            raise NotFound(_("No such open visit in the unit's queues."))
        labels = sorted({a for r in loaded.routes.values() for a in r.areas})
        visit = replace(
            planner_visit(queued, labels, locked.day),
            priority=max(queued.priority, URGENT_PRIORITY),
        )
        request = replace(
            loaded.request, visits=tuple(v for v in loaded.request.visits if v.id != key)
        )
        current = replace(
            loaded.plan, unserved=tuple(u for u in loaded.plan.unserved if u.visit_id != key)
        )
        inserted = insert_visit(
            plan=current,
            request=request,
            visit=visit,
            distances=distance_provider(),
            frozen=_visited(loaded),
        )
        PlanUnserved.objects.filter(plan=locked, kind=kind, ref_id=ref_id).delete()
        snapshot = storage.snapshot_of(queued, visit)
        stop = unserved = None
        if inserted.vehicle_id is not None:
            route = next(r for r in inserted.plan.routes if r.vehicle_id == inserted.vehicle_id)
            storage.write_routes(locked, loaded, [route], new_stops={key: snapshot})
            stop = PlanStop.objects.get(plan=locked, kind=kind, ref_id=ref_id)
            if locked.status == Plan.Status.PUBLISHED:
                notify_crews(
                    locked,
                    [int(inserted.vehicle_id)],
                    gettext("Urgent visit added to your route: %(what)s, %(where)s.")
                    % {"what": queued.label, "where": queued.address},
                )
        else:
            assert inserted.unserved is not None
            unserved = PlanUnserved.objects.create(
                plan=locked,
                reason=str(inserted.unserved.reason),
                detail=inserted.unserved.detail[:300],
                **snapshot,
            )
        bump_version(locked)
        audit_log(
            actor=actor,
            action="teams.plan_insert_urgent",
            obj=locked,
            fields=["stops" if stop else "unserved"],
        )
    return UrgentResult(locked, stop, unserved)


def _retimed(
    loaded: storage.Loaded, vehicle: pm.Vehicle, keys: list[str]
) -> tuple[pm.Route, list[pm.Visit]]:
    visits_by_id = {v.id: v for v in loaded.request.visits}
    visits = [visits_by_id[k] for k in keys]
    matrix = distance_provider().matrix(origins=[vehicle.depot, *(v.location for v in visits)])
    route = make_route(
        vehicle=vehicle,
        visits=visits,
        nodes=list(range(1, len(visits) + 1)),
        depot=0,
        matrix=matrix,
    )
    return route, visits


def plan_move_stop(
    *,
    actor: Actor,
    plan: Plan,
    stop_id: int,
    vehicle_id: int,
    position: int,
    expected_version: int,
) -> Plan:
    """Move a stop to ``position`` (1 = first) of ``vehicle_id``'s route and re-time both
    routes. Refused when the stop was visited, when the place is before a visited stop, or
    when the new route would break a window, the capacity, the shift or the vehicle's
    skills and areas."""
    with transaction.atomic():
        locked = editable_plan(actor, plan, expected_version)
        loaded = storage.load(locked)
        stop = next((s for s in loaded.stops.values() if s.pk == stop_id), None)
        if stop is None:
            raise NotFound(_("No such stop in this plan."))
        if stop.arrived_at is not None or stop.completed_at is not None:
            raise ServiceError(_("This stop was already visited."), code="visited")
        target = str(vehicle_id)
        if target not in loaded.routes:
            raise ServiceError(
                _("That vehicle is not in this plan."),
                fields={"vehicle_id": [gettext("Unknown vehicle.")]},
            )
        index = [v.id for v in loaded.request.vehicles].index(target)
        vehicle = loaded.request.vehicles[index]
        visit = next(v for v in loaded.request.visits if v.id == stop.key)
        if index not in area_index(request=loaded.request).candidates(visit=visit)[1]:
            raise ServiceError(
                _("That vehicle lacks the skill or may not work in the visit's area."),
                code="not_allowed",
            )
        routes = {r.vehicle_id: r for r in loaded.plan.routes}
        source = next(k for k, r in loaded.routes.items() if r.pk == stop.route_id)
        source_keys = [s.visit_id for s in routes[source].stops if s.visit_id != stop.key]
        target_keys = (
            source_keys if source == target else [s.visit_id for s in routes[target].stops]
        )
        # Visited stops lead their route and the moved stop is not one of them.
        frozen = _visited(loaded).get(target, 0)
        if not frozen < position <= len(target_keys) + 1:
            raise ServiceError(
                _("Choose a place between %(low)s and %(high)s.")
                % {"low": frozen + 1, "high": len(target_keys) + 1},
                fields={"position": [gettext("Out of range.")]},
            )
        target_keys = [*target_keys[: position - 1], stop.key, *target_keys[position - 1 :]]
        new_target, visits = _retimed(loaded, vehicle, target_keys)
        bad = first_violation(vehicle=vehicle, visits=visits, route=new_target)
        if bad is not None:
            raise ServiceError(_violation_text(bad, len(visits)), code="infeasible")
        changed = [new_target]
        if source != target:
            source_vehicle = next(v for v in loaded.request.vehicles if v.id == source)
            changed.append(_retimed(loaded, source_vehicle, source_keys)[0])
        storage.write_routes(locked, loaded, changed)
        bump_version(locked)
        audit_log(actor=actor, action="teams.plan_move_stop", obj=locked, fields=["stops"])
    return locked


def _violation_text(bad: int, count: int) -> str:
    if bad >= count:
        return gettext("The vehicle would be back after the end of its shift.")
    return gettext(
        "Stop %(n)s would start outside its time window, or the load would exceed "
        "the vehicle's capacity."
    ) % {"n": bad + 1}
