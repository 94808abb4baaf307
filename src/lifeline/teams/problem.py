"""From the database to the planner: one team's (or one unit's) day as a ``PlanRequest``.

Service areas are area subtrees, the planner's areas are plain labels: each visit is
labelled with the deepest service-area path holding it (its own area path when no team
covers it, which the planner then reports as outside every service area), and a vehicle
carries every label lying inside its teams' areas. Areas count as neighbours when they
share a parent area.

A vehicle works its own hours, cut to its team's shift of the day (a team with shifts but
none that day stays home) and, when planning today, to the time left. Its skills are its
own and those of the members riding in it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.errors import ServiceError
from lifeline.registry.models import Area, Unit
from lifeline.teams.models import Shift, Team, TeamMember, Vehicle, local_midnight
from lifeline.teams.planner.distances import DistanceProvider, HaversineDistance, OsrmDistance
from lifeline.teams.planner.model import PlanRequest, Point
from lifeline.teams.planner.model import Vehicle as PlannerVehicle
from lifeline.teams.planner.model import Visit as PlannerVisit
from lifeline.teams.visits import QueueVisit, seconds_of, visits_for_day

MAX_VISITS = 20_000
DAY = 24 * 3600


def distance_provider() -> DistanceProvider:
    """Road distances from OSRM when the deployment names a server, else straight lines
    times a road factor. Read at call time, never at import."""
    url = getattr(settings, "ROUTING_OSRM_URL", "")
    if url:
        return OsrmDistance(base_url=url)
    return HaversineDistance(
        road_factor=float(getattr(settings, "ROUTING_ROAD_FACTOR", 1.3)),
        speed_kmh=float(getattr(settings, "ROUTING_SPEED_KMH", 25.0)),
    )


@dataclass
class Day:
    """A day to plan: the request and what its ids stand for."""

    day: dt.date
    request: PlanRequest
    visits: dict[str, QueueVisit]
    vehicles: dict[str, Vehicle]
    teams: list[Team]
    area_paths: list[str] = field(default_factory=list)


def unit_subtree(unit_id: int) -> set[int]:
    """The unit and every unit below it."""
    children: dict[int, list[int]] = defaultdict(list)
    for pk, parent in Unit.objects.exclude(parent=None).values_list("pk", "parent_id"):
        if parent is not None:
            children[parent].append(pk)
    found, frontier = {unit_id}, [unit_id]
    while frontier:
        frontier = [c for u in frontier for c in children.get(u, ()) if c not in found]
        found.update(frontier)
    return found


def common_path(paths: Sequence[str]) -> str:
    """The deepest area path above every one of ``paths`` ("" for none)."""
    if not paths:
        return ""
    split = [[p for p in path.split("/") if p] for path in paths]
    common: list[str] = []
    for parts in zip(*split, strict=False):
        if any(p != parts[0] for p in parts):
            break
        common.append(parts[0])
    return "/" + "".join(f"{p}/" for p in common) if common else ""


def build_day(
    *,
    actor: Actor,
    day: dt.date,
    teams: Sequence[Team],
    unit_ids: set[int],
    restrict_to_areas: bool,
    help_neighbours: bool,
    time_limit: float,
) -> Day:
    """The request for ``teams``' vehicles and the visits of ``unit_ids`` on ``day``."""
    team_ids = [t.pk for t in teams]
    areas_of: dict[int, list[Area]] = defaultdict(list)
    for link in Team.areas.through.objects.filter(team_id__in=team_ids).select_related("area"):
        areas_of[link.team_id].append(link.area)
    labels = sorted({a.path for areas in areas_of.values() for a in areas})
    vehicles = list(
        Vehicle.objects.filter(active=True)
        .filter(_vehicle_filter(team_ids))
        .select_related("team")
        .prefetch_related("serves")
        .distinct()
        .order_by("pk")
    )
    fleet = _fleet(day, vehicles, team_ids, areas_of, labels)
    skills = {s for v in fleet for s in v.skills}
    queue = visits_for_day(
        actor=actor,
        day=day,
        unit_ids=unit_ids,
        area_paths=labels if restrict_to_areas else None,
        skills=skills,
    )
    if len(queue) > MAX_VISITS:
        raise ServiceError(
            _("Too many visits for one plan (%(n)s); plan team by team.") % {"n": len(queue)},
            code="too_many_visits",
        )
    earliest = _now_seconds(day)
    request = PlanRequest(
        vehicles=tuple(fleet),
        visits=tuple(_planner_visit(v, labels, earliest) for v in queue),
        area_policy="neighbours" if help_neighbours else "strict",
        neighbours=neighbour_map(labels),
        time_limit=time_limit,
    )
    return Day(
        day=day,
        request=request,
        visits={v.key: v for v in queue},
        vehicles={str(v.pk): v for v in vehicles},
        teams=list(teams),
        area_paths=labels,
    )


def _vehicle_filter(team_ids: list[int]) -> Any:
    from django.db.models import Q

    return Q(team_id__in=team_ids) | Q(serves__in=team_ids)


def _now_seconds(day: dt.date) -> int:
    """Seconds of ``day`` already gone (0 for a future day)."""
    passed = (clock.now() - local_midnight(day)).total_seconds()
    return max(0, int(passed))


def _fleet(
    day: dt.date,
    vehicles: list[Vehicle],
    team_ids: list[int],
    areas_of: dict[int, list[Area]],
    labels: list[str],
) -> list[PlannerVehicle]:
    hours = team_hours(day, {v.team_id for v in vehicles})
    crew: dict[int, set[str]] = defaultdict(set)
    for vehicle_id, skills in TeamMember.objects.filter(
        active=True, vehicle__in=vehicles
    ).values_list("vehicle_id", "skills"):
        crew[vehicle_id].update(skills or [])
    now = _now_seconds(day)
    fleet = []
    for vehicle in vehicles:
        start, end = seconds_of(vehicle.shift_start), seconds_of(vehicle.shift_end)
        if vehicle.team_id in hours:
            window = hours[vehicle.team_id]
            if window is None:
                continue  # the team does not work that day
            start, end = max(start, window[0]), min(end, window[1])
        start = max(start, now)
        if start >= end:
            continue
        own = [vehicle.team_id, *(t.pk for t in vehicle.serves.all())]
        paths = [a.path for t in own for a in areas_of.get(t, [])]
        fleet.append(
            PlannerVehicle(
                id=str(vehicle.pk),
                depot=Point.geo(lat=vehicle.depot_lat, lng=vehicle.depot_lng),
                capacity=vehicle.capacity,
                shift_start=start,
                shift_end=end,
                cost_per_km=float(vehicle.cost_per_km),
                skills=frozenset(vehicle.skills or []) | frozenset(crew[vehicle.pk]),
                areas=frozenset(k for k in labels if any(k.startswith(p) for p in paths)),
                team_id=str(vehicle.team_id),
                area_policy=None if vehicle.team.helps_neighbours else "strict",
            )
        )
    return fleet


def team_hours(day: dt.date, team_ids: set[int]) -> dict[int, tuple[int, int] | None]:
    """Per team with shifts: its working span on ``day`` (None: not working). Teams without
    any shift are left out (their vehicles' hours apply)."""
    by_team: dict[int, list[Shift]] = defaultdict(list)
    for shift in Shift.objects.filter(team_id__in=team_ids):
        by_team[shift.team_id].append(shift)
    hours: dict[int, tuple[int, int] | None] = {}
    for team_id, shifts in by_team.items():
        dated = [s for s in shifts if s.date == day]
        today = dated or [s for s in shifts if s.weekday == day.weekday()]
        hours[team_id] = (
            (min(seconds_of(s.start) for s in today), max(seconds_of(s.end) for s in today))
            if today
            else None
        )
    return hours


def label_of(area_path: str, labels: Sequence[str]) -> str:
    """The deepest service-area label holding ``area_path`` (itself when none does)."""
    holding = [k for k in labels if area_path.startswith(k)]
    return max(holding, key=len) if holding else area_path


def neighbour_map(labels: Sequence[str]) -> dict[str, frozenset[str]]:
    """Labels whose areas share a parent are neighbours."""
    parent: dict[str, str] = {}
    for path in labels:
        parts = [p for p in path.split("/") if p]
        parent[path] = "/" + "".join(f"{p}/" for p in parts[:-1])
    return {k: frozenset(o for o in labels if o != k and parent[o] == parent[k]) for k in labels}


def _planner_visit(visit: QueueVisit, labels: Sequence[str], earliest: int) -> PlannerVisit:
    return PlannerVisit(
        id=visit.key,
        location=Point.geo(lat=visit.lat, lng=visit.lng),
        service=visit.service,
        earliest=max(visit.earliest, earliest),
        latest=max(visit.latest, 0),
        priority=visit.priority,
        skill=visit.skill or None,
        size=visit.size,
        area=label_of(visit.area_path, labels),
        kind=visit.kind,
    )


def planner_visit(visit: QueueVisit, labels: Sequence[str], day: dt.date) -> PlannerVisit:
    """``visit`` for the planner, not earlier than now when ``day`` is today."""
    return _planner_visit(visit, labels, _now_seconds(day))
