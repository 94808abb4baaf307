"""Put one urgent visit into a live plan without re-planning: cheapest feasible insertion.

Only the routes of vehicles allowed to serve the visit are looked at, and each of them in one
pass, using the travel times and distances already recorded in the plan (arrival minus previous
departure, differences of cumulative distance). The only provider call is one row and one
column between the new visit and those routes' stops, so a 10,000-visit day takes milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from lifeline.teams.planner.distances import DistanceProvider
from lifeline.teams.planner.eligibility import screen
from lifeline.teams.planner.model import (
    Plan,
    PlanRequest,
    Reason,
    Route,
    Stop,
    Unserved,
    Vehicle,
    Visit,
)


@dataclass(frozen=True)
class Insertion:
    """The new plan. When the visit did not fit, ``unserved`` says why (and is in the plan's
    ``unserved`` too) and ``vehicle_id`` is None."""

    plan: Plan
    vehicle_id: str | None
    position: int | None
    added_distance: int
    unserved: Unserved | None


@dataclass(frozen=True, slots=True)
class _Option:
    cost: float
    delay: int
    vehicle: int
    position: int
    arrival: int
    d_in: int
    d_out: int
    t_out: int
    added: int


class PlanEditor:
    """A working copy of a plan's routes that single visits can be inserted into.

    Invariant kept by every insertion: each route's earliest schedule stays feasible
    (windows, capacity, return by shift end) and keeps arrival = previous departure + travel.
    ``frozen`` maps a vehicle id to how many of its first stops are fixed (already visited):
    nothing is inserted before them.
    """

    def __init__(
        self,
        *,
        vehicles: Sequence[Vehicle],
        routes: Sequence[Route],
        visits: Mapping[str, Visit],
        distances: DistanceProvider,
        frozen: Mapping[str, int] | None = None,
    ) -> None:
        by_id = {r.vehicle_id: r for r in routes}
        self.frozen = dict(frozen or {})
        self.vehicles = list(vehicles)
        self.routes = [by_id.get(v.id) or _empty(v) for v in self.vehicles]
        self.visits = dict(visits)
        self.distances = distances

    def best_option(self, *, visit: Visit, vehicles: Iterable[int]) -> _Option | None:
        """The cheapest feasible (vehicle index, position) for ``visit``, or None."""
        candidates = [
            i for i in vehicles if self.routes[i].load + visit.size <= self.vehicles[i].capacity
        ]
        if not candidates:
            return None
        points = []
        for i in candidates:
            points.append(self.vehicles[i].depot)
            points.extend(self.visits[s.visit_id].location for s in self.routes[i].stops)
        out = self.distances.matrix(origins=[visit.location], destinations=points)
        back = self.distances.matrix(origins=points, destinations=[visit.location])
        d_to, t_to = out.distance[0].tolist(), out.duration[0].tolist()
        d_from, t_from = back.distance[:, 0].tolist(), back.duration[:, 0].tolist()
        best: _Option | None = None
        base = 0
        for i in candidates:
            option = self._best_in_route(i, visit, base, d_to, t_to, d_from, t_from)
            base += 1 + len(self.routes[i].stops)
            if option is not None and (
                best is None
                or (option.cost, option.delay)
                < (
                    best.cost,
                    best.delay,
                )
            ):
                best = option
        return best

    def _best_in_route(
        self,
        i: int,
        visit: Visit,
        base: int,
        d_to: list[int],
        t_to: list[int],
        d_from: list[int],
        t_from: list[int],
    ) -> _Option | None:
        vehicle, route = self.vehicles[i], self.routes[i]
        stops = route.stops
        n = len(stops)
        latest = self._latest_starts(vehicle, route)
        best: _Option | None = None
        for k in range(min(n, self.frozen.get(vehicle.id, 0)), n + 1):
            # Matrix slot base is the depot, base + 1 + m is stop m.
            prev_slot = base if k == 0 else base + k
            next_slot = base if k == n else base + 1 + k
            prev_dep = route.start if k == 0 else stops[k - 1].departure
            prev_cum = 0 if k == 0 else stops[k - 1].cum_distance
            next_cum = route.distance if k == n else stops[k].cum_distance
            arrival = prev_dep + t_from[prev_slot]
            start = max(arrival, visit.earliest)
            if start > visit.latest:
                continue
            next_arrival = start + visit.service + t_to[next_slot]
            if k == n:
                if next_arrival > vehicle.shift_end:
                    continue
                delay = 0
            else:
                nxt = self.visits[stops[k].visit_id]
                if max(next_arrival, nxt.earliest) > latest[k]:
                    continue
                delay = max(0, next_arrival - stops[k].arrival)
            added = d_from[prev_slot] + d_to[next_slot] - (next_cum - prev_cum)
            cost = added * vehicle.cost_per_km
            if best is None or (cost, delay) < (best.cost, best.delay):
                best = _Option(
                    cost=cost,
                    delay=delay,
                    vehicle=i,
                    position=k,
                    arrival=arrival,
                    d_in=d_from[prev_slot],
                    d_out=d_to[next_slot],
                    t_out=t_to[next_slot],
                    added=added,
                )
        return best

    def _latest_starts(self, vehicle: Vehicle, route: Route) -> list[int]:
        """Latest service start at each stop that keeps every later stop and the return
        in time, given the travel times recorded in the route."""
        stops = route.stops
        latest = [0] * len(stops)
        limit, prev_arrival = vehicle.shift_end, route.end
        for m in range(len(stops) - 1, -1, -1):
            stop = stops[m]
            visit = self.visits[stop.visit_id]
            travel = prev_arrival - stop.departure
            latest[m] = min(visit.latest, limit - travel - visit.service)
            limit, prev_arrival = latest[m], stop.arrival
        return latest

    def apply(self, *, visit: Visit, option: _Option) -> None:
        """Insert ``visit`` as ``option`` says and re-time the stops after it."""
        i, k = option.vehicle, option.position
        vehicle, route = self.vehicles[i], self.routes[i]
        old = route.stops
        prev_cum = 0 if k == 0 else old[k - 1].cum_distance
        start = max(option.arrival, visit.earliest)
        new = Stop(visit.id, option.arrival, start, start + visit.service, prev_cum + option.d_in)
        stops = [*old[:k], new]
        time, cum = new.departure, new.cum_distance
        travel_next, dist_next = option.t_out, option.d_out
        for m in range(k, len(old)):
            stop = old[m]
            arrival = time + travel_next
            cum += dist_next
            begin = max(arrival, self.visits[stop.visit_id].earliest)
            service = stop.departure - stop.start
            stops.append(Stop(stop.visit_id, arrival, begin, begin + service, cum))
            if m + 1 < len(old):
                travel_next = old[m + 1].arrival - stop.departure
                dist_next = old[m + 1].cum_distance - stop.cum_distance
            else:
                travel_next = route.end - stop.departure
                dist_next = route.distance - stop.cum_distance
            time = begin + service
        end = time + travel_next
        self.visits[visit.id] = visit
        self.routes[i] = Route(
            vehicle.id,
            tuple(stops),
            vehicle.shift_start,
            end,
            cum + dist_next,
            route.load + visit.size,
        )

    def insert(self, *, visit: Visit, vehicles: Iterable[int]) -> _Option | None:
        """Insert at the cheapest feasible place; None (and no change) if there is none."""
        option = self.best_option(visit=visit, vehicles=vehicles)
        if option is not None:
            self.apply(visit=visit, option=option)
        return option


def _empty(vehicle: Vehicle) -> Route:
    return Route(vehicle.id, (), vehicle.shift_start, vehicle.shift_start, 0, 0)


def insert_visit(
    *,
    plan: Plan,
    request: PlanRequest,
    visit: Visit,
    distances: DistanceProvider,
    frozen: Mapping[str, int] | None = None,
) -> Insertion:
    """Insert ``visit`` (not yet in ``plan``) at the cheapest feasible place.

    Allowed vehicles follow ``request``'s skills, areas and policy. Already-planned stops keep
    their order and stay within their windows, capacity and shift; they may only be pushed
    later, and none is displaced, however urgent the new visit. ``frozen`` (vehicle id ->
    number of leading stops already visited) keeps the visit after those stops.

    Raises ValueError if the visit id is already planned or listed as unserved, or if the plan
    has stops that ``request.visits`` lacks (add earlier insertions to the request).
    """
    visits = {v.id: v for v in request.visits}
    planned = {s.visit_id for r in plan.routes for s in r.stops}
    if visit.id in planned or any(u.visit_id == visit.id for u in plan.unserved):
        raise ValueError(f"visit {visit.id!r} is already in the plan")
    unknown = planned - visits.keys()
    if unknown:
        raise ValueError(f"plan stops missing from the request's visits: {sorted(unknown)[:5]}")
    screening = screen(request=request, distances=distances, visits=[visit])
    unserved: Unserved | None = screening.unserved[0] if screening.unserved else None
    option = None
    if unserved is None:
        editor = PlanEditor(
            vehicles=request.vehicles,
            routes=plan.routes,
            visits=visits,
            distances=distances,
            frozen=frozen,
        )
        option = editor.insert(visit=visit, vehicles=screening.eligible[visit.id])
        if option is not None:
            return Insertion(
                plan=replace(plan, routes=tuple(editor.routes)),
                vehicle_id=request.vehicles[option.vehicle].id,
                position=option.position,
                added_distance=option.added,
                unserved=None,
            )
        unserved = Unserved(
            visit.id,
            Reason.DROPPED_BY_SOLVER,
            "feasible on its own, but no allowed vehicle can fit it in without breaking a "
            "planned window, its capacity or its shift",
        )
    return Insertion(
        plan=replace(plan, unserved=(*plan.unserved, unserved)),
        vehicle_id=None,
        position=None,
        added_distance=0,
        unserved=unserved,
    )
