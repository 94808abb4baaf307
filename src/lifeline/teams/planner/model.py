"""Plain data for the field-team route planner: no Django, no solver types.

Units are integers throughout so that the solver, the baseline and the insertion code agree to
the unit: times are seconds since midnight of the planned day and distances are the distance
provider's unit (metres for :class:`~lifeline.teams.planner.distances.HaversineDistance` and
OSRM; for Solomon instances, tenths of a coordinate unit).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

DAY_END = 7 * 24 * 3600
"""Latest time used for "no window": a week, far past any shift, still small for int64."""

AreaPolicy = Literal["strict", "neighbours"]


@dataclass(frozen=True, slots=True)
class Point:
    """A location. Geographic points keep longitude in ``x`` and latitude in ``y``."""

    x: float
    y: float

    @classmethod
    def geo(cls, *, lat: float, lng: float) -> Point:
        return cls(x=lng, y=lat)

    @property
    def lat(self) -> float:
        return self.y

    @property
    def lng(self) -> float:
        return self.x


@dataclass(frozen=True, slots=True)
class Vehicle:
    """A field team's vehicle for one day.

    An empty ``areas`` set means the vehicle may work anywhere (e.g. a Solomon fleet).
    ``area_policy`` None follows the request's policy; "strict" keeps this vehicle in its own
    areas even when the request lets vehicles help their neighbours (a team that never helps).
    """

    id: str
    depot: Point
    capacity: int
    shift_start: int
    shift_end: int
    cost_per_km: float = 1.0
    skills: frozenset[str] = frozenset()
    areas: frozenset[str] = frozenset()
    team_id: str | None = None
    area_policy: AreaPolicy | None = None


@dataclass(frozen=True, slots=True)
class Visit:
    """One door to knock on. ``latest`` is the latest *start* of service (waiting is allowed).

    ``priority`` is larger for more urgent visits; it only matters when not everything fits.
    ``area`` None means any vehicle's service areas accept it.
    """

    id: str
    location: Point
    service: int = 0
    earliest: int = 0
    latest: int = DAY_END
    priority: int = 0
    skill: str | None = None
    size: int = 1
    area: str | None = None
    kind: str = "visit"


@dataclass(frozen=True)
class PlanRequest:
    """Everything the planner needs for one day.

    ``area_policy`` "strict": a vehicle only serves visits in its own service areas;
    "neighbours": also visits in areas that ``neighbours`` lists next to one of its own.
    ``require_all`` turns visits into hard requirements (benchmarks): the solver may then
    return nothing better than an infeasible plan, which the planner repairs by dropping stops.
    ``time_limit`` is the solver's budget in seconds for the whole day; days with more than
    ``max_subproblem`` inter-dependent visits are solved in chunks of neighbouring areas.
    """

    vehicles: tuple[Vehicle, ...]
    visits: tuple[Visit, ...]
    area_policy: AreaPolicy = "strict"
    neighbours: Mapping[str, frozenset[str]] = field(default_factory=dict)
    time_limit: float = 10.0
    seed: int = 0
    require_all: bool = False
    max_subproblem: int = 400

    def allowed_areas(self, *, vehicle: Vehicle) -> frozenset[str]:
        """The areas ``vehicle`` may work in under this request's policy, or the vehicle's own
        when it sets one (empty: anywhere)."""
        policy = vehicle.area_policy or self.area_policy
        if policy == "strict" or not vehicle.areas:
            return vehicle.areas
        extra = (self.neighbours.get(a, frozenset()) for a in vehicle.areas)
        return vehicle.areas.union(*extra)


class Reason(StrEnum):
    NO_VEHICLE_WITH_SKILL = "no_vehicle_with_skill"
    OUTSIDE_SERVICE_AREAS = "outside_service_areas"
    TIME_WINDOW_UNREACHABLE = "time_window_unreachable"
    CAPACITY = "capacity"
    DROPPED_BY_SOLVER = "dropped_by_solver"


@dataclass(frozen=True, slots=True)
class Unserved:
    visit_id: str
    reason: Reason
    detail: str


@dataclass(frozen=True, slots=True)
class Stop:
    """A planned visit. ``start`` = max(arrival, earliest); ``departure`` = start + service.

    ``cum_distance`` is the distance driven from the depot up to this stop.
    """

    visit_id: str
    arrival: int
    start: int
    departure: int
    cum_distance: int

    @property
    def cum_km(self) -> float:
        return self.cum_distance / 1000


@dataclass(frozen=True, slots=True)
class Route:
    """One vehicle's day: leaves the depot at ``start``, is back at ``end``.

    ``distance`` includes the drive back to the depot; an unused vehicle has no stops,
    zero distance and ``start == end``.
    """

    vehicle_id: str
    stops: tuple[Stop, ...]
    start: int
    end: int
    distance: int
    load: int

    @property
    def km(self) -> float:
        return self.distance / 1000


@dataclass(frozen=True)
class Plan:
    """The answer: one route per vehicle (in request order) and the visits left out.

    Invariant (checked by :func:`lifeline.teams.planner.validate.plan_violations`): every
    requested visit is either on exactly one route or listed once in ``unserved``.
    """

    routes: tuple[Route, ...]
    unserved: tuple[Unserved, ...]
    seconds: float = 0.0

    @property
    def total_distance(self) -> int:
        return sum(r.distance for r in self.routes)

    @property
    def total_km(self) -> float:
        return self.total_distance / 1000

    @property
    def served_count(self) -> int:
        return sum(len(r.stops) for r in self.routes)

    def route_of(self, visit_id: str) -> Route | None:
        for route in self.routes:
            if any(s.visit_id == visit_id for s in route.stops):
                return route
        return None
