"""Writes that set teams up (teams, vehicles, members, shifts) and that feed their queues
(a work order's time window for a day, a delivery)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.models import User
from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import require, scoped
from lifeline.core import clock
from lifeline.core.actors import Actor, user_of
from lifeline.core.audit import audit_log
from lifeline.core.errors import NotFound, ServiceError
from lifeline.registry.models import Area, Household, Unit
from lifeline.teams import access
from lifeline.teams.models import (
    Appointment,
    Delivery,
    Shift,
    Skill,
    Team,
    TeamMember,
    Vehicle,
)
from lifeline.teams.problem import common_path, unit_subtree
from lifeline.workorders.selectors import workorder_to_add_to

MAX_NAME = 100


def _invalid(fields: dict[str, list[str]]) -> ServiceError:
    return ServiceError(_("Please correct the marked fields."), fields=fields)


def _skills(values: Sequence[str], fields: dict[str, list[str]], name: str = "skills") -> list[str]:
    unknown = sorted(set(values) - set(Skill.values))
    if unknown:
        fields[name] = [str(_("Unknown skill: %(s)s") % {"s": ", ".join(unknown)})]
    return sorted(set(values) & set(Skill.values))


def team_for_dispatch(*, actor: Actor, team_id: int) -> Team:
    """The team, when the actor may see it and dispatch for it; NotFound or
    PermissionDenied otherwise."""
    access.require_reader(actor, access.NO_TEAM)
    team = (
        scoped(Team.objects.select_related("unit"), actor, Perm.TEAMS_VIEW)
        .filter(pk=team_id)
        .first()
    )
    if team is None:
        raise NotFound(access.NO_TEAM)
    access.require_dispatcher(actor, unit_id=team.unit_id, area_path=team.area_path)
    return team


def _unit_areas_cover(unit: Unit, path: str) -> bool:
    """Whether ``path`` lies in the unit's areas (a unit without areas of its own works in
    those of the nearest unit above it)."""
    node: Unit | None = unit
    while node is not None:
        areas = list(node.areas.all())
        if areas:
            return any(path.startswith(a.path) for a in areas)
        node = node.parent
    return False


def _service_areas(unit: Unit, area_ids: Sequence[int]) -> list[Area]:
    areas = list(Area.objects.filter(pk__in=list(area_ids)))
    ok = [a for a in areas if _unit_areas_cover(unit, a.path)]
    if not area_ids or len(ok) != len(set(area_ids)):
        raise _invalid({"area_ids": [str(_("Choose service areas inside the unit's areas."))]})
    return ok


def team_create(
    *,
    actor: Actor,
    unit_id: int,
    name: str,
    area_ids: Sequence[int],
    helps_neighbours: bool = False,
) -> Team:
    """A team of ``unit`` covering the subtrees ``area_ids`` (inside the unit's areas)."""
    access.require_reader(actor, access.NO_TEAM)
    unit = scoped(Unit.objects.all(), actor).filter(pk=unit_id).first()
    if unit is None:
        raise NotFound(_("No such unit."))
    paths = list(Area.objects.filter(pk__in=list(area_ids)).values_list("path", flat=True))
    access.require_dispatcher(actor, unit_id=unit.pk, area_path=common_path(paths))
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME:
        raise _invalid({"name": [str(_("Give the team a name (at most 100 characters)."))]})
    areas = _service_areas(unit, area_ids)
    with transaction.atomic():
        if Team.objects.filter(unit=unit, name=name).exists():
            raise _invalid({"name": [str(_("The unit already has a team of that name."))]})
        team = Team.objects.create(
            unit=unit,
            name=name,
            helps_neighbours=helps_neighbours,
            area_path=common_path([a.path for a in areas]),
        )
        team.areas.set(areas)
        audit_log(actor=actor, action="teams.team_create", obj=team, fields=["name", "areas"])
    return team


def team_areas_set(*, actor: Actor, team: Team, area_ids: Sequence[int]) -> Team:
    """Replace the team's service areas (and the path it is seen by)."""
    team = team_for_dispatch(actor=actor, team_id=team.pk)
    areas = _service_areas(team.unit, area_ids)
    with transaction.atomic():
        team.areas.set(areas)
        team.area_path = common_path([a.path for a in areas])
        team.save(update_fields=["area_path"])
        audit_log(actor=actor, action="teams.team_areas_set", obj=team, fields=["areas"])
    return team


def _time_order(start: dt.time, end: dt.time, fields: dict[str, list[str]]) -> None:
    if start.tzinfo is not None or end.tzinfo is not None:
        fields["start"] = [str(_("A local time of day, without an offset."))]
    elif start >= end:
        fields["end"] = [str(_("Must be later than the start."))]


def vehicle_create(
    *,
    actor: Actor,
    team: Team,
    name: str,
    depot_lat: float,
    depot_lng: float,
    capacity: int = 60,
    shift_start: dt.time = dt.time(8, 0),
    shift_end: dt.time = dt.time(18, 0),
    cost_per_km: Decimal | float | str = Decimal(1),
    skills: Sequence[str] = (),
    serves: Sequence[Team] = (),
) -> Vehicle:
    """A vehicle based with ``team``; ``serves`` are other teams of the same unit tree it
    also works for."""
    team = team_for_dispatch(actor=actor, team_id=team.pk)
    fields: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name or len(name) > 40:
        fields["name"] = [str(_("Give a name or plate (at most 40 characters)."))]
    if not (-90 <= depot_lat <= 90 and -180 <= depot_lng <= 180):
        fields["depot_lat"] = [str(_("Not a position on Earth."))]
    if not 1 <= capacity <= 100_000:
        fields["capacity"] = [str(_("Between 1 and 100,000."))]
    _time_order(shift_start, shift_end, fields)
    try:
        cost = Decimal(str(cost_per_km))
        if not cost.is_finite() or not Decimal(0) <= cost < Decimal(100_000):
            raise InvalidOperation
    except InvalidOperation:
        fields["cost_per_km"] = [str(_("A number of at least 0."))]
        cost = Decimal(1)
    clean_skills = _skills(skills, fields)
    family = unit_subtree(team.unit.parent_id or team.unit_id)
    if any(t.unit_id not in family for t in serves):
        fields["serves"] = [str(_("Only teams of the same company."))]
    if fields:
        raise _invalid(fields)
    with transaction.atomic():
        if Vehicle.objects.filter(team=team, name=name).exists():
            raise _invalid({"name": [str(_("The team already has a vehicle of that name."))]})
        vehicle = Vehicle.objects.create(
            team=team,
            name=name,
            depot_lat=depot_lat,
            depot_lng=depot_lng,
            capacity=capacity,
            shift_start=shift_start,
            shift_end=shift_end,
            cost_per_km=cost,
            skills=clean_skills,
        )
        vehicle.serves.set([t for t in serves if t.pk != team.pk])
        audit_log(
            actor=actor,
            action="teams.vehicle_create",
            obj=vehicle,
            area_path=team.area_path,
            fields=["name", "capacity", "depot", "shift", "skills"],
        )
    return vehicle


def team_member_add(
    *,
    actor: Actor,
    team: Team,
    user: User,
    vehicle: Vehicle | None = None,
    skills: Sequence[str] = (),
) -> TeamMember:
    """Add ``user`` to the team (or update their vehicle and skills)."""
    team = team_for_dispatch(actor=actor, team_id=team.pk)
    fields: dict[str, list[str]] = {}
    clean_skills = _skills(skills, fields)
    if vehicle is not None and not (
        vehicle.team_id == team.pk or vehicle.serves.filter(pk=team.pk).exists()
    ):
        fields["vehicle"] = [str(_("Not a vehicle of this team."))]
    if fields:
        raise _invalid(fields)
    with transaction.atomic():
        member, _created = TeamMember.objects.update_or_create(
            team=team,
            user=user,
            defaults={"vehicle": vehicle, "skills": clean_skills, "active": True},
        )
        audit_log(
            actor=actor,
            action="teams.member_add",
            obj=member,
            area_path=team.area_path,
            fields=["user", "vehicle", "skills"],
        )
    return member


def shift_add(
    *,
    actor: Actor,
    team: Team,
    start: dt.time,
    end: dt.time,
    weekday: int | None = None,
    date: dt.date | None = None,
) -> Shift:
    """A working span of the team: weekly on ``weekday`` (0 = Monday) or on one ``date``."""
    team = team_for_dispatch(actor=actor, team_id=team.pk)
    fields: dict[str, list[str]] = {}
    if (weekday is None) == (date is None):
        fields["weekday"] = [str(_("Give either a weekday or a date."))]
    elif weekday is not None and not 0 <= weekday <= 6:
        fields["weekday"] = [str(_("0 (Monday) to 6 (Sunday)."))]
    _time_order(start, end, fields)
    if fields:
        raise _invalid(fields)
    with transaction.atomic():
        shift = Shift.objects.create(team=team, weekday=weekday, date=date, start=start, end=end)
        audit_log(
            actor=actor,
            action="teams.shift_add",
            obj=shift,
            area_path=team.area_path,
            fields=["start", "end"],
        )
    return shift


def appointment_set(
    *, actor: Actor, work_order_id: int, day: dt.date, start: dt.time, end: dt.time
) -> Appointment:
    """When the resident of the work order can be reached on ``day`` (replacing any earlier
    window for that day). Recorded by those who may add to the order (its handlers, and
    the staff who file for its residents), like a comment."""
    order = workorder_to_add_to(actor=actor, pk=work_order_id)
    fields: dict[str, list[str]] = {}
    _time_order(start, end, fields)
    if day < clock.today():
        fields["day"] = [str(_("The day has passed."))]
    if fields:
        raise _invalid(fields)
    with transaction.atomic():
        appointment, _created = Appointment.objects.update_or_create(
            work_order=order,
            day=day,
            defaults={
                "area_path": order.area_path,
                "start": start,
                "end": end,
                "created_by": user_of(actor),
                "created_at": clock.now(),
            },
        )
        audit_log(
            actor=actor,
            action="teams.appointment_set",
            obj=appointment,
            fields=["day", "start", "end"],
        )
    return appointment


def delivery_create(
    *,
    actor: Actor,
    household_id: int,
    unit_id: int,
    day: dt.date,
    what: str,
    start: dt.time = dt.time(8, 0),
    end: dt.time = dt.time(20, 0),
    size: int = 1,
    skill: str = "",
) -> Delivery:
    """A package for a household, to be delivered by a unit's teams: asked for by staff
    who see the household in the registry and file requests for its residents there."""
    seen = scoped(Household.objects.all(), actor, Perm.REGISTRY_VIEW)
    household = seen.filter(pk=household_id).first()
    if household is None:
        raise NotFound(_("No such household in your area."))
    require(
        actor,
        Perm.WORKORDER_FILE,
        path=household.area_path,
        message=_("Your role may not ask for deliveries here."),
    )
    unit = scoped(Unit.objects.all(), actor).filter(pk=unit_id).first()
    fields: dict[str, list[str]] = {}
    if unit is None:
        fields["unit_id"] = [str(_("Unknown unit."))]
    what = (what or "").strip()
    if not what or len(what) > 100:
        fields["what"] = [str(_("Say what is delivered (at most 100 characters)."))]
    if not 1 <= size <= 1000:
        fields["size"] = [str(_("Between 1 and 1,000."))]
    if skill and skill not in Skill.values:
        fields["skill"] = [str(_("Unknown skill."))]
    if day < clock.today():
        fields["day"] = [str(_("The day has passed."))]
    _time_order(start, end, fields)
    if fields or unit is None:
        raise _invalid(fields)
    with transaction.atomic():
        delivery = Delivery.objects.create(
            household=household,
            area_path=household.area_path,
            unit=unit,
            day=day,
            start=start,
            end=end,
            what=what,
            size=size,
            skill=skill,
            created_by=user_of(actor),
            created_at=clock.now(),
        )
        audit_log(
            actor=actor,
            action="teams.delivery_create",
            obj=delivery,
            fields=["household", "unit", "day", "what", "size"],
        )
    return delivery


def delivery_create_at_place(
    *,
    actor: Actor,
    unit_id: int,
    area: Area,
    day: dt.date,
    what: str,
    address: str,
    lat: float,
    lng: float,
    start: dt.time = dt.time(8, 0),
    end: dt.time = dt.time(20, 0),
    size: int = 1,
) -> Delivery:
    """A shipment for a place that is not a household (a community store, a canteen, a
    post), to be carried by a unit's teams: asked for by whoever sends supplies to that
    area, or by the carrying unit's own senders (``SUPPLIES_ALLOCATE`` at the area or
    through a membership of that unit). The caller may hold the transaction."""
    require(
        actor,
        Perm.SUPPLIES_ALLOCATE,
        path=area.path,
        unit_id=unit_id,
        message=_("Your role may not ask for deliveries here."),
    )
    unit = scoped(Unit.objects.all(), actor).filter(pk=unit_id).first()
    fields: dict[str, list[str]] = {}
    if unit is None:
        fields["unit_id"] = [str(_("Unknown unit."))]
    what = (what or "").strip()
    if not what or len(what) > 100:
        fields["what"] = [str(_("Say what is delivered (at most 100 characters)."))]
    if not 1 <= size <= 1000:
        fields["size"] = [str(_("Between 1 and 1,000."))]
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        fields["lat"] = [str(_("Not a position on the map."))]
    if day < clock.today():
        fields["day"] = [str(_("The day has passed."))]
    _time_order(start, end, fields)
    if fields or unit is None:
        raise _invalid(fields)
    with transaction.atomic():
        delivery = Delivery.objects.create(
            household=None,
            address=(address or "").strip()[:255],
            lat=lat,
            lng=lng,
            area_path=area.path,
            unit=unit,
            day=day,
            start=start,
            end=end,
            what=what,
            size=size,
            created_by=user_of(actor),
            created_at=clock.now(),
        )
        audit_log(
            actor=actor,
            action="teams.delivery_create",
            obj=delivery,
            fields=["address", "unit", "day", "what", "size"],
        )
    return delivery


def delivery_cancel(*, actor: Actor, delivery_id: int, reason: str = "") -> bool:
    """Take a delivery that is still to be made off the queue (its shipment or package
    was cancelled); plans made after this leave it out. Allowed to whoever may ask for
    deliveries there (as for :func:`delivery_create_at_place`). False when it was already
    delivered or cancelled. The caller may hold the transaction."""
    delivery = Delivery.objects.filter(pk=delivery_id).first()
    if delivery is None:
        raise NotFound()
    require(
        actor,
        Perm.SUPPLIES_ALLOCATE if delivery.household_id is None else Perm.WORKORDER_FILE,
        path=delivery.area_path,
        unit_id=delivery.unit_id if delivery.household_id is None else None,
        message=_("Your role may not cancel deliveries here."),
    )
    with transaction.atomic():
        cancelled = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.OPEN).update(
            status=Delivery.Status.CANCELLED
        )
        if cancelled:
            audit_log(
                actor=actor,
                action="teams.delivery_cancel",
                obj=delivery,
                area_path=delivery.area_path,
                purpose=reason.strip()[:200],
                fields=["status"],
            )
    return bool(cancelled)
