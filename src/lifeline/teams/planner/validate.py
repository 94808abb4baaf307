"""Independent check of a plan against its request: what a team would trip over.

Recomputes every leg with the distance provider rather than trusting the plan's own numbers,
so tests (and callers receiving plans from elsewhere) can rely on it.
"""

from __future__ import annotations

from collections import Counter

from lifeline.teams.planner.distances import DistanceProvider
from lifeline.teams.planner.eligibility import area_index
from lifeline.teams.planner.model import Plan, PlanRequest


def plan_violations(
    *, plan: Plan, request: PlanRequest, distances: DistanceProvider, own_areas_only: bool = False
) -> list[str]:
    """Human-readable violations; empty when the plan is feasible and complete.

    Checks: routes belong to request vehicles; each visit on at most one route and either
    planned or unserved exactly once; skills and areas (request policy, or own areas only);
    capacity; every service starts within its window; stop times follow the provider's travel
    times; each vehicle leaves no earlier than its shift start and is back by its shift end.
    """
    problems: list[str] = []
    vehicles = {v.id: (k, v) for k, v in enumerate(request.vehicles)}
    visits = {v.id: v for v in request.visits}
    index = area_index(request=request, own_areas_only=own_areas_only)
    counts = Counter(s.visit_id for r in plan.routes for s in r.stops)
    counts.update(u.visit_id for u in plan.unserved)
    for visit_id, n in counts.items():
        if n > 1:
            problems.append(f"visit {visit_id} appears {n} times")
    problems.extend(
        f"visit {vid} is neither planned nor unserved" for vid in visits if not counts[vid]
    )
    for route in plan.routes:
        if route.vehicle_id not in vehicles:
            problems.append(f"route for unknown vehicle {route.vehicle_id}")
            continue
        k, vehicle = vehicles[route.vehicle_id]
        if not route.stops:
            continue
        stops = [visits.get(s.visit_id) for s in route.stops]
        if any(v is None for v in stops):
            problems.append(f"{vehicle.id}: stop for an unknown visit")
            continue
        planned = [v for v in stops if v is not None]
        points = [vehicle.depot, *(v.location for v in planned)]
        matrix = distances.matrix(origins=points)
        clock, km, here = max(route.start, vehicle.shift_start), 0, 0
        if route.start < vehicle.shift_start:
            problems.append(f"{vehicle.id}: leaves before the shift starts")
        load = sum(v.size for v in planned)
        if load > vehicle.capacity:
            problems.append(f"{vehicle.id}: load {load} > capacity {vehicle.capacity}")
        for node, (visit, stop) in enumerate(zip(planned, route.stops, strict=True), start=1):
            if k not in index.candidates(visit=visit)[1]:
                problems.append(f"{vehicle.id}: not allowed to serve {visit.id} (skill/area)")
            arrival = clock + int(matrix.duration[here, node])
            km += int(matrix.distance[here, node])
            if stop.arrival < arrival:
                problems.append(f"{vehicle.id}: arrives at {visit.id} faster than possible")
            if stop.start < max(stop.arrival, visit.earliest) or stop.start > visit.latest:
                problems.append(
                    f"{vehicle.id}: starts {visit.id} at {stop.start}, "
                    f"window [{visit.earliest}, {visit.latest}]"
                )
            if stop.departure < stop.start + visit.service:
                problems.append(f"{vehicle.id}: leaves {visit.id} before service ends")
            if stop.cum_distance != km:
                problems.append(
                    f"{vehicle.id}: distance to {visit.id} is {km}, not {stop.cum_distance}"
                )
            clock, here = stop.departure, node
        back = clock + int(matrix.duration[here, 0])
        km += int(matrix.distance[here, 0])
        if route.end < back or route.end > vehicle.shift_end:
            problems.append(f"{vehicle.id}: back at {route.end}, shift ends {vehicle.shift_end}")
        if route.distance != km:
            problems.append(f"{vehicle.id}: route distance {route.distance}, recomputed {km}")
    return problems
