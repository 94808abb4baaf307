"""Optimised plan for a day of door-to-door visits, solved with PyVRP.

How skills and service areas are modelled: PyVRP (0.14) has no "allowed vehicles" on a client,
but each vehicle type can have its own routing *profile* (distance and duration matrices). The
vehicles of a subproblem are grouped into vehicle types, and every distinct set of servable
visits gets one profile in which the edges into and out of the visits it must not serve cost
``MAX_VALUE`` in distance and in duration. Such an edge breaks the shift end (time warp), so a
route using it is infeasible and never returned as a feasible best solution; it would also cost
far more than the visit's prize, so dropping the visit is always cheaper. Every returned route
is still re-checked (eligibility, windows, capacity, shift) and repaired by dropping stops, so
an infeasible solver answer can never reach a team.

Visits are optional clients whose prize exceeds any detour they can cause (more for higher
priority), so the solver serves every visit it can fit and drops the least urgent first.

Large days are decomposed: vehicles that can never share a visit are solved apart (exact), and a
group still larger than ``max_subproblem`` visits is cut into chunks of neighbouring areas,
each vehicle going to the chunk holding most of its own areas' visits (a heuristic). Visits a
chunk cannot take, and visits the solver dropped, are then offered to every allowed vehicle by
cheapest insertion before being reported as ``dropped_by_solver``.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pyvrp
from pyvrp.constants import MAX_VALUE
from pyvrp.stop import MaxRuntime

from lifeline.teams.planner.distances import UNREACHABLE, DistanceProvider, Matrix
from lifeline.teams.planner.eligibility import Screening, screen
from lifeline.teams.planner.insert import PlanEditor
from lifeline.teams.planner.model import Plan, PlanRequest, Reason, Route, Unserved, Visit
from lifeline.teams.planner.schedule import make_feasible

DROPPED_TEXT = (
    "feasible on its own, but it did not fit into any allowed vehicle's day "
    "(capacity, shift length or other visits' windows)"
)


class _TypeKey(NamedTuple):
    depot: int
    capacity: int
    shift_start: int
    shift_end: int
    unit: int
    servable: tuple[int, ...]


@dataclass
class Part:
    """A subproblem: vehicle indices, their visits, and per visit the allowed vehicles."""

    vehicles: list[int]
    visits: list[Visit]
    allowed: dict[str, tuple[int, ...]]


def solve(*, request: PlanRequest, distances: DistanceProvider) -> Plan:
    """Plan the day. Invariants of the result: one route per request vehicle in request order;
    every route feasible (skills, areas under the request's policy, windows, capacity, back by
    shift end); every visit either on exactly one route or in ``unserved`` with a reason.
    ``request.time_limit`` is shared out among the subproblems by size (each gets at least
    0.05 s, so a tiny limit over many subproblems can be exceeded slightly).
    """
    began = time.perf_counter()
    deadline = began + request.time_limit
    screening = screen(request=request, distances=distances)
    parts, leftovers = partition(request=request, screening=screening)
    routes: dict[int, Route] = {}
    remaining = sum(len(p.visits) for p in parts)
    for n, part in enumerate(sorted(parts, key=lambda p: -len(p.visits))):
        share = len(part.visits) / max(1, remaining)
        budget = max(0.05, (deadline - time.perf_counter()) * share)
        remaining -= len(part.visits)
        solved, dropped = solve_part(
            request=request, part=part, distances=distances, seconds=budget, seed=request.seed + n
        )
        routes.update(solved)
        leftovers.extend(dropped)
    editor = PlanEditor(
        vehicles=request.vehicles,
        routes=[routes[i] for i in sorted(routes)],
        visits={v.id: v for v in request.visits},
        distances=distances,
    )
    unserved = list(screening.unserved)
    for visit in sorted(leftovers, key=lambda v: (-v.priority, v.id)):
        if editor.insert(visit=visit, vehicles=screening.eligible[visit.id]) is None:
            unserved.append(Unserved(visit.id, Reason.DROPPED_BY_SOLVER, DROPPED_TEXT))
    return Plan(
        routes=tuple(editor.routes),
        unserved=tuple(unserved),
        seconds=time.perf_counter() - began,
    )


def partition(*, request: PlanRequest, screening: Screening) -> tuple[list[Part], list[Visit]]:
    """Split into independent subproblems; also returns visits no chunk could take."""
    parent = list(range(len(request.vehicles)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for allowed in screening.eligible.values():
        first = root(allowed[0])
        for other in allowed[1:]:
            parent[root(other)] = first
    groups: dict[int, list[Visit]] = defaultdict(list)
    for visit in request.visits:
        if visit.id in screening.eligible:
            groups[root(screening.eligible[visit.id][0])].append(visit)
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(len(request.vehicles)):
        members[root(i)].append(i)
    parts: list[Part] = []
    leftovers: list[Visit] = []
    for key, visits in groups.items():
        part = Part(members[key], visits, {v.id: screening.eligible[v.id] for v in visits})
        if len(visits) <= request.max_subproblem:
            parts.append(part)
        else:
            chunks, spilled = _split(request=request, part=part)
            parts.extend(chunks)
            leftovers.extend(spilled)
    return parts, leftovers


def _split(*, request: PlanRequest, part: Part) -> tuple[list[Part], list[Visit]]:
    """Cut an oversized group into chunks of neighbouring areas (breadth-first order)."""
    by_area: dict[str | None, list[Visit]] = defaultdict(list)
    for visit in part.visits:
        by_area[visit.area].append(visit)
    named = sorted(a for a in by_area if a is not None)
    order: list[str | None] = []
    seen: set[str] = set()
    for seed in named:
        queue = [seed] if seed not in seen else []
        seen.update(queue)
        while queue:
            current = queue.pop(0)
            order.append(current)
            for nxt in sorted(request.neighbours.get(current, frozenset())):
                if nxt in by_area and nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
    if None in by_area:
        order.append(None)
    chunk_of: dict[str | None, int] = {}
    size = 0
    chunk = 0
    for key in order:
        if size and size + len(by_area[key]) > request.max_subproblem:
            chunk, size = chunk + 1, 0
        chunk_of[key] = chunk
        size += len(by_area[key])
    n_chunks = chunk + 1
    vehicles_of: list[list[int]] = [[] for _ in range(n_chunks)]
    for i in part.vehicles:
        votes = [0] * n_chunks
        owned: set[str | None] = set(request.vehicles[i].areas or by_area.keys())
        for key in owned & chunk_of.keys():
            votes[chunk_of[key]] += len(by_area[key])
        vehicles_of[max(range(n_chunks), key=lambda c: (votes[c], -c))].append(i)
    chunks = [Part(vehicles_of[c], [], {}) for c in range(n_chunks)]
    spilled: list[Visit] = []
    for visit in part.visits:
        target = chunks[chunk_of[visit.area]]
        mine = set(target.vehicles)
        allowed = tuple(i for i in part.allowed[visit.id] if i in mine)
        if allowed:
            target.visits.append(visit)
            target.allowed[visit.id] = allowed
        else:
            spilled.append(visit)
    return [c for c in chunks if c.visits], spilled


def solve_part(
    *, request: PlanRequest, part: Part, distances: DistanceProvider, seconds: float, seed: int
) -> tuple[dict[int, Route], list[Visit]]:
    """Solve one subproblem with PyVRP; returns feasible routes by vehicle index and the
    visits the solver (or the feasibility repair) left out."""
    vehicles = [request.vehicles[i] for i in part.vehicles]
    depots = list(dict.fromkeys(v.depot for v in vehicles))
    nd = len(depots)
    points = [*depots, *(v.location for v in part.visits)]
    matrix = distances.matrix(origins=points)
    column = {visit.id: nd + c for c, visit in enumerate(part.visits)}

    servable: dict[int, list[int]] = defaultdict(list)
    for c, visit in enumerate(part.visits):
        for i in part.allowed[visit.id]:
            servable[i].append(c)
    min_cost = min((v.cost_per_km for v in request.vehicles if v.cost_per_km > 0), default=1.0)
    types: dict[_TypeKey, list[int]] = defaultdict(list)
    for i, vehicle in zip(part.vehicles, vehicles, strict=True):
        key = _TypeKey(
            depot=depots.index(vehicle.depot),
            capacity=vehicle.capacity,
            shift_start=vehicle.shift_start,
            shift_end=vehicle.shift_end,
            unit=max(1, round(10 * vehicle.cost_per_km / min_cost)),
            servable=tuple(servable[i]),
        )
        types[key].append(i)
    signatures = list(dict.fromkeys(key.servable for key in types))

    model = pyvrp.Model()
    locations = [model.add_location(x=p.x, y=p.y) for p in points]
    depot_objs = [model.add_depot(locations[k]) for k in range(nd)]
    profiles = [model.add_profile() for _ in signatures] if len(signatures) > 1 else []
    type_members: list[list[int]] = []
    max_unit = 1
    for key, members in types.items():
        max_unit = max(max_unit, key.unit)
        model.add_vehicle_type(
            num_available=len(members),
            capacity=key.capacity,
            start_depot=depot_objs[key.depot],
            end_depot=depot_objs[key.depot],
            tw_early=key.shift_start,
            tw_late=key.shift_end,
            unit_distance_cost=key.unit,
            profile=profiles[signatures.index(key.servable)] if profiles else None,
        )
        type_members.append(members)
    finite = matrix.distance[matrix.distance < UNREACHABLE]
    prize_unit = 2 * int(finite.max(initial=0)) * max_unit + 1
    for c, visit in enumerate(part.visits):
        model.add_client(
            locations[nd + c],
            delivery=visit.size,
            service_duration=visit.service,
            tw_early=visit.earliest,
            tw_late=visit.latest,
            prize=min(MAX_VALUE // 4, prize_unit * (1 + max(0, visit.priority))),
            required=request.require_all,
        )
    data = model.data()
    dist_ms, dur_ms = _profile_matrices(matrix, signatures, nd, len(part.visits))
    data = data.replace(distance_matrices=dist_ms, duration_matrices=dur_ms)
    result = pyvrp.solve(
        data, stop=MaxRuntime(seconds), seed=seed, collect_stats=False, display=False
    )

    assigned: dict[int, list[int]] = {}
    used = [0] * len(type_members)
    for found in result.best.routes():
        t = found.vehicle_type()
        assigned[type_members[t][used[t]]] = [a.idx for a in found if a.is_client()]
        used[t] += 1
    routes: dict[int, Route] = {}
    dropped: list[Visit] = []
    planned: set[str] = set()
    for i, vehicle in zip(part.vehicles, vehicles, strict=True):
        clients = assigned.get(i, [])
        ok = [c for c in clients if i in part.allowed[part.visits[c].id]]
        dropped.extend(part.visits[c] for c in clients if c not in ok)
        route, removed = make_feasible(
            vehicle=vehicle,
            visits=[part.visits[c] for c in ok],
            nodes=[column[part.visits[c].id] for c in ok],
            depot=depots.index(vehicle.depot),
            matrix=matrix,
        )
        routes[i] = route
        dropped.extend(removed)
        planned.update(s.visit_id for s in route.stops)
    seen = planned | {v.id for v in dropped}
    dropped.extend(v for v in part.visits if v.id not in seen)
    return routes, dropped


def _profile_matrices(
    matrix: Matrix, signatures: Sequence[tuple[int, ...]], nd: int, n_clients: int
) -> tuple[list[Any], list[Any]]:
    """One distance and one duration matrix per profile, forbidden visits cut off."""
    dist = np.minimum(matrix.distance, MAX_VALUE)
    dur = np.minimum(matrix.duration, MAX_VALUE)
    if len(signatures) <= 1:
        return [dist], [dur]
    dist_ms: list[Any] = []
    dur_ms: list[Any] = []
    for signature in signatures:
        allowed = np.zeros(nd + n_clients, dtype=bool)
        allowed[:nd] = True
        allowed[[nd + c for c in signature]] = True
        blocked = ~allowed
        d, t = dist.copy(), dur.copy()
        for m in (d, t):
            m[blocked, :] = MAX_VALUE
            m[:, blocked] = MAX_VALUE
            np.fill_diagonal(m, 0)
        dist_ms.append(d)
        dur_ms.append(t)
    return dist_ms, dur_ms
