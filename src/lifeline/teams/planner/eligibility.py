"""Which vehicles may serve which visit, and which visits no vehicle can serve at all.

Shared by the optimiser, the by-hand baseline and the insertion of urgent visits, so that all
three give the same reason for the same impossible visit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lifeline.teams.planner.distances import DistanceProvider
from lifeline.teams.planner.model import PlanRequest, Reason, Unserved, Vehicle, Visit


@dataclass(frozen=True)
class Screening:
    """``eligible[visit_id]`` lists (ascending) the indices of request vehicles that could
    serve that visit on an otherwise empty day; it is non-empty for every visit it holds.
    Visits without any such vehicle are in ``unserved`` instead, never in both."""

    eligible: dict[str, tuple[int, ...]]
    unserved: list[Unserved]


class AreaIndex:
    """Vehicle indices by skill and by area, cached per (skill, area) pair."""

    def __init__(self, *, vehicles: Sequence[Vehicle], areas_of: Sequence[frozenset[str]]):
        self.vehicles = vehicles
        self._all = frozenset(range(len(vehicles)))
        self._by_skill: dict[str, set[int]] = {}
        self._by_area: dict[str, set[int]] = {}
        self._anywhere: set[int] = set()
        for i, (vehicle, areas) in enumerate(zip(vehicles, areas_of, strict=True)):
            for skill in vehicle.skills:
                self._by_skill.setdefault(skill, set()).add(i)
            if not areas:
                self._anywhere.add(i)
            for area in areas:
                self._by_area.setdefault(area, set()).add(i)
        self._cache: dict[tuple[str | None, str | None], tuple[frozenset[int], frozenset[int]]] = {}

    def candidates(self, *, visit: Visit) -> tuple[frozenset[int], frozenset[int]]:
        """(vehicles with the skill, those of them allowed in the visit's area)."""
        key = (visit.skill, visit.area)
        if key not in self._cache:
            skilled = (
                self._all
                if visit.skill is None
                else frozenset(self._by_skill.get(visit.skill, set()))
            )
            if visit.area is None:
                placed = skilled
            else:
                placed = skilled & (self._by_area.get(visit.area, set()) | self._anywhere)
            self._cache[key] = (skilled, placed)
        return self._cache[key]


def area_index(*, request: PlanRequest, own_areas_only: bool = False) -> AreaIndex:
    """Index the request's vehicles; ``own_areas_only`` ignores the neighbours policy."""
    areas = [
        v.areas if own_areas_only else request.allowed_areas(vehicle=v) for v in request.vehicles
    ]
    return AreaIndex(vehicles=request.vehicles, areas_of=areas)


def screen(
    *,
    request: PlanRequest,
    distances: DistanceProvider,
    visits: Sequence[Visit] | None = None,
    own_areas_only: bool = False,
) -> Screening:
    """Classify ``visits`` (default: the request's) as servable-alone or unserved with a reason.

    Reasons are checked in a fixed order (skill, area, capacity, time window) so a visit gets
    the first obstacle a dispatcher would have to remove. Raises ValueError on duplicate ids.
    """
    todo = list(request.visits if visits is None else visits)
    _check_unique(request)
    index = area_index(request=request, own_areas_only=own_areas_only)
    vehicles = request.vehicles
    depots = sorted({v.depot for v in vehicles}, key=lambda p: (p.x, p.y))
    depot_of = {p: k for k, p in enumerate(depots)}
    eligible: dict[str, tuple[int, ...]] = {}
    unserved: list[Unserved] = []
    if not todo:
        return Screening(eligible=eligible, unserved=unserved)
    points = [v.location for v in todo]
    if depots:
        out = distances.matrix(origins=depots, destinations=points).duration
        back = distances.matrix(origins=points, destinations=depots).duration
    for j, visit in enumerate(todo):
        skilled, placed = index.candidates(visit=visit)
        if not skilled:
            unserved.append(
                Unserved(
                    visit.id,
                    Reason.NO_VEHICLE_WITH_SKILL,
                    f"no vehicle has the skill {visit.skill!r}"
                    if visit.skill
                    else "there are no vehicles",
                )
            )
            continue
        if not placed:
            unserved.append(
                Unserved(
                    visit.id,
                    Reason.OUTSIDE_SERVICE_AREAS,
                    f"no vehicle{_with(visit.skill)} serves area {visit.area!r}",
                )
            )
            continue
        roomy = [i for i in sorted(placed) if vehicles[i].capacity >= visit.size]
        if not roomy:
            biggest = max(vehicles[i].capacity for i in placed)
            unserved.append(
                Unserved(
                    visit.id,
                    Reason.CAPACITY,
                    f"size {visit.size} exceeds the largest allowed vehicle ({biggest})",
                )
            )
            continue
        reachable = []
        for i in roomy:
            v = vehicles[i]
            k = depot_of[v.depot]
            start = max(v.shift_start + int(out[k, j]), visit.earliest)
            if start <= visit.latest and start + visit.service + int(back[j, k]) <= v.shift_end:
                reachable.append(i)
        if not reachable:
            unserved.append(
                Unserved(
                    visit.id,
                    Reason.TIME_WINDOW_UNREACHABLE,
                    "even a direct trip from the depot cannot start service in the window "
                    f"[{_clock(visit.earliest)}, {_clock(visit.latest)}] and be back by "
                    "the end of the shift",
                )
            )
            continue
        eligible[visit.id] = tuple(reachable)
    return Screening(eligible=eligible, unserved=unserved)


def _check_unique(request: PlanRequest) -> None:
    for what, ids in (
        ("vehicle", [v.id for v in request.vehicles]),
        ("visit", [v.id for v in request.visits]),
    ):
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate {what} ids in the plan request")


def _with(skill: str | None) -> str:
    return "" if skill is None else f" with the skill {skill!r}"


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"
