"""Making a plan from the live queues: every visit on one route inside its window or listed
with the reason, the by-hand baseline beside it, teams kept to their areas and shifts."""

from __future__ import annotations

import datetime as dt

import pytest

from lifeline.accounts.scoping import forget_scope
from lifeline.core import clock
from lifeline.core.errors import NotFound, PermissionDenied, ServiceError
from lifeline.core.models import AuditRecord
from lifeline.teams import storage
from lifeline.teams.models import Plan, PlanStop, PlanUnserved, Shift, Vehicle, VisitKind
from lifeline.teams.planner.validate import plan_violations
from lifeline.teams.problem import distance_provider
from lifeline.teams.services import appointment_set, plan_create
from lifeline.teams.tests.helpers import CENTRES, DAY, make_order, make_orders

FAST = 0.3


def _keys(plan: Plan) -> tuple[set[str], dict[str, str]]:
    stops = {s.key for s in plan.stops.all()}
    unserved = {u.key: u.reason for u in plan.unserved.all()}
    return stops, unserved


def _violations(plan: Plan) -> list[str]:
    loaded = storage.load(plan)
    return plan_violations(plan=loaded.plan, request=loaded.request, distances=distance_provider())


def test_unit_plan_puts_every_open_order_on_one_route_or_lists_it(city, fleet):
    # given 12 open gas orders in each grid, and one already closed
    orders = make_orders(fleet, city, per_grid=12)
    closed = make_order(grid=city.grid_a, unit=fleet.units["A"], near=CENTRES["A"], status="closed")
    # when the company's dispatcher plans the day for all its teams
    plan = plan_create(
        actor=fleet.company_dispatcher, unit_id=fleet.company.pk, day=DAY, time_limit=FAST
    )
    # then each open order is a stop or unserved, exactly once, and the closed one is absent
    stops, unserved = _keys(plan)
    wanted = {f"work_order:{o.pk}" for o in orders}
    assert stops | set(unserved) == wanted
    assert not stops & set(unserved)
    assert f"work_order:{closed.pk}" not in stops | set(unserved)
    assert plan.visits == len(wanted)
    # and the stored routes are feasible when checked leg by leg
    assert _violations(plan) == []
    # and the figures: optimised km is the sum of the routes, the baseline is stored too
    assert plan.optimised_km == pytest.approx(sum(r.km for r in plan.routes.all()), abs=0.2)
    assert plan.baseline_km > 0 and plan.optimised_km > 0
    assert plan.optimised_missed == len(unserved)
    assert plan.status == Plan.Status.DRAFT and plan.version == 1
    assert AuditRecord.objects.filter(action="teams.plan_create", object_id=str(plan.pk)).exists()


def test_each_vehicle_serves_only_its_own_teams_grid(city, fleet):
    orders = make_orders(fleet, city, per_grid=8)
    plan = plan_create(
        actor=fleet.company_dispatcher, unit_id=fleet.company.pk, day=DAY, time_limit=FAST
    )
    for stop in plan.stops.select_related("route"):
        grid = city.grid_a if stop.route.vehicle_id == fleet.vehicles["A"].pk else city.grid_b
        assert stop.area_path == grid.path
    assert plan.stops.count() == len(orders)


def test_team_plan_takes_only_the_teams_areas_and_vehicles(city, fleet):
    make_orders(fleet, city, per_grid=6)
    plan = plan_create(
        actor=fleet.dispatchers["A"], team_id=fleet.teams["A"].pk, day=DAY, time_limit=FAST
    )
    assert {r.vehicle_id for r in plan.routes.all()} == {fleet.vehicles["A"].pk}
    assert plan.visits == 6
    assert set(plan.stops.values_list("area_path", flat=True)) == {city.grid_a.path}
    assert plan.team == fleet.teams["A"] and plan.unit == fleet.units["A"]


def test_agreed_time_window_is_kept(city, fleet):
    # given an order whose resident is home only from 14:00 to 14:30
    order = make_order(grid=city.grid_a, unit=fleet.units["A"], near=CENTRES["A"])
    appointment_set(
        actor=fleet.dispatchers["A"],
        work_order_id=order.pk,
        day=DAY,
        start=dt.time(14, 0),
        end=dt.time(14, 30),
    )
    plan = plan_create(
        actor=fleet.dispatchers["A"], team_id=fleet.teams["A"].pk, day=DAY, time_limit=FAST
    )
    stop = plan.stops.get(kind=VisitKind.WORK_ORDER, ref_id=order.pk)
    assert 14 * 3600 <= stop.start <= 14 * 3600 + 30 * 60
    assert (stop.earliest, stop.latest) == (14 * 3600, 14 * 3600 + 30 * 60)
    assert dt.time(14, 0) <= stop.eta.astimezone(plan.at(0).tzinfo).time() <= dt.time(14, 30)


def test_impossible_visits_are_listed_with_their_reasons(city, fleet):
    # given an order needing a skill no vehicle has, one outside every team's area, and one
    # whose window is at night
    medicine = make_order(
        grid=city.grid_a, unit=fleet.units["A"], near=CENTRES["A"], category="medicine"
    )
    outside = make_order(grid=city.community, unit=fleet.units["A"], near=CENTRES["A"])
    night = make_order(grid=city.grid_b, unit=fleet.units["B"], near=CENTRES["B"])
    appointment_set(
        actor=fleet.company_dispatcher,
        work_order_id=night.pk,
        day=DAY,
        start=dt.time(22, 0),
        end=dt.time(23, 0),
    )
    plan = plan_create(
        actor=fleet.company_dispatcher, unit_id=fleet.company.pk, day=DAY, time_limit=FAST
    )
    _stops, unserved = _keys(plan)
    assert unserved == {
        f"work_order:{medicine.pk}": "no_vehicle_with_skill",
        f"work_order:{outside.pk}": "outside_service_areas",
        f"work_order:{night.pk}": "time_window_unreachable",
    }
    assert all(u.detail for u in plan.unserved.all())


def test_team_off_shift_that_day_sends_no_vehicle(city, fleet):
    # given team A works Tuesdays only, and DAY is a Monday
    Shift.objects.create(team=fleet.teams["A"], weekday=1, start=dt.time(8), end=dt.time(12))
    make_orders(fleet, city, per_grid=3)
    plan = plan_create(
        actor=fleet.company_dispatcher, unit_id=fleet.company.pk, day=DAY, time_limit=FAST
    )
    assert set(plan.routes.values_list("vehicle_id", flat=True)) == {fleet.vehicles["B"].pk}
    _stops, unserved = _keys(plan)
    assert len(unserved) == 3 and set(unserved.values()) == {"outside_service_areas"}


def test_shift_of_the_day_cuts_the_vehicles_hours(city, fleet):
    Shift.objects.create(team=fleet.teams["A"], date=DAY, start=dt.time(9, 30), end=dt.time(12))
    make_orders(fleet, city, per_grid=3)
    plan = plan_create(
        actor=fleet.dispatchers["A"], team_id=fleet.teams["A"].pk, day=DAY, time_limit=FAST
    )
    route = plan.routes.get()
    assert (route.shift_start, route.shift_end) == (9.5 * 3600, 12 * 3600)
    assert all(s.arrival >= 9.5 * 3600 for s in plan.stops.all())


def test_planning_today_starts_from_now(city, fleet):
    make_orders(fleet, city, per_grid=4)
    with clock.frozen_at(dt.datetime(2030, 3, 4, 10, 15)):
        plan = plan_create(
            actor=fleet.dispatchers["A"], team_id=fleet.teams["A"].pk, day=DAY, time_limit=FAST
        )
    assert plan.routes.get().shift_start == 10 * 3600 + 15 * 60
    assert plan.stops.count() == 4
    assert all(s.start >= 10 * 3600 + 15 * 60 for s in plan.stops.all())


def test_neighbours_help_only_when_asked_and_willing(city, fleet):
    # given team B's only vehicle is off the road, and team A may help its neighbours
    Vehicle.objects.filter(pk=fleet.vehicles["B"].pk).update(active=False)
    team_a = fleet.teams["A"]
    team_a.helps_neighbours = True
    team_a.save()
    make_orders(fleet, city, per_grid=4)
    boss, company = fleet.company_dispatcher, fleet.company.pk
    # when planned strictly, grid B's orders stay unserved
    strict = plan_create(actor=boss, unit_id=company, day=DAY, time_limit=FAST)
    assert strict.stops.count() == 4 and strict.unserved.count() == 4
    # when neighbours may help, team A's vehicle serves grid B as well
    helped = plan_create(
        actor=boss, unit_id=company, day=DAY, time_limit=FAST, help_neighbours=True
    )
    assert helped.stops.count() == 8 and helped.unserved.count() == 0
    assert _violations(helped) == []
    # and a team that does not help stays home even when asked
    team_a.helps_neighbours = False
    team_a.save()
    unwilling = plan_create(
        actor=boss, unit_id=company, day=DAY, time_limit=FAST, help_neighbours=True
    )
    assert unwilling.unserved.count() == 4


def test_deliveries_join_the_plan_and_heavy_ones_need_the_skill(city, fleet, grid_worker_a):
    from lifeline.teams.services import delivery_create

    # given packages asked for by grid A's worker (a unit's staff never see the registry)
    household = city.people_a[0].household
    staff = fleet.dispatchers["A"]
    light = delivery_create(
        actor=grid_worker_a,
        household_id=household.pk,
        unit_id=fleet.units["A"].pk,
        day=DAY,
        what="物资包",
    )
    heavy = delivery_create(
        actor=grid_worker_a,
        household_id=household.pk,
        unit_id=fleet.units["A"].pk,
        day=DAY,
        what="煤气罐",
        size=5,
        skill="heavy_goods",
    )
    plan = plan_create(actor=staff, team_id=fleet.teams["A"].pk, day=DAY, time_limit=FAST)
    stops, unserved = _keys(plan)
    assert stops == {f"delivery:{light.pk}"}
    assert unserved == {f"delivery:{heavy.pk}": "no_vehicle_with_skill"}


def test_home_rechecks_join_a_sampling_teams_plan(city, fleet):
    from lifeline.accounts.models import Membership, Role
    from lifeline.screening.models import RecheckTask, Tube

    person = city.people_a[1]
    tube = Tube.objects.create(
        barcode="T-POS-1", area_path=city.grid_a.path, sampled_on=DAY, opened_at=clock.now()
    )
    task = RecheckTask.objects.create(
        person=person,
        source_tube=tube,
        grid=city.grid_a,
        area_path=city.grid_a.path,
        created_at=clock.now(),
    )
    staff = fleet.dispatchers["A"]
    plan = plan_create(actor=staff, team_id=fleet.teams["A"].pk, day=DAY, time_limit=FAST)
    assert plan.visits == 0, "no sampler in the team, and no area scope: no rechecks"
    # the dispatcher also plans by area in grid A, and sees its testing as its grid worker
    Membership.objects.create(user=staff, role=Role.UNIT_STAFF, area=city.grid_a)
    Membership.objects.create(user=staff, role=Role.GRID_WORKER, area=city.grid_a)
    forget_scope(staff)
    Vehicle.objects.filter(pk=fleet.vehicles["A"].pk).update(skills=["gas_topup", "sampling"])
    plan = plan_create(actor=staff, team_id=fleet.teams["A"].pk, day=DAY, time_limit=FAST)
    assert _keys(plan)[0] == {f"recheck:{task.pk}"}
    assert plan.stops.get().skill == "sampling"


def test_only_the_units_dispatchers_may_plan(city, fleet, command_staff):
    make_orders(fleet, city, per_grid=2)
    team_a = fleet.teams["A"].pk
    with pytest.raises(NotFound):
        plan_create(actor=fleet.dispatchers["B"], team_id=team_a, day=DAY, time_limit=FAST)
    with pytest.raises(NotFound):
        plan_create(actor=fleet.members["A"], team_id=team_a, day=DAY, time_limit=FAST)
    with pytest.raises(PermissionDenied):
        plan_create(actor=command_staff, team_id=team_a, day=DAY, time_limit=FAST)
    assert Plan.objects.count() == 0


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"day": DAY - dt.timedelta(days=1)}, "day"),
        ({"day": DAY + dt.timedelta(days=60)}, "day"),
        ({"time_limit": 0}, "time_limit"),
        ({"time_limit": 600}, "time_limit"),
    ],
)
def test_bad_requests_are_refused_with_the_field(city, fleet, changes, field):
    args = {"day": DAY, "time_limit": FAST, **changes}
    with pytest.raises(ServiceError) as error:
        plan_create(actor=fleet.dispatchers["A"], team_id=fleet.teams["A"].pk, **args)
    assert field in error.value.fields
    assert Plan.objects.count() == 0


def test_neither_or_both_of_team_and_unit_is_refused(fleet):
    with pytest.raises(ServiceError):
        plan_create(actor=fleet.company_dispatcher, day=DAY)
    with pytest.raises(ServiceError):
        plan_create(
            actor=fleet.company_dispatcher,
            day=DAY,
            team_id=fleet.teams["A"].pk,
            unit_id=fleet.company.pk,
        )


def test_plan_survives_its_queue_moving_on(city, fleet):
    # given a plan, when an order is closed afterwards, the plan still shows it as planned
    orders = make_orders(fleet, city, per_grid=3)
    plan = plan_create(
        actor=fleet.dispatchers["A"], team_id=fleet.teams["A"].pk, day=DAY, time_limit=FAST
    )
    orders[0].status = "closed"
    orders[0].save()
    assert (
        PlanStop.objects.filter(plan=plan).count() + PlanUnserved.objects.filter(plan=plan).count()
        == 3
    )
    assert _violations(plan) == []


def test_bedridden_households_join_a_sampling_teams_plan_until_tested(city, fleet):
    from lifeline.accounts.models import Membership, Role
    from lifeline.registry.models import Vulnerability, VulnerabilityKind
    from lifeline.screening.models import Compliance

    # given a bedridden resident of grid A, and team A able to sample, dispatched by staff
    # who also plan by area in grid A and see its people as its grid worker
    person = city.people_a[2]
    Vulnerability.objects.create(
        person=person,
        grid_id=person.grid_id,
        area_path=person.area_path,
        kind=VulnerabilityKind.BEDRIDDEN,
    )
    staff = fleet.dispatchers["A"]
    Membership.objects.create(user=staff, role=Role.UNIT_STAFF, area=city.grid_a)
    Membership.objects.create(user=staff, role=Role.GRID_WORKER, area=city.grid_a)
    Vehicle.objects.filter(pk=fleet.vehicles["A"].pk).update(skills=["gas_topup", "sampling"])
    # when the day is planned, the household is a home-sampling stop for one person
    plan = plan_create(actor=staff, team_id=fleet.teams["A"].pk, day=DAY, time_limit=FAST)
    stop = plan.stops.get(kind=VisitKind.HOME_SAMPLING)
    assert stop.ref_id == person.household_id and stop.size == 1 and stop.skill == "sampling"
    # and once the person is tested that day, the next plan no longer visits
    Compliance.objects.create(
        person=person, grid_id=person.grid_id, area_path=person.area_path, last_tested_on=DAY
    )
    again = plan_create(actor=staff, team_id=fleet.teams["A"].pk, day=DAY, time_limit=FAST)
    assert not again.stops.filter(kind=VisitKind.HOME_SAMPLING).exists()
