"""The seed scenario of S3: the demo city's gas company, its 17 service groups sharing 7
vehicles, and 400 households a day whose gas is running out, each with a time window.

``seed_gas_day`` builds the teams (one per ``GAS-Tnn`` unit of the demo city, covering
that unit's communities), the vehicles (each based with one group and serving the next
ones, so every group is covered) and the day's orders: gas work orders filed through the
work-order intake, as the communities' lists would be, with the hours each resident is at
home. ``plan_gas_day`` then plans the company's day. Same seed, same scenario.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from lifeline.accounts.models import Membership, Role, User
from lifeline.registry.models import Household, Unit
from lifeline.teams.models import Appointment, Plan, Team, TeamMember, Vehicle
from lifeline.teams.problem import common_path
from lifeline.teams.services import plan_create, plan_publish
from lifeline.teams.visits import within
from lifeline.workorders.models import Category, Channel, RoutingRule, Status, WorkOrder
from lifeline.workorders.services import workorder_create

COMPANY = "GAS"
GROUPS = 17
VEHICLES = 7
VISITS = 400
SHIFT = (dt.time(8, 0), dt.time(20, 0))
DISPATCHER = "gas_dispatcher"
INTAKE = "gas_lists"


@dataclass
class Scenario:
    company: Unit
    teams: list[Team]
    vehicles: list[Vehicle]
    orders: list[WorkOrder]
    day: dt.date
    dispatcher: User


def _user(username: str, role: str, **place: Any) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(username=username, display_name=username)
        user.set_unusable_password()
        user.save()
        Membership.objects.create(user=user, role=role, **place)
    return user


def _teams(company: Unit) -> list[Team]:
    groups = list(Unit.objects.filter(parent=company).order_by("code")[:GROUPS])
    if len(groups) < GROUPS:
        raise ValueError(f"the demo city's {COMPANY} unit needs {GROUPS} service groups")
    teams = []
    for unit in groups:
        areas = list(unit.areas.all())
        team = Team.objects.filter(unit=unit).first()
        if team is None:
            team = Team.objects.create(
                unit=unit,
                name=unit.name,
                helps_neighbours=True,
                area_path=common_path([a.path for a in areas]),
            )
            team.areas.set(areas)
        teams.append(team)
    return teams


def _vehicles(teams: list[Team]) -> list[Vehicle]:
    """Vehicle k is based with group ``k * 17 // 7`` and serves the groups up to the next
    vehicle's: contiguous runs of communities, as the groups' areas are."""
    vehicles = []
    for k in range(VEHICLES):
        first, last = k * len(teams) // VEHICLES, (k + 1) * len(teams) // VEHICLES
        served = teams[first:last]
        home = served[0]
        vehicle = Vehicle.objects.filter(team=home, name=f"燃气服务车{k + 1}").first()
        if vehicle is None:
            places = [a for t in served for a in t.areas.all() if a.lat is not None]
            lat = sum(a.lat for a in places) / len(places)  # type: ignore[misc]
            lng = sum(a.lng for a in places) / len(places)  # type: ignore[misc]
            vehicle = Vehicle.objects.create(
                team=home,
                name=f"燃气服务车{k + 1}",
                capacity=120,
                depot_lat=round(lat, 6),
                depot_lng=round(lng, 6),
                shift_start=SHIFT[0],
                shift_end=SHIFT[1],
                skills=["gas_topup"],
            )
            vehicle.serves.set(served[1:])
        vehicles.append(vehicle)
    return vehicles


def _routing_rules(teams: list[Team]) -> None:
    """Gas orders of each group's communities go to that group (first group wins where
    two share a community)."""
    gas = Category.objects.get(code="gas")
    for team in teams:
        for area in team.areas.all():
            RoutingRule.objects.get_or_create(
                category=gas, area=area, defaults={"area_path": area.path, "unit": team.unit}
            )


def _window(rng: random.Random) -> tuple[dt.time, dt.time] | None:
    """When the resident is home: all day (40%), a two-hour slot (35%) or half a day."""
    roll = rng.random()
    if roll < 0.40:
        return None
    if roll < 0.75:
        start = rng.randrange(8, 18)
        return dt.time(start), dt.time(start + 2)
    return rng.choice([(dt.time(8), dt.time(13)), (dt.time(13), dt.time(19))])


def seed_gas_day(*, day: dt.date, visits: int = VISITS, seed: int = 20221105) -> Scenario:
    """The teams, vehicles and the day's gas orders with windows (idempotent for the
    teams and vehicles; each call files ``visits`` new orders for households without an
    open gas order)."""
    rng = random.Random(seed)
    company = Unit.objects.filter(code=COMPANY).first()
    if company is None:
        raise ValueError(f"no {COMPANY} unit: generate the demo city first")
    with transaction.atomic():
        teams = _teams(company)
        vehicles = _vehicles(teams)
        _routing_rules(teams)
    city = company.areas.first()
    intake = _user(INTAKE, Role.HOTLINE_OPERATOR, area=city)
    dispatcher = _user(DISPATCHER, Role.UNIT_STAFF, unit=company)
    busy = WorkOrder.objects.filter(category__code="gas", status__in=_open()).values("household_id")
    paths = [a.path for t in teams for a in t.areas.all()]
    candidates = list(
        within(Household.objects.exclude(pk__in=busy), paths)
        .filter(building__lat__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if len(candidates) < visits:
        raise ValueError(f"only {len(candidates)} households to visit, {visits} asked")
    chosen = Household.objects.in_bulk(rng.sample(candidates, visits))
    orders = []
    for pk in sorted(chosen):
        household = chosen[pk]
        order = workorder_create(
            actor=intake,
            category_code="gas",
            channel=Channel.LIST,
            household=household,
            extra={
                "account": household.gas_account or f"GAS{household.pk:08d}",
                "remaining_m3": f"{rng.uniform(0.5, 9.5):.1f}",
            },
            description="燃气余量不足10方，请上门充值",
        ).order
        orders.append(order)
        window = _window(rng)
        if window is not None:
            Appointment.objects.update_or_create(
                work_order=order,
                day=day,
                defaults={
                    "area_path": order.area_path,
                    "start": window[0],
                    "end": window[1],
                    "created_by": intake,
                    "created_at": order.created_at,
                },
            )
    return Scenario(company, teams, vehicles, orders, day, dispatcher)


def _open() -> list[str]:
    return [s for s in Status if s not in (Status.CLOSED, Status.CANCELLED)]


def plan_gas_day(*, scenario: Scenario, time_limit: float = 15.0, publish: bool = False) -> Plan:
    """The company's plan of the scenario's day (willing groups help their neighbours)."""
    plan = plan_create(
        actor=scenario.dispatcher,
        unit_id=scenario.company.pk,
        day=scenario.day,
        time_limit=time_limit,
        help_neighbours=True,
    )
    if publish:
        plan = plan_publish(actor=scenario.dispatcher, plan=plan, expected_version=plan.version)
    return plan


def seat_crew(*, scenario: Scenario, user: User) -> TeamMember:
    """Put ``user`` (e.g. the demo's field-team login) in the first vehicle's crew."""
    vehicle = scenario.vehicles[0]
    member, _created = TeamMember.objects.update_or_create(
        team=vehicle.team, user=user, defaults={"vehicle": vehicle, "skills": ["gas_topup"]}
    )
    return member


def seed_demo_day() -> str:
    """The scenario on a freshly generated demo city, planned and published, with the demo's
    field-team login in the first vehicle: a line to print, or "" when it does not fit."""
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from lifeline.core import clock

    if not Unit.objects.filter(code=COMPANY, children__isnull=False).exists():
        return ""
    visits = min(VISITS, Household.objects.count() // 2)
    if visits < 1:
        return ""
    # Late in the day there is little shift left to plan: the demo plans tomorrow then.
    local = timezone.localtime(clock.now())
    day = local.date() if local.hour < 14 else local.date() + dt.timedelta(days=1)
    scenario = seed_gas_day(day=day, visits=visits)
    plan = plan_gas_day(
        scenario=scenario, time_limit=max(1.0, min(10.0, visits / 40)), publish=True
    )
    crew = User.objects.filter(username=Role.FIELD_TEAM).first()
    if crew is not None:
        seat_crew(scenario=scenario, user=crew)
    return _(
        "Gas company's day %(day)s: %(n)s households, %(served)s on routes, %(km)s km "
        "(by hand: %(base)s km, %(missed)s not served)."
    ) % {
        "day": day.isoformat(),
        "n": visits,
        "served": visits - plan.optimised_missed,
        "km": plan.optimised_km,
        "base": plan.baseline_km,
        "missed": plan.baseline_missed,
    }
