"""Field-team reads, all through ``accounts.scoping``: teams and plans where the actor holds
``TEAMS_VIEW`` (the unit's staff, the command centre, district staff), a crew member's own
route for the day where they hold ``TEAMS_RIDE``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import scoped
from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.errors import NotFound
from lifeline.teams import access, visits
from lifeline.teams.models import (
    Plan,
    PlanRoute,
    PlanStop,
    Team,
    TeamMember,
    Vehicle,
    VisitKind,
)
from lifeline.teams.problem import unit_subtree
from lifeline.teams.services.stops import crew_of, may_record
from lifeline.teams.visits import QueueVisit


def team_list(*, actor: Actor) -> QuerySet[Team]:
    qs = scoped(Team.objects.select_related("unit"), actor, Perm.TEAMS_VIEW)
    return qs.order_by("unit_id", "name", "pk")


def team_get(*, actor: Actor, pk: int) -> Team:
    team = (
        team_list(actor=actor)
        .prefetch_related(
            "areas",
            Prefetch("vehicles", queryset=Vehicle.objects.prefetch_related("serves")),
            Prefetch("members", queryset=TeamMember.objects.select_related("user", "vehicle")),
            "shifts",
        )
        .filter(pk=pk)
        .first()
    )
    if team is None:
        raise NotFound(access.NO_TEAM)
    return team


def plan_list(
    *, actor: Actor, day: dt.date | None = None, team_id: int | None = None
) -> QuerySet[Plan]:
    qs = scoped(Plan.objects.select_related("unit", "team"), actor, Perm.TEAMS_VIEW)
    if day is not None:
        qs = qs.filter(day=day)
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    return qs.order_by("-day", "-created_at", "-pk")


def plan_get(*, actor: Actor, pk: int) -> Plan:
    plan = plan_list(actor=actor).filter(pk=pk).first()
    if plan is None:
        raise NotFound(access.NO_PLAN)
    return plan


def routes_of(plan: Plan) -> list[PlanRoute]:
    """The plan's routes with their stops in order (used routes first)."""
    routes = list(
        plan.routes.select_related("vehicle__team").prefetch_related(
            Prefetch("stops", queryset=PlanStop.objects.select_related("plan").order_by("seq"))
        )
    )
    return sorted(routes, key=lambda r: (not r.stops.all(), r.vehicle.name, r.pk))


@dataclass
class MemberDay:
    """A crew member's routes of the day (usually one) in published plans."""

    day: dt.date
    routes: list[PlanRoute] = field(default_factory=list)

    @property
    def stops(self) -> list[PlanStop]:
        return [s for r in self.routes for s in r.stops.all()]

    @property
    def next_stop(self) -> PlanStop | None:
        return next((s for s in self.stops if s.completed_at is None), None)

    @property
    def done(self) -> int:
        return sum(1 for s in self.stops if s.completed_at is not None)


def route_for_member(*, actor: Actor, day: dt.date | None = None) -> MemberDay:
    """The published routes of the vehicles the actor rides (or, riding none, of their
    teams' vehicles) on ``day`` (default today), for the teams where they hold
    ``TEAMS_RIDE``."""
    day = day or clock.today()
    mine = crew_of(actor)
    riding = {v for v in mine.values_list("vehicle_id", flat=True) if v is not None}
    loose = list(mine.filter(vehicle__isnull=True).values_list("team_id", flat=True))
    if loose:
        riding |= set(Vehicle.objects.filter(team_id__in=loose).values_list("pk", flat=True))
        riding |= set(Vehicle.objects.filter(serves__in=loose).values_list("pk", flat=True))
    if not riding:
        return MemberDay(day)
    routes = list(
        PlanRoute.objects.filter(
            plan__day=day, plan__status=Plan.Status.PUBLISHED, vehicle_id__in=riding
        )
        .select_related("vehicle", "plan")
        .prefetch_related(
            Prefetch("stops", queryset=PlanStop.objects.select_related("plan").order_by("seq"))
        )
        .order_by("vehicle__name", "pk")
    )
    return MemberDay(day, [r for r in routes if r.stops.all()] or routes)


def stop_get(*, actor: Actor, pk: int) -> PlanStop:
    """A stop the actor may see: on a route they ride, or in a plan they may read."""
    stop = PlanStop.objects.select_related("plan", "route").filter(pk=pk).first()
    if stop is None:
        raise NotFound(access.NO_PLAN)
    if may_record(actor, stop):
        return stop
    if plan_list(actor=actor).filter(pk=stop.plan_id).exists():
        return stop
    raise NotFound(access.NO_PLAN)


@dataclass(frozen=True)
class UrgentChoice:
    """An open work order offered for urgent insertion; ``unserved`` when the plan
    already lists it as not served."""

    visit: QueueVisit
    unserved: bool

    @property
    def value(self) -> str:
        return self.visit.key


def urgent_choices(*, actor: Actor, plan: Plan, q: str = "") -> list[UrgentChoice]:
    """Open work orders of the plan's units, not yet on its routes, that its dispatcher
    may insert (most urgent first; ``q`` searches number, address and category)."""
    access.require_dispatcher(actor, unit_id=plan.unit_id, area_path=plan.area_path)
    planned = plan.stops.filter(kind=VisitKind.WORK_ORDER).values_list("ref_id", flat=True)
    unserved = set(plan.unserved.filter(kind=VisitKind.WORK_ORDER).values_list("ref_id", flat=True))
    found = visits.urgent_choices(
        actor=actor, day=plan.day, unit_ids=unit_subtree(plan.unit_id), exclude=planned, q=q
    )
    return [UrgentChoice(v, v.ref_id in unserved) for v in found]
