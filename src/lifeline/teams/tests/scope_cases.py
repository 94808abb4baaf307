"""Field teams' rows of the scope matrix (run by ``tests/test_scope_matrix.py``).

The gas company has one team per grid, each a unit of its own. Grid B's team, vehicles,
plans and stops are refused to grid A's dispatcher and crew, to grid workers (who are not
dispatchers) and to a user with no membership; grid B's dispatcher reaches them, and grid
B's crew records arrivals on grid B's route.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

from lifeline.accounts.models import User
from lifeline.api.tests.helpers import client_for
from lifeline.core import clock
from lifeline.registry.models import Household
from lifeline.teams.models import (
    Appointment,
    Delivery,
    Plan,
    PlanStop,
    PlanUnserved,
    Team,
    Vehicle,
)
from lifeline.teams.services import plan_create, plan_publish
from lifeline.teams.tests.helpers import CENTRES, Fleet, make_fleet, make_order, make_orders
from lifeline.testing.factories import SmallCity
from lifeline.testing.scope_matrix import Case, World, base_personas
from lifeline.workorders.models import WorkOrder

API = "/api/v1/teams"


@dataclass
class TeamsWorld(World):
    fleet: Fleet
    dispatcher_a: User
    dispatcher_b: User
    member_a: User
    member_b: User
    plan_a: Plan
    plan_b: Plan  # published, with stops
    draft_b: Plan
    stop_b: PlanStop
    order_b: WorkOrder  # open, not on any plan yet
    household_b: Household
    day: dt.date

    denied: ClassVar[tuple[str, ...]] = (
        "worker_a",
        "worker_b",
        "outsider",
        "dispatcher_a",
        "member_a",
    )
    controls: ClassVar[tuple[str, ...]] = ("dispatcher_b",)
    viewers: ClassVar[tuple[str, ...]] = ("dispatcher_a",)

    def may_see(self, viewer: str, row: dict[str, Any]) -> bool:
        return bool(row.get("unit_id") == self.fleet.units["A"].pk)

    def snapshot(self) -> Any:
        plans = list(Plan.objects.order_by("pk").values_list("pk", "version", "status"))
        stops = list(
            PlanStop.objects.order_by("pk").values_list("pk", "route_id", "seq", "arrived_at")
        )
        counts = [m.objects.count() for m in (Team, Vehicle, Appointment, Delivery, PlanUnserved)]
        return plans, stops, counts


def make_teams_world(city: SmallCity) -> TeamsWorld:
    fleet = make_fleet(city, prefix="m_")
    make_orders(fleet, city, per_grid=3)
    day = clock.today() + dt.timedelta(days=1)
    plans = {}
    for key in ("A", "B"):
        dispatcher = fleet.dispatchers[key]
        plan = plan_create(actor=dispatcher, team_id=fleet.teams[key].pk, day=day, time_limit=0.2)
        plans[key] = plan_publish(actor=dispatcher, plan=plan, expected_version=1)
    draft_b = plan_create(
        actor=fleet.dispatchers["B"], team_id=fleet.teams["B"].pk, day=day, time_limit=0.2
    )
    stop_b = plans["B"].stops.order_by("-seq").first()
    assert stop_b is not None
    order_b = make_order(grid=city.grid_b, unit=fleet.units["B"], near=CENTRES["B"])
    return TeamsWorld(
        **base_personas(city),
        fleet=fleet,
        dispatcher_a=fleet.dispatchers["A"],
        dispatcher_b=fleet.dispatchers["B"],
        member_a=fleet.members["A"],
        member_b=fleet.members["B"],
        plan_a=plans["A"],
        plan_b=plans["B"],
        draft_b=draft_b,
        stop_b=stop_b,
        order_b=order_b,
        household_b=city.people_b[0].household,
        day=day,
    )


def _check_my_route(w: TeamsWorld) -> None:
    """Each crew sees its own vehicle's stops only; nobody else sees any."""
    for member, plan in ((w.member_a, w.plan_a), (w.member_b, w.plan_b)):
        response = client_for(member).get(f"{API}/my-route", {"day": w.day.isoformat()})
        assert response.status_code == 200, response.content[:300]
        answer = response.json()
        ids = {s["id"] for r in answer["routes"] for s in r["stops"]}
        assert ids == set(plan.stops.values_list("pk", flat=True)) and ids, answer
        assert answer["next_stop"]["id"] in ids
    for user in (w.worker_a, w.worker_b, w.outsider, w.dispatcher_a, w.dispatcher_b):
        response = client_for(user).get(f"{API}/my-route", {"day": w.day.isoformat()})
        assert response.status_code == 200
        assert response.json()["routes"] == [] and response.json()["next_stop"] is None


def _plan_b(w: TeamsWorld) -> dict[str, Any]:
    return {"plan_id": w.plan_b.pk}


def _stop_b(w: TeamsWorld) -> dict[str, Any]:
    return {"stop_id": w.stop_b.pk}


TEAMS_CASES = [
    Case("get", API, "list"),
    Case(
        "post",
        API,
        "create",
        label="grid B's unit",
        created=Team,
        body=lambda w: {
            "unit_id": w.fleet.units["B"].pk,
            "name": "新增组",
            "area_ids": [w.grid_b.pk],
        },
    ),
    Case("get", f"{API}/{{team_id}}", "object", lambda w: {"team_id": w.fleet.teams["B"].pk}),
    Case(
        "post",
        f"{API}/{{team_id}}/vehicles",
        "create",
        lambda w: {"team_id": w.fleet.teams["B"].pk},
        label="grid B's team",
        created=Vehicle,
        body=lambda w: {"name": "B-9", "depot_lat": 27.85, "depot_lng": 113.17},
    ),
    Case(
        "get",
        f"{API}/plans",
        "list",
        foreign=(lambda w: {"team_id": w.fleet.teams["B"].pk},),
    ),
    Case(
        "post",
        f"{API}/plans",
        "create",
        label="grid B's team",
        created=Plan,
        body=lambda w: {
            "team_id": w.fleet.teams["B"].pk,
            "day": w.day.isoformat(),
            "time_limit": 0.2,
        },
    ),
    Case("get", f"{API}/plans/{{plan_id}}", "object", _plan_b),
    Case(
        "post",
        f"{API}/plans/{{plan_id}}/publish",
        "object",
        lambda w: {"plan_id": w.draft_b.pk},
        body=lambda w: {"expected_version": w.draft_b.version},
    ),
    Case(
        "post",
        f"{API}/plans/{{plan_id}}/urgent",
        "object",
        _plan_b,
        body=lambda w: {
            "expected_version": w.plan_b.version,
            "kind": "work_order",
            "ref_id": w.order_b.pk,
        },
    ),
    Case(
        "post",
        f"{API}/plans/{{plan_id}}/stops/{{stop_id}}/move",
        "object",
        lambda w: {"plan_id": w.plan_b.pk, "stop_id": w.stop_b.pk},
        body=lambda w: {
            "expected_version": w.plan_b.version,
            "vehicle_id": w.fleet.vehicles["B"].pk,
            "position": 1,
        },
    ),
    Case("get", f"{API}/my-route", "custom", check=_check_my_route),
    Case(
        "post",
        f"{API}/stops/{{stop_id}}/arrive",
        "object",
        _stop_b,
        body=lambda w: {"km": 1.5},
        controls=("member_b", "dispatcher_b"),
    ),
    Case(
        "post",
        f"{API}/stops/{{stop_id}}/complete",
        "object",
        _stop_b,
        body=lambda w: {"outcome": "done"},
        controls=("member_b", "dispatcher_b"),
    ),
    Case(
        "post",
        f"{API}/appointments",
        "create",
        label="grid B's order",
        created=Appointment,
        body=lambda w: {
            "work_order_id": w.order_b.pk,
            "day": w.day.isoformat(),
            "start": "09:00",
            "end": "10:00",
        },
        denied=("worker_a", "outsider", "dispatcher_a", "member_a"),
        controls=("dispatcher_b", "worker_b"),
    ),
    Case(
        "post",
        f"{API}/deliveries",
        "create",
        label="grid B's household",
        created=Delivery,
        body=lambda w: {
            "household_id": w.household_b.pk,
            "unit_id": w.fleet.units["B"].pk,
            "day": w.day.isoformat(),
            "what": "物资包",
        },
        denied=("worker_a", "outsider", "dispatcher_a", "member_a"),
        controls=("worker_b",),
    ),
]
