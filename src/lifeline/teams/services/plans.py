"""Route plans: make one (optimised, with the by-hand baseline beside it), publish it,
insert an urgent visit, move a stop.

Every change names the plan version the dispatcher saw (``expected_version``) and runs
under the plan's row lock: of two dispatchers changing one plan, the first wins and the
second gets ``Conflict`` (code ``stale_plan``) telling them to reload.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.scoping import scoped
from lifeline.core import clock
from lifeline.core.actors import Actor, user_of
from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict, NotFound, ServiceError
from lifeline.core.models import OutboxMessage
from lifeline.registry.models import Unit
from lifeline.teams import access, storage
from lifeline.teams.models import Plan, Team, TeamMember
from lifeline.teams.planner import model as pm
from lifeline.teams.planner.baseline import plan_by_hand
from lifeline.teams.planner.solve import solve
from lifeline.teams.problem import (
    Day,
    build_day,
    common_path,
    distance_provider,
    unit_subtree,
)
from lifeline.teams.services.setup import team_for_dispatch

DEFAULT_TIME_LIMIT = 10.0
MAX_TIME_LIMIT = 60.0
MAX_DAYS_AHEAD = 31


@dataclass
class Target:
    """Whose day is planned: one team, or every active team of a unit and below."""

    unit: Unit
    team: Team | None
    teams: list[Team]
    unit_ids: set[int]
    area_path: str


@dataclass
class Solved:
    target: Target
    day: Day
    optimised: pm.Plan
    baseline: pm.Plan
    help_neighbours: bool


def target_of(actor: Actor, team_id: int | None, unit_id: int | None) -> Target:
    if (team_id is None) == (unit_id is None):
        raise ServiceError(
            _("Plan either one team or one unit."), fields={"team_id": [gettext("Required.")]}
        )
    if team_id is not None:
        team = team_for_dispatch(actor=actor, team_id=team_id)
        return Target(team.unit, team, [team], unit_subtree(team.unit_id), team.area_path)
    access.require_reader(actor, access.NO_TEAM)
    unit = scoped(Unit.objects.all(), actor).filter(pk=unit_id or 0).first()
    if unit is None:
        raise NotFound(_("No such unit."))
    units = unit_subtree(unit.pk)
    teams = list(Team.objects.filter(active=True, unit_id__in=units).order_by("pk"))
    path = common_path([t.area_path for t in teams if t.area_path])
    access.require_dispatcher(actor, unit_id=unit.pk, area_path=path)
    return Target(unit, None, teams, units, path)


def check_request(day: dt.date, time_limit: float) -> None:
    fields: dict[str, list[str]] = {}
    today = clock.today()
    if day < today:
        fields["day"] = [gettext("The day has passed.")]
    elif day > today + dt.timedelta(days=MAX_DAYS_AHEAD):
        fields["day"] = [gettext("At most %(n)s days ahead.") % {"n": MAX_DAYS_AHEAD}]
    if not 0.1 <= time_limit <= MAX_TIME_LIMIT:
        fields["time_limit"] = [
            gettext("Between 0.1 and %(n)s seconds.") % {"n": int(MAX_TIME_LIMIT)}
        ]
    if fields:
        raise ServiceError(_("Please correct the marked fields."), fields=fields)


def plan_solve(
    *,
    actor: Actor,
    day: dt.date,
    team_id: int | None = None,
    unit_id: int | None = None,
    time_limit: float = DEFAULT_TIME_LIMIT,
    help_neighbours: bool = False,
) -> Solved:
    """Read the queues and solve the day (optimised and by hand). Writes nothing, holds no
    transaction: the solver may run for ``time_limit`` seconds."""
    target = target_of(actor, team_id, unit_id)
    check_request(day, time_limit)
    problem = build_day(
        actor=actor,
        day=day,
        teams=target.teams,
        unit_ids=target.unit_ids,
        restrict_to_areas=target.team is not None,
        help_neighbours=help_neighbours,
        time_limit=time_limit,
    )
    distances = distance_provider()
    optimised = solve(request=problem.request, distances=distances)
    baseline = plan_by_hand(request=problem.request, distances=distances)
    return Solved(target, problem, optimised, baseline, help_neighbours)


def plan_create(
    *,
    actor: Actor,
    day: dt.date,
    team_id: int | None = None,
    unit_id: int | None = None,
    time_limit: float = DEFAULT_TIME_LIMIT,
    help_neighbours: bool = False,
    solved: Solved | None = None,
) -> Plan:
    """A draft plan for the day: every queue visit is on one route (inside its window, the
    vehicle back by the end of its shift) or listed unserved with the reason. The by-hand
    plan's kilometres and missed visits are stored beside the optimised ones.

    ``solved`` (from ``plan_solve``) lets a caller solve outside its transaction."""
    if solved is None:
        solved = plan_solve(
            actor=actor,
            day=day,
            team_id=team_id,
            unit_id=unit_id,
            time_limit=time_limit,
            help_neighbours=help_neighbours,
        )
    target, problem = solved.target, solved.day
    now = clock.now()
    with transaction.atomic():
        plan = Plan.objects.create(
            unit=target.unit,
            team=target.team,
            area_path=target.area_path,
            day=problem.day,
            help_neighbours=solved.help_neighbours,
            neighbours={k: sorted(v) for k, v in problem.request.neighbours.items() if v},
            time_limit=problem.request.time_limit,
            solver_seconds=round(solved.optimised.seconds, 3),
            baseline_seconds=round(solved.baseline.seconds, 3),
            visits=len(problem.request.visits),
            baseline_km=round(solved.baseline.total_km, 1),
            baseline_missed=len(solved.baseline.unserved),
            optimised_km=round(solved.optimised.total_km, 1),
            optimised_missed=len(solved.optimised.unserved),
            created_by=user_of(actor),
            created_at=now,
            updated_at=now,
        )
        storage.store(plan, problem, solved.optimised)
        audit_log(
            actor=actor,
            action="teams.plan_create",
            obj=plan,
            fields=["routes", "stops", "unserved"],
        )
    return plan


def lock_plan(plan: Plan | int, *, expected_version: int | None) -> Plan:
    """The plan's row, locked; ``Conflict`` when it moved past ``expected_version``."""
    pk = plan.pk if isinstance(plan, Plan) else plan
    locked = Plan.objects.select_for_update().filter(pk=pk).first()
    if locked is None:
        raise NotFound(access.NO_PLAN)
    if expected_version is not None:
        check_version(locked, expected_version)
    return locked


def check_version(plan: Plan, expected_version: int) -> None:
    if plan.version != expected_version:
        raise Conflict(
            _(
                "Someone else changed this plan (it is now version %(now)s; you saw version "
                "%(seen)s). Reload it and try again."
            )
            % {"now": plan.version, "seen": expected_version},
            code="stale_plan",
        )


def editable_plan(actor: Actor, plan: Plan, expected_version: int) -> Plan:
    """The plan locked for a dispatcher's change: refused to anyone else first, then
    ``Conflict`` if it moved past the version they saw; a superseded plan stays as it was."""
    locked = lock_plan(plan, expected_version=None)
    access.require_dispatcher(actor, unit_id=locked.unit_id, area_path=locked.area_path)
    check_version(locked, expected_version)
    if locked.status == Plan.Status.SUPERSEDED:
        raise ServiceError(_("This plan was replaced by a newer one."), code="superseded")
    return locked


def bump_version(plan: Plan) -> None:
    """Save the plan's state with the next version (every change goes through here)."""
    plan.version += 1
    plan.updated_at = clock.now()
    plan.save(update_fields=["version", "updated_at", "status", "published_at"])


def notify_crews(plan: Plan, vehicle_ids: list[int], text: str) -> None:
    """Outbox messages to the crews of ``vehicle_ids`` who have a phone (same transaction)."""
    phones = (
        TeamMember.objects.filter(active=True, vehicle_id__in=vehicle_ids)
        .exclude(user__phone="")
        .values_list("user__phone", flat=True)
        .distinct()
    )
    OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(recipient=p, body=text, object_type="teams.plan", object_id=str(plan.pk))
            for p in phones
        ]
    )


def plan_publish(*, actor: Actor, plan: Plan, expected_version: int) -> Plan:
    """Make the draft the day's live plan for its vehicles: any other published plan of the
    day using one of them is superseded, and the crews are told."""
    with transaction.atomic():
        locked = editable_plan(actor, plan, expected_version)
        if locked.status != Plan.Status.DRAFT:
            raise ServiceError(_("Only a draft can be published."), code="not_draft")
        vehicle_ids = list(locked.routes.values_list("vehicle_id", flat=True))
        others = list(
            Plan.objects.select_for_update()
            .filter(
                day=locked.day,
                status=Plan.Status.PUBLISHED,
                pk__in=Plan.objects.filter(routes__vehicle_id__in=vehicle_ids).values("pk"),
            )
            .exclude(pk=locked.pk)
            .order_by("pk")
        )
        for other in others:
            other.status = Plan.Status.SUPERSEDED
            bump_version(other)
        locked.status = Plan.Status.PUBLISHED
        locked.published_at = clock.now()
        bump_version(locked)
        used = list(locked.routes.filter(stops__isnull=False).values_list("vehicle_id", flat=True))
        notify_crews(
            locked,
            sorted(set(used)),
            gettext("Your route for %(day)s is ready.") % {"day": locked.day.isoformat()},
        )
        audit_log(actor=actor, action="teams.plan_publish", obj=locked, fields=["status"])
    return locked
