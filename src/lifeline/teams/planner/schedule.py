"""Turn an ordered list of visits into a timed :class:`Route`, and make it feasible.

Schedules are "leave the depot at shift start, wait at a door if early": the earliest
schedule is feasible whenever any schedule for that order is, so checking it is enough.
"""

from __future__ import annotations

from collections.abc import Sequence

from lifeline.teams.planner.distances import Matrix
from lifeline.teams.planner.model import Route, Stop, Vehicle, Visit


def make_route(
    *,
    vehicle: Vehicle,
    visits: Sequence[Visit],
    nodes: Sequence[int],
    depot: int,
    matrix: Matrix,
) -> Route:
    """Time ``visits`` in the given order; ``nodes[k]`` is ``visits[k]``'s matrix index.

    Does not check feasibility: see :func:`first_violation` and :func:`make_feasible`.
    """
    dist, dur = matrix.distance, matrix.duration
    stops: list[Stop] = []
    time, km, here = vehicle.shift_start, 0, depot
    for visit, node in zip(visits, nodes, strict=True):
        arrival = time + int(dur[here, node])
        km += int(dist[here, node])
        start = max(arrival, visit.earliest)
        time = start + visit.service
        stops.append(Stop(visit.id, arrival, start, time, km))
        here = node
    if not stops:
        return Route(vehicle.id, (), vehicle.shift_start, vehicle.shift_start, 0, 0)
    end = time + int(dur[here, depot])
    km += int(dist[here, depot])
    load = sum(v.size for v in visits)
    return Route(vehicle.id, tuple(stops), vehicle.shift_start, end, km, load)


def first_violation(*, vehicle: Vehicle, visits: Sequence[Visit], route: Route) -> int | None:
    """Index of the first stop that breaks its window or the capacity, ``len(visits)`` when
    only the return to the depot is late, or None when the route is feasible."""
    load = 0
    for k, (visit, stop) in enumerate(zip(visits, route.stops, strict=True)):
        load += visit.size
        if stop.start > visit.latest or load > vehicle.capacity:
            return k
    if route.end > vehicle.shift_end:
        return len(visits)
    return None


def make_feasible(
    *,
    vehicle: Vehicle,
    visits: Sequence[Visit],
    nodes: Sequence[int],
    depot: int,
    matrix: Matrix,
) -> tuple[Route, list[Visit]]:
    """The route with offending stops removed, and the removed visits.

    Solvers can hand back routes with a little time warp or excess load when stopped early;
    dropping the first offending stop (or the last stop, if only the return is late) until
    nothing offends always terminates and keeps every remaining window and the capacity.
    """
    keep_v, keep_n = list(visits), list(nodes)
    dropped: list[Visit] = []
    while True:
        route = make_route(vehicle=vehicle, visits=keep_v, nodes=keep_n, depot=depot, matrix=matrix)
        bad = first_violation(vehicle=vehicle, visits=keep_v, route=route)
        if bad is None:
            return route, dropped
        bad = min(bad, len(keep_v) - 1)
        dropped.append(keep_v.pop(bad))
        keep_n.pop(bad)
