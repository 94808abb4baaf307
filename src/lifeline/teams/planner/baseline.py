"""The "by-hand" plan a dispatcher would make, to measure the optimiser against.

Each vehicle works only its own service areas (whatever the request's area policy says) and
builds its day one stop at a time: from where it is, go to the feasible visit where service can
start soonest (ties: the nearer one). Feasible means it fits the remaining capacity, service can
start within the window, and the team can still get back to the depot by the end of its shift.
Vehicles take their turn in request order; what nobody reached stays unserved.
"""

from __future__ import annotations

import time

from lifeline.teams.planner.distances import DistanceProvider
from lifeline.teams.planner.eligibility import screen
from lifeline.teams.planner.model import Plan, PlanRequest, Reason, Route, Unserved, Vehicle, Visit
from lifeline.teams.planner.schedule import make_route

LEFT_TEXT = "feasible on its own, but its area's teams had no time or room left for it"


def plan_by_hand(*, request: PlanRequest, distances: DistanceProvider) -> Plan:
    """Greedy own-area plan. Same invariants as the optimised plan (feasible routes, every
    visit on one route or unserved once); only the quality differs."""
    began = time.perf_counter()
    screening = screen(request=request, distances=distances, own_areas_only=True)
    mine: list[list[Visit]] = [[] for _ in request.vehicles]
    for visit in request.visits:
        for i in screening.eligible.get(visit.id, ()):
            mine[i].append(visit)
    taken: set[str] = set()
    routes = []
    for vehicle, candidates in zip(request.vehicles, mine, strict=True):
        chosen = _greedy_day(
            vehicle=vehicle,
            candidates=[c for c in candidates if c.id not in taken],
            distances=distances,
        )
        taken.update(v.id for v in chosen)
        routes.append(_timed(vehicle=vehicle, visits=chosen, distances=distances))
    unserved = list(screening.unserved)
    unserved.extend(
        Unserved(v.id, Reason.DROPPED_BY_SOLVER, LEFT_TEXT)
        for v in request.visits
        if v.id in screening.eligible and v.id not in taken
    )
    return Plan(routes=tuple(routes), unserved=tuple(unserved), seconds=time.perf_counter() - began)


def _greedy_day(
    *, vehicle: Vehicle, candidates: list[Visit], distances: DistanceProvider
) -> list[Visit]:
    if not candidates:
        return []
    back = distances.matrix(
        origins=[c.location for c in candidates], destinations=[vehicle.depot]
    ).duration[:, 0]
    home = {c.id: int(t) for c, t in zip(candidates, back, strict=True)}
    here, clock, load = vehicle.depot, vehicle.shift_start, 0
    left = list(candidates)
    chosen: list[Visit] = []
    while True:
        left = [c for c in left if load + c.size <= vehicle.capacity]
        if not left:
            return chosen
        row = distances.matrix(origins=[here], destinations=[c.location for c in left])
        durations, dists = row.duration[0].tolist(), row.distance[0].tolist()
        best: tuple[int, int, int] | None = None
        for k, visit in enumerate(left):
            start = max(clock + durations[k], visit.earliest)
            if start > visit.latest or start + visit.service + home[visit.id] > vehicle.shift_end:
                continue
            if best is None or (start, dists[k]) < best[:2]:
                best = (start, dists[k], k)
        if best is None:
            return chosen
        visit = left.pop(best[2])
        chosen.append(visit)
        here, clock, load = visit.location, best[0] + visit.service, load + visit.size


def _timed(*, vehicle: Vehicle, visits: list[Visit], distances: DistanceProvider) -> Route:
    matrix = distances.matrix(origins=[vehicle.depot, *(v.location for v in visits)])
    return make_route(
        vehicle=vehicle,
        visits=visits,
        nodes=list(range(1, len(visits) + 1)),
        depot=0,
        matrix=matrix,
    )
