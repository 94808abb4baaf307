"""Setting teams up and feeding their queues: who may, what is checked, what is audited."""

from __future__ import annotations

import datetime as dt

import pytest

from lifeline.accounts.models import Role
from lifeline.core.errors import NotFound, PermissionDenied, ServiceError
from lifeline.core.models import AuditRecord
from lifeline.teams.models import Appointment, Delivery, Shift, Team, TeamMember, Vehicle
from lifeline.teams.services import (
    appointment_set,
    delivery_create,
    shift_add,
    team_areas_set,
    team_create,
    team_member_add,
    vehicle_create,
)
from lifeline.teams.tests.helpers import CENTRES, DAY, make_order
from lifeline.testing.factories import make_user


def test_dispatcher_creates_a_team_over_the_units_areas(city, fleet):
    team = team_create(
        actor=fleet.dispatchers["A"],
        unit_id=fleet.units["A"].pk,
        name="夜班组",
        area_ids=[city.grid_a.pk],
        helps_neighbours=True,
    )
    assert team.area_path == city.grid_a.path and team.helps_neighbours
    assert list(team.areas.all()) == [city.grid_a]
    assert AuditRecord.objects.filter(action="teams.team_create", object_id=str(team.pk)).exists()


def test_a_companys_team_over_two_grids_is_seen_by_their_common_area(city, fleet):
    team = team_create(
        actor=fleet.company_dispatcher,
        unit_id=fleet.company.pk,
        name="机动组",
        area_ids=[city.grid_a.pk, city.grid_b.pk],
    )
    assert team.area_path == city.community.path
    team_areas_set(actor=fleet.company_dispatcher, team=team, area_ids=[city.grid_b.pk])
    team.refresh_from_db()
    assert team.area_path == city.grid_b.path


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"name": ""}, "name"),
        ({"name": "A组"}, "name"),  # taken in the unit
        ({"area_ids": []}, "area_ids"),
    ],
)
def test_team_create_refuses_bad_input(city, fleet, changes, field):
    args = {"name": "新组", "area_ids": [city.grid_a.pk], **changes}
    with pytest.raises(ServiceError) as error:
        team_create(actor=fleet.dispatchers["A"], unit_id=fleet.units["A"].pk, **args)
    assert field in error.value.fields
    assert Team.objects.count() == 2


def test_only_the_units_dispatchers_set_teams_up(city, fleet, command_staff):
    with pytest.raises(PermissionDenied):
        team_create(
            actor=fleet.dispatchers["B"],
            unit_id=fleet.units["A"].pk,
            name="x",
            area_ids=[city.grid_a.pk],
        )
    with pytest.raises(NotFound):
        vehicle_create(
            actor=fleet.dispatchers["B"],
            team=fleet.teams["A"],
            name="x",
            depot_lat=27.8,
            depot_lng=113.1,
        )
    with pytest.raises(PermissionDenied):
        shift_add(
            actor=command_staff,
            team=fleet.teams["A"],
            weekday=0,
            start=dt.time(8),
            end=dt.time(12),
        )
    with pytest.raises(NotFound):
        team_member_add(actor=fleet.members["A"], team=fleet.teams["A"], user=fleet.members["B"])
    assert Team.objects.count() == 2 and Shift.objects.count() == 0


def test_vehicle_shared_by_two_groups_and_checked(city, fleet):
    vehicle = vehicle_create(
        actor=fleet.company_dispatcher,
        team=fleet.teams["A"],
        name="共用车",
        depot_lat=27.84,
        depot_lng=113.16,
        capacity=80,
        cost_per_km="1.5",
        skills=["gas_topup", "heavy_goods"],
        serves=[fleet.teams["B"]],
    )
    assert list(vehicle.serves.all()) == [fleet.teams["B"]]
    assert float(vehicle.cost_per_km) == 1.5
    with pytest.raises(ServiceError) as error:
        vehicle_create(
            actor=fleet.company_dispatcher,
            team=fleet.teams["A"],
            name="坏车",
            depot_lat=95,
            depot_lng=113.1,
            capacity=0,
            shift_start=dt.time(18),
            shift_end=dt.time(8),
            cost_per_km="lots",
            skills=["flying"],
        )
    assert set(error.value.fields) >= {"depot_lat", "capacity", "end", "cost_per_km", "skills"}
    assert Vehicle.objects.count() == 3


def test_member_rides_a_vehicle_of_the_team_only(city, fleet):
    user = make_user("new_crew", role=Role.FIELD_TEAM, unit=fleet.units["A"])
    member = team_member_add(
        actor=fleet.dispatchers["A"],
        team=fleet.teams["A"],
        user=user,
        vehicle=fleet.vehicles["A"],
        skills=["sampling"],
    )
    assert member.vehicle == fleet.vehicles["A"] and member.skills == ["sampling"]
    with pytest.raises(ServiceError) as error:
        team_member_add(
            actor=fleet.company_dispatcher,
            team=fleet.teams["A"],
            user=user,
            vehicle=fleet.vehicles["B"],
        )
    assert "vehicle" in error.value.fields
    assert TeamMember.objects.get(user=user).vehicle == fleet.vehicles["A"]


def test_shift_is_weekly_or_dated_never_both(fleet):
    dispatcher, team = fleet.dispatchers["A"], fleet.teams["A"]
    shift_add(actor=dispatcher, team=team, weekday=0, start=dt.time(8), end=dt.time(12))
    shift_add(actor=dispatcher, team=team, date=DAY, start=dt.time(13), end=dt.time(17))
    for bad in (
        {"weekday": 0, "date": DAY},
        {},
        {"weekday": 7},
    ):
        with pytest.raises(ServiceError):
            shift_add(actor=dispatcher, team=team, start=dt.time(8), end=dt.time(9), **bad)
    with pytest.raises(ServiceError):
        shift_add(actor=dispatcher, team=team, weekday=1, start=dt.time(9), end=dt.time(8))
    assert Shift.objects.count() == 2


def test_time_window_is_set_by_whoever_sees_the_order(city, fleet, grid_worker_a, grid_worker_b):
    order = make_order(grid=city.grid_a, unit=fleet.units["A"], near=CENTRES["A"])
    appointment_set(
        actor=grid_worker_a, work_order_id=order.pk, day=DAY, start=dt.time(9), end=dt.time(10)
    )
    again = appointment_set(
        actor=fleet.dispatchers["A"],
        work_order_id=order.pk,
        day=DAY,
        start=dt.time(14),
        end=dt.time(15),
    )
    assert Appointment.objects.get() == again and again.start == dt.time(14)
    with pytest.raises(NotFound):
        appointment_set(
            actor=grid_worker_b, work_order_id=order.pk, day=DAY, start=dt.time(9), end=dt.time(10)
        )
    with pytest.raises(ServiceError):
        appointment_set(
            actor=grid_worker_a,
            work_order_id=order.pk,
            day=DAY - dt.timedelta(days=1),
            start=dt.time(9),
            end=dt.time(10),
        )
    assert AuditRecord.objects.filter(action="teams.appointment_set").count() == 2


def test_delivery_for_a_household_in_scope(city, fleet, grid_worker_a, grid_worker_b):
    household = city.people_a[0].household
    made = delivery_create(
        actor=grid_worker_a,
        household_id=household.pk,
        unit_id=fleet.units["A"].pk,
        day=DAY,
        what="物资包",
        size=2,
        skill="meals",
    )
    assert made.area_path == household.area_path and made.status == Delivery.Status.OPEN
    with pytest.raises(NotFound):
        delivery_create(
            actor=grid_worker_b,
            household_id=household.pk,
            unit_id=fleet.units["A"].pk,
            day=DAY,
            what="物资包",
        )
    with pytest.raises(ServiceError) as error:
        delivery_create(
            actor=grid_worker_a,
            household_id=household.pk,
            unit_id=999_999,
            day=DAY,
            what="",
            size=0,
            skill="juggling",
            start=dt.time(12),
            end=dt.time(9),
        )
    assert set(error.value.fields) >= {"unit_id", "what", "size", "skill", "end"}
    assert Delivery.objects.count() == 1
