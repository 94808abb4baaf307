"""A bridge project's sealed crew for the enterprises tests: the district bureau (which
approves logistics passes), the district's enterprise liaison, the command centre."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import import_module

from django.apps import apps as django_apps
from django.utils import timezone

from lifeline.accounts.models import Role, User
from lifeline.enterprises.models import Bubble, Enterprise, SealedStaff, Vehicle
from lifeline.enterprises.services import bubble_create, enterprise_create, staff_add, vehicle_add
from lifeline.passes.models import PassType
from lifeline.registry.models import Person, Unit
from lifeline.screening.models import Compliance
from lifeline.testing.factories import SmallCity, make_household, make_person, make_user

LIAISON_PHONE = "13900000020"
CONTACT_PHONE = "13912345678"
DISTRICT_PHONE = "13900000002"


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment of December 2026 in the city's time."""
    return timezone.make_aware(dt.datetime(2026, 12, day, hour, minute))


def seed_pass_types() -> None:
    """A flushed database (transactional tests) loses the migration-seeded pass types."""
    if not PassType.objects.exists():
        import_module("lifeline.passes.migrations.0002_seed_pass_types").seed(django_apps, None)


def give_tests(person: Person, days: list[dt.date]) -> None:
    """Give ``person`` negative tests on ``days`` (the screening compliance row)."""
    last = max(days)
    mask = 0
    for day in days:
        mask |= 1 << (last - day).days
    Compliance.objects.update_or_create(
        person=person,
        defaults={
            "grid_id": person.grid_id,
            "area_path": person.area_path,
            "last_tested_on": last,
            "day_mask": mask,
        },
    )


@dataclass
class Crew:
    city: SmallCity
    district: Unit
    command: Unit
    liaison: User
    command_staff: User
    approver: User
    enterprise: Enterprise
    bubble: Bubble
    staff: list[SealedStaff]  # 0-2 residents; 3 from elsewhere (no tests known)
    people: list[Person]
    truck: Vehicle


def make_crew(city: SmallCity) -> Crew:
    seed_pass_types()
    command = Unit.objects.create(
        code="U-CMD", name="市疫情防控指挥部", kind=Unit.Kind.COMMAND_CENTRE, phone="13900000001"
    )
    command.areas.set([city.city])
    district = Unit.objects.create(
        code="U-DIST",
        name="天元区交通运输局",
        kind=Unit.Kind.DISTRICT_BUREAU,
        phone=DISTRICT_PHONE,
        parent=command,
    )
    district.areas.set([city.district])
    liaison = make_user("ent_liaison_d", role=Role.ENTERPRISE_LIAISON, area=city.district)
    command_staff = make_user("cmd", role=Role.COMMAND_STAFF, area=city.city, unit=command)
    approver = make_user("district_approver", role=Role.UNIT_STAFF, unit=district)
    enterprise = enterprise_create(
        actor=liaison,
        area=city.street,
        name="湘江大桥项目部",
        kind="construction",
        contact_name="王建国",
        contact_phone=CONTACT_PHONE,
    )
    bubble = bubble_create(
        actor=liaison,
        enterprise=enterprise,
        name="桥梁施工队",
        dormitory="项目部宿舍3栋",
        workplace="湘江大桥北岸工地",
    )
    people = []
    for n in range(3):
        household = make_household(grid=city.grid_a, unit_no=f"20{n}")
        people.append(make_person(household=household, name=f"施工员{n}"))
    staff = [
        staff_add(
            actor=liaison, bubble=bubble, person=p, critical_role="塔吊司机" if i == 0 else ""
        )
        for i, p in enumerate(people)
    ]
    staff.append(staff_add(actor=liaison, bubble=bubble, name="外地工人", phone="13800000003"))
    truck = vehicle_add(actor=liaison, bubble=bubble, plate="湘B12345", driver_name="李师傅")
    return Crew(
        city,
        district,
        command,
        liaison,
        command_staff,
        approver,
        enterprise,
        bubble,
        staff,
        people,
        truck,
    )
