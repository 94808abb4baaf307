"""Pass fixtures: the ladder of approving units above the small city, their staff, an
enterprise applicant, a checkpoint, and fake testing/health providers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from lifeline.accounts.models import Role, User
from lifeline.passes.eligibility import Providers
from lifeline.passes.models import Checkpoint
from lifeline.registry.models import Person, Unit
from lifeline.testing.factories import SmallCity, make_user

# 2026-11-05 10:00 in the city's zone: the morning the truck's pass was requested.
MORNING = dt.datetime(2026, 11, 5, 10, 0)


def at(hour: int, minute: int = 0, *, day: int = 5) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, 11, day, hour, minute))


@dataclass
class FakeTesting:
    counts: dict[int, int] = field(default_factory=dict)
    default: int | None = 5

    def tests_in_window(self, person: Person, days: int, *, at: dt.datetime) -> int | None:
        return self.counts.get(person.pk, self.default)


@dataclass
class FakeHealth:
    colours: dict[int, str] = field(default_factory=dict)

    def colour(self, person: Person, *, at: dt.datetime) -> str | None:
        return self.colours.get(person.pk, "green")


@pytest.fixture
def testing() -> FakeTesting:
    return FakeTesting()


@pytest.fixture
def health() -> FakeHealth:
    return FakeHealth()


@pytest.fixture
def providers(testing: FakeTesting, health: FakeHealth) -> Providers:
    return Providers(testing=testing, health=health)


def seed_pass_types() -> None:
    """Transactional tests flush every table, migration-seeded rows included: put the pass
    types back (the migration's own seed function, so the data cannot drift)."""
    import_module("lifeline.passes.migrations.0002_seed_pass_types").seed(django_apps, None)
    import_module("lifeline.passes.migrations.0004_duty_for_oneself").seed(django_apps, None)


@pytest.fixture
def ladder(city: SmallCity) -> dict[str, Unit]:
    seed_pass_types()
    command = Unit.objects.create(
        code="U-CMD", name="市疫情防控指挥部", kind=Unit.Kind.COMMAND_CENTRE, phone="13900000001"
    )
    command.areas.set([city.city])
    district = Unit.objects.create(
        code="U-DIST", name="天元区交通运输局", kind=Unit.Kind.DISTRICT_BUREAU, phone="13900000002"
    )
    district.areas.set([city.district])
    street = Unit.objects.create(
        code="U-STREET", name="嵩山路街道办", kind=Unit.Kind.STREET_OFFICE, phone="13900000003"
    )
    street.areas.set([city.street])
    return {
        "committee": city.units["committee"],
        "street": street,
        "district": district,
        "command": command,
    }


@pytest.fixture
def district_approver(ladder: dict[str, Unit]) -> User:
    return make_user("district_approver", role=Role.UNIT_STAFF, unit=ladder["district"])


@pytest.fixture
def command_approver(ladder: dict[str, Unit]) -> User:
    return make_user("command_approver", role=Role.UNIT_STAFF, unit=ladder["command"])


@pytest.fixture
def committee_approver(ladder: dict[str, Unit]) -> User:
    return make_user("committee_approver", role=Role.UNIT_STAFF, unit=ladder["committee"])


@pytest.fixture
def park_service(city: SmallCity) -> User:
    """The industrial park's service company, applying for the enterprises it serves."""
    return make_user("park_service", role=Role.UNIT_STAFF, area=city.street)


@pytest.fixture
def checkpoint(city: SmallCity, ladder: dict[str, Unit]) -> Checkpoint:
    return Checkpoint.objects.create(
        code="CP-BRIDGE-1",
        name="湘江一桥卡口",
        area=city.district,
        area_path=city.district.path,
        unit=ladder["district"],
    )


@pytest.fixture
def checkpoint_staff(checkpoint: Checkpoint, ladder: dict[str, Unit]) -> User:
    return make_user("bridge_staff", role=Role.CHECKPOINT_STAFF, unit=ladder["district"])
