"""A permission holds only inside the membership that grants it. Two people each hold two
memberships of different roles and places:

- ``dispatcher_a_worker_b``: staff of the gas group of grid A (dispatches its teams, by
  unit) and grid worker of grid B (sees and files for grid B's residents; plans nothing);
- ``crew_a_overseer_b``: crew of grid A's group (rides its vehicle, by unit) and district
  staff over grid B (oversees the plans lying there; rides nothing there), also listed in
  grid B's team without any membership of that unit.

Each may do each role's things only in that membership's place: nothing is read or written
elsewhere, through the services, the API and the pages.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from lifeline.accounts.models import Membership, Role
from lifeline.api.tests.helpers import assert_error, client_for, post_json
from lifeline.core import clock
from lifeline.core.errors import NotFound, PermissionDenied
from lifeline.screening.models import RecheckTask, Tube
from lifeline.teams.models import Appointment, Delivery, Plan, TeamMember, Vehicle
from lifeline.teams.selectors import plan_list, route_for_member, stop_get, team_list
from lifeline.teams.services import (
    appointment_set,
    delivery_create,
    plan_create,
    plan_publish,
    stop_arrive,
    vehicle_create,
)
from lifeline.teams.tests.helpers import CENTRES, DAY, make_order
from lifeline.testing.factories import make_user

FAST = 0.3
API = "/api/v1/teams"


@pytest.fixture
def dispatcher_a_worker_b(city, fleet):
    user = make_user("dispatcher_a_worker_b", role=Role.UNIT_STAFF, unit=fleet.units["A"])
    Membership.objects.create(user=user, role=Role.GRID_WORKER, area=city.grid_b)
    return user


@pytest.fixture
def crew_a_overseer_b(city, fleet):
    user = make_user("crew_a_overseer_b", role=Role.FIELD_TEAM, unit=fleet.units["A"])
    Membership.objects.create(user=user, role=Role.DISTRICT_STAFF, area=city.grid_b)
    TeamMember.objects.create(team=fleet.teams["A"], user=user, vehicle=fleet.vehicles["A"])
    TeamMember.objects.create(team=fleet.teams["B"], user=user)  # listed, no membership there
    return user


@pytest.fixture
def published(city, fleet):
    """Each grid's team with two orders and a published plan for the day."""
    plans = {}
    for key, grid in (("A", city.grid_a), ("B", city.grid_b)):
        for _ in range(2):
            make_order(grid=grid, unit=fleet.units[key], near=CENTRES[key])
        dispatcher = fleet.dispatchers[key]
        plan = plan_create(actor=dispatcher, team_id=fleet.teams[key].pk, day=DAY, time_limit=FAST)
        plans[key] = plan_publish(actor=dispatcher, plan=plan, expected_version=1)
    return plans


def test_the_dispatcher_sees_and_plans_only_their_units_teams(
    city, fleet, published, dispatcher_a_worker_b
):
    actor = dispatcher_a_worker_b
    assert list(team_list(actor=actor)) == [fleet.teams["A"]]
    assert list(plan_list(actor=actor)) == [published["A"]]
    with pytest.raises(NotFound):
        plan_create(actor=actor, team_id=fleet.teams["B"].pk, day=DAY, time_limit=FAST)
    with pytest.raises(NotFound):
        vehicle_create(
            actor=actor, team=fleet.teams["B"], name="B-9", depot_lat=27.85, depot_lng=113.17
        )
    with pytest.raises(NotFound):
        stop_arrive(actor=actor, stop=published["B"].stops.first())
    assert not Vehicle.objects.filter(name="B-9").exists()
    assert plan_create(actor=actor, team_id=fleet.teams["A"].pk, day=DAY, time_limit=FAST)


def test_queue_inputs_follow_the_membership_of_the_place(city, fleet, dispatcher_a_worker_b):
    actor = dispatcher_a_worker_b
    mine = make_order(grid=city.grid_a, unit=fleet.units["A"], near=CENTRES["A"])
    grid_bs = make_order(grid=city.grid_b, unit=fleet.units["B"], near=CENTRES["B"])
    elsewhere = make_order(grid=city.grid_a, unit=fleet.units["B"], near=CENTRES["A"])
    window = {"day": DAY, "start": dt.time(9), "end": dt.time(10)}
    # the unit's own order (worked by unit), and grid B's order (added to as its grid worker)
    appointment_set(actor=actor, work_order_id=mine.pk, **window)
    appointment_set(actor=actor, work_order_id=grid_bs.pk, **window)
    # another unit's order in grid A: no membership covers it
    with pytest.raises(NotFound):
        appointment_set(actor=actor, work_order_id=elsewhere.pk, **window)
    assert Appointment.objects.count() == 2
    # packages: for grid B's households as their grid worker; a unit's staff see no registry
    delivery_create(
        actor=actor,
        household_id=city.people_b[0].household_id,
        unit_id=fleet.units["B"].pk,
        day=DAY,
        what="物资包",
    )
    with pytest.raises(NotFound):
        delivery_create(
            actor=actor,
            household_id=city.people_a[0].household_id,
            unit_id=fleet.units["A"].pk,
            day=DAY,
            what="物资包",
        )
    assert list(Delivery.objects.values_list("household__grid", flat=True)) == [city.grid_b.pk]


def test_a_plan_takes_only_visits_where_the_planner_dispatches(city, fleet, dispatcher_a_worker_b):
    # given a positive pool's member at home in grid B, seen by the planner as its grid
    # worker, and team A able to sample
    person = city.people_b[1]
    tube = Tube.objects.create(
        barcode="T-POS-9", area_path=city.grid_b.path, sampled_on=DAY, opened_at=clock.now()
    )
    RecheckTask.objects.create(
        person=person,
        source_tube=tube,
        grid=city.grid_b,
        area_path=city.grid_b.path,
        created_at=clock.now(),
    )
    Vehicle.objects.filter(pk=fleet.vehicles["A"].pk).update(skills=["gas_topup", "sampling"])
    own = make_order(grid=city.grid_a, unit=fleet.units["A"], near=CENTRES["A"])
    # when the unit's day is planned (visits wherever they are)
    plan = plan_create(
        actor=dispatcher_a_worker_b, unit_id=fleet.units["A"].pk, day=DAY, time_limit=FAST
    )
    # then only the unit's own order is on it: the recheck is not the unit's to plan
    keys = {s.key for s in plan.stops.all()} | {u.key for u in plan.unserved.all()}
    assert keys == {f"work_order:{own.pk}"}


def test_the_crew_rides_only_where_a_membership_lets_them(
    city, fleet, published, crew_a_overseer_b
):
    actor = crew_a_overseer_b
    day = route_for_member(actor=actor, day=DAY)
    assert {r.plan_id for r in day.routes} == {published["A"].pk}
    # grid B's stop: seen as district staff over grid B, but not theirs to record
    stop_b = published["B"].stops.first()
    assert stop_get(actor=actor, pk=stop_b.pk) == stop_b
    with pytest.raises(NotFound):
        stop_arrive(actor=actor, stop=stop_b)
    stop_b.refresh_from_db()
    assert stop_b.arrived_at is None
    assert stop_arrive(actor=actor, stop=published["A"].stops.first()).arrived_at


def test_the_overseer_reads_the_plans_of_their_area_and_changes_none(
    city, fleet, crew_a_overseer_b
):
    make_order(grid=city.grid_b, unit=fleet.units["B"], near=CENTRES["B"])
    draft = plan_create(
        actor=fleet.dispatchers["B"], team_id=fleet.teams["B"].pk, day=DAY, time_limit=FAST
    )
    assert list(plan_list(actor=crew_a_overseer_b)) == [draft]
    assert list(team_list(actor=crew_a_overseer_b)) == [fleet.teams["B"]]
    with pytest.raises(PermissionDenied):
        plan_publish(actor=crew_a_overseer_b, plan=draft, expected_version=1)
    with pytest.raises(PermissionDenied):
        plan_create(actor=crew_a_overseer_b, team_id=fleet.teams["B"].pk, day=DAY, time_limit=FAST)
    draft.refresh_from_db()
    assert draft.status == Plan.Status.DRAFT and Plan.objects.count() == 1


def test_api_and_pages_stop_at_the_membership(
    city, fleet, published, dispatcher_a_worker_b, crew_a_overseer_b
):
    dispatcher = client_for(dispatcher_a_worker_b)
    teams = dispatcher.get(API).json()["items"]
    assert [t["id"] for t in teams] == [fleet.teams["A"].pk]
    assert_error(dispatcher.get(f"{API}/plans/{published['B'].pk}"), 404)
    moved = post_json(
        dispatcher,
        f"{API}/plans/{published['B'].pk}/publish",
        {"expected_version": published["B"].version},
    )
    assert_error(moved, 404)
    plan_b_page = reverse("teams:plan", args=[published["B"].pk])
    assert dispatcher.get(plan_b_page).status_code == 404
    home = dispatcher.get(reverse("teams:home")).content.decode()
    assert fleet.teams["A"].name in home and fleet.teams["B"].name not in home
    # the overseer sees grid B's plan page, without the buttons that change it
    overseer = client_for(crew_a_overseer_b)
    page = overseer.get(plan_b_page)
    assert page.status_code == 200 and "/act/" not in page.content.decode()
    route = overseer.get(f"{API}/my-route", {"day": DAY.isoformat()}).json()
    assert {s["id"] for r in route["routes"] for s in r["stops"]} == set(
        published["A"].stops.values_list("pk", flat=True)
    )
