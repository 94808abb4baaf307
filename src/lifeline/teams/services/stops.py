"""What the crew records at a stop: arrival and completion, with the trip meter, so the
plan's kilometres and times can be compared with what happened."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm
from lifeline.core import clock
from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict, NotFound, ServiceError
from lifeline.core.scoping import scoped
from lifeline.teams import access
from lifeline.teams.models import Delivery, Plan, PlanStop, Team, TeamMember, VisitKind

MAX_KM = 5000.0
MAX_NOTE = 500


def crew_of(actor: Any) -> QuerySet[TeamMember]:
    """The actor's active places in teams, counting only the teams where a membership lets
    them ride (``TEAMS_RIDE`` by the team's unit or area): being listed in a team grants
    nothing by itself."""
    if not getattr(actor, "is_authenticated", False):
        return TeamMember.objects.none()
    teams = scoped(Team.objects.all(), actor, Perm.TEAMS_RIDE)
    return TeamMember.objects.filter(user_id=actor.pk, active=True, team__in=teams)


def rides(actor: Any, vehicle_id: int) -> bool:
    """Whether the actor is crew of the vehicle: riding in it, or a member of one of its
    teams who rides in no particular vehicle."""
    mine = crew_of(actor)
    return (
        mine.filter(vehicle_id=vehicle_id).exists()
        or mine.filter(vehicle__isnull=True)
        .filter(Q(team__vehicles=vehicle_id) | Q(team__shared_vehicles=vehicle_id))
        .exists()
    )


def may_record(actor: Any, stop: PlanStop) -> bool:
    """The route's crew (``TEAMS_RIDE``) or the plan's dispatchers (``TEAMS_DISPATCH``).
    Both are asked every time, so what the answer depends on does not vary by who asks."""
    plan = stop.plan
    dispatches = access.may_dispatch(actor, unit_id=plan.unit_id, area_path=plan.area_path)
    return rides(actor, stop.route.vehicle_id) or dispatches


def _locked_stop(actor: Any, stop: PlanStop, km: float | None, note: str) -> PlanStop:
    # The plan first, then the stop: the order dispatchers' edits lock them in.
    Plan.objects.select_for_update().filter(pk=stop.plan_id).first()
    locked = (
        PlanStop.objects.select_for_update()
        .select_related("plan", "route")
        .filter(pk=stop.pk)
        .first()
    )
    if locked is None or not may_record(actor, locked):
        raise NotFound(_("No such stop on your route."))
    if locked.plan.status != Plan.Status.PUBLISHED:
        raise ServiceError(
            _("Only the stops of a published plan can be recorded."), code="not_live"
        )
    fields: dict[str, list[str]] = {}
    if km is not None and not 0 <= km <= MAX_KM:
        fields["km"] = [gettext("Between 0 and %(n)s km.") % {"n": int(MAX_KM)}]
    if len(note or "") > MAX_NOTE:
        fields["note"] = [gettext("At most %(n)s characters.") % {"n": MAX_NOTE}]
    if fields:
        raise ServiceError(_("Please correct the marked fields."), fields=fields)
    return locked


def stop_arrive(*, actor: Any, stop: PlanStop, km: float | None = None, note: str = "") -> PlanStop:
    """Record arrival now, with the trip meter's kilometres since leaving the depot."""
    with transaction.atomic():
        locked = _locked_stop(actor, stop, km, note)
        if locked.arrived_at is not None:
            raise Conflict(_("Arrival at this stop is already recorded."), code="already_recorded")
        locked.arrived_at = clock.now()
        locked.arrived_km = km
        locked.note = (note or locked.note).strip()
        locked.recorded_by = actor
        locked.save(update_fields=["arrived_at", "arrived_km", "note", "recorded_by"])
        audit_log(
            actor=actor,
            action="teams.stop_arrive",
            obj=locked,
            area_path=locked.area_path,
            fields=["arrived_at", "arrived_km"],
        )
    return locked


def stop_complete(
    *,
    actor: Any,
    stop: PlanStop,
    outcome: str = PlanStop.Outcome.DONE,
    note: str = "",
    km: float | None = None,
) -> PlanStop:
    """Record the visit done (or why not). An unrecorded arrival is taken as now; a
    delivered package leaves the delivery queue."""
    if outcome not in PlanStop.Outcome.values:
        raise ServiceError(
            _("Please correct the marked fields."),
            fields={"outcome": [gettext("Unknown outcome.")]},
        )
    with transaction.atomic():
        locked = _locked_stop(actor, stop, km, note)
        if locked.completed_at is not None:
            raise Conflict(_("This stop is already completed."), code="already_recorded")
        now = clock.now()
        if locked.arrived_at is None:
            locked.arrived_at = now
            locked.arrived_km = km
        locked.completed_at = now
        locked.outcome = outcome
        locked.note = (note or locked.note).strip()
        locked.recorded_by = actor
        locked.save(
            update_fields=[
                "arrived_at",
                "arrived_km",
                "completed_at",
                "outcome",
                "note",
                "recorded_by",
            ]
        )
        if locked.kind == VisitKind.DELIVERY and outcome == PlanStop.Outcome.DONE:
            Delivery.objects.filter(pk=locked.ref_id, status=Delivery.Status.OPEN).update(
                status=Delivery.Status.DELIVERED, delivered_at=now
            )
        audit_log(
            actor=actor,
            action="teams.stop_complete",
            obj=locked,
            area_path=locked.area_path,
            fields=["completed_at", "outcome", "note"],
        )
    return locked
