"""Plans between the database and the planner: store a solved day, load a stored plan
back as planner objects (for inserting an urgent visit or moving a stop), and write the
routes an edit changed. Callers hold the plan's row lock and their transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import F

from lifeline.teams.models import Plan, PlanRoute, PlanStop, PlanUnserved, VisitSnapshot
from lifeline.teams.planner import model as pm
from lifeline.teams.planner.model import DAY_END, Point
from lifeline.teams.problem import Day
from lifeline.teams.visits import QueueVisit

RENUMBER = 1_000_000
SNAPSHOT_FIELDS = (
    "kind",
    "ref_id",
    "label",
    "address",
    "area_path",
    "lat",
    "lng",
    "earliest",
    "latest",
    "service",
    "priority",
    "skill",
    "size",
)


def snapshot_of(visit: QueueVisit, planned: pm.Visit) -> dict[str, object]:
    """The stored copy of a visit, with the window the planner used."""
    return {
        "kind": visit.kind,
        "ref_id": visit.ref_id,
        "label": visit.label,
        "address": visit.address,
        "area_path": visit.area_path,
        "lat": visit.lat,
        "lng": visit.lng,
        "earliest": planned.earliest,
        "latest": min(planned.latest, DAY_END),
        "service": planned.service,
        "priority": planned.priority,
        "skill": visit.skill,
        "size": visit.size,
    }


def store(plan: Plan, day: Day, result: pm.Plan) -> None:
    """Write ``result`` (solved from ``day``) under ``plan``: routes, stops, unserved."""
    planned = {v.id: v for v in day.request.visits}
    routes: dict[str, PlanRoute] = {}
    for vehicle, route in zip(day.request.vehicles, result.routes, strict=True):
        routes[vehicle.id] = PlanRoute(
            plan=plan,
            vehicle=day.vehicles[vehicle.id],
            depot_lat=vehicle.depot.lat,
            depot_lng=vehicle.depot.lng,
            capacity=vehicle.capacity,
            shift_start=vehicle.shift_start,
            shift_end=vehicle.shift_end,
            cost_per_km=vehicle.cost_per_km,
            skills=sorted(vehicle.skills),
            areas=sorted(vehicle.areas),
            strict=vehicle.area_policy == "strict",
            end=route.end,
            distance=route.distance,
            load=route.load,
        )
    PlanRoute.objects.bulk_create(routes.values())
    stops = []
    for route in result.routes:
        for seq, stop in enumerate(route.stops, start=1):
            visit = day.visits[stop.visit_id]
            stops.append(
                PlanStop(
                    plan=plan,
                    route=routes[route.vehicle_id],
                    seq=seq,
                    **_times(stop),
                    **snapshot_of(visit, planned[stop.visit_id]),
                )
            )
    PlanStop.objects.bulk_create(stops, batch_size=1000)
    PlanUnserved.objects.bulk_create(
        [
            PlanUnserved(
                plan=plan,
                reason=str(u.reason),
                detail=u.detail[:300],
                **snapshot_of(day.visits[u.visit_id], planned[u.visit_id]),
            )
            for u in result.unserved
        ],
        batch_size=1000,
    )


def _times(stop: pm.Stop) -> dict[str, int]:
    return {
        "arrival": stop.arrival,
        "start": stop.start,
        "departure": stop.departure,
        "cum_distance": stop.cum_distance,
    }


@dataclass
class Loaded:
    """A stored plan as the planner sees it."""

    request: pm.PlanRequest
    plan: pm.Plan
    routes: dict[str, PlanRoute]  # by planner vehicle id
    stops: dict[str, PlanStop]  # by visit key
    unserved: dict[str, PlanUnserved]


def planner_visit_of(row: VisitSnapshot, labels: Iterable[str]) -> pm.Visit:
    from lifeline.teams.problem import label_of

    return pm.Visit(
        id=row.key,
        location=Point.geo(lat=row.lat, lng=row.lng),
        service=row.service,
        earliest=row.earliest,
        latest=row.latest,
        priority=row.priority,
        skill=row.skill or None,
        size=row.size,
        area=label_of(row.area_path, sorted(labels)),
        kind=row.kind,
    )


def load(plan: Plan) -> Loaded:
    route_rows = list(plan.routes.select_related("vehicle").order_by("pk"))
    stop_rows = list(plan.stops.order_by("route_id", "seq"))
    unserved_rows = list(plan.unserved.order_by("pk"))
    labels = sorted({a for r in route_rows for a in r.areas})
    vehicles = tuple(
        pm.Vehicle(
            id=str(r.vehicle_id),
            depot=Point.geo(lat=r.depot_lat, lng=r.depot_lng),
            capacity=r.capacity,
            shift_start=r.shift_start,
            shift_end=r.shift_end,
            cost_per_km=r.cost_per_km,
            skills=frozenset(r.skills),
            areas=frozenset(r.areas),
            area_policy="strict" if r.strict else None,
        )
        for r in route_rows
    )
    visits = [planner_visit_of(s, labels) for s in [*stop_rows, *unserved_rows]]
    by_route: dict[int, list[PlanStop]] = {r.pk: [] for r in route_rows}
    for s in stop_rows:
        by_route[s.route_id].append(s)
    routes = tuple(
        pm.Route(
            vehicle_id=str(r.vehicle_id),
            stops=tuple(
                pm.Stop(s.key, s.arrival, s.start, s.departure, s.cum_distance)
                for s in by_route[r.pk]
            ),
            start=r.shift_start,
            end=r.end if by_route[r.pk] else r.shift_start,
            distance=r.distance,
            load=r.load,
        )
        for r in route_rows
    )
    unserved = tuple(
        pm.Unserved(u.key, pm.Reason(u.reason), u.detail)
        if u.reason in pm.Reason.__members__.values()
        else pm.Unserved(u.key, pm.Reason.DROPPED_BY_SOLVER, u.detail)
        for u in unserved_rows
    )
    request = pm.PlanRequest(
        vehicles=vehicles,
        visits=tuple(visits),
        area_policy="neighbours" if plan.help_neighbours else "strict",
        neighbours={k: frozenset(v) for k, v in (plan.neighbours or {}).items()},
    )
    return Loaded(
        request=request,
        plan=pm.Plan(routes=routes, unserved=unserved),
        routes={str(r.vehicle_id): r for r in route_rows},
        stops={s.key: s for s in stop_rows},
        unserved={u.key: u for u in unserved_rows},
    )


def write_routes(
    plan: Plan,
    loaded: Loaded,
    changed: Iterable[pm.Route],
    new_stops: Mapping[str, dict[str, object]] | None = None,
) -> None:
    """Make the stored routes ``changed`` match the planner's: order, times, distances.

    Stops keep their rows (and what was recorded at them) when they move; ``new_stops``
    gives the snapshot of visits not yet on any route. Renumbering goes through negative
    sequence numbers so the (route, seq) constraint holds after every statement.
    """
    changed = list(changed)
    moved: list[PlanStop] = []
    created: list[PlanStop] = []
    for route in changed:
        row = loaded.routes[route.vehicle_id]
        row.end, row.distance, row.load = (
            route.end if route.stops else row.shift_start,
            route.distance,
            route.load,
        )
        for seq, stop in enumerate(route.stops, start=1):
            existing = loaded.stops.get(stop.visit_id)
            if existing is None:
                assert new_stops is not None and stop.visit_id in new_stops
                created.append(
                    PlanStop(
                        plan=plan, route=row, seq=seq, **_times(stop), **new_stops[stop.visit_id]
                    )
                )
                continue
            existing.route = row
            existing.seq = seq
            for name, value in _times(stop).items():
                setattr(existing, name, value)
            moved.append(existing)
    PlanRoute.objects.bulk_update(
        [loaded.routes[r.vehicle_id] for r in changed], ["end", "distance", "load"]
    )
    if moved:
        # Out of the way first (distinct within each route, below every live number), so
        # no row-by-row check of the final numbering can meet a number about to be freed.
        PlanStop.objects.filter(pk__in=[s.pk for s in moved]).update(seq=F("seq") - RENUMBER)
        PlanStop.objects.bulk_update(
            moved, ["route", "seq", "arrival", "start", "departure", "cum_distance"]
        )
    PlanStop.objects.bulk_create(created)


def at_seconds(plan: Plan, moment: dt.datetime) -> int:
    """``moment`` as seconds after the plan day's local midnight."""
    return int((moment - plan.at(0)).total_seconds())
