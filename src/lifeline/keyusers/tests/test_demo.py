"""The demo's key users: 73 with plans on the power company's feeders, one special plan,
a draft interruption; seeded once."""

from __future__ import annotations

import pytest

from lifeline.accounts.models import Role
from lifeline.demo.keyusers import seed_demo_keyusers
from lifeline.demo.supplies import DEMO_EMAIL
from lifeline.keyusers.models import Interruption, KeyUser, KeyUserKind
from lifeline.registry.models import Facility, Unit
from lifeline.testing.factories import SmallCity, make_user

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_73_key_users_once(city: SmallCity) -> None:
    power = Unit.objects.create(code="POWER", name="国网株洲供电公司", kind=Unit.Kind.UTILITY)
    duty = make_user("demo_power", role=Role.UTILITY_STAFF, area=city.city, unit=power)
    duty.email = f"power{DEMO_EMAIL}"
    duty.save()
    Facility.objects.create(
        kind=Facility.Kind.HOSPITAL,
        name="株洲市中心医院",
        area=city.district,
        area_path=city.district.path,
        address="长江南路116号",
    )
    person = city.people_a[2]
    person.vulnerabilities.create(
        grid_id=person.grid_id, area_path=person.area_path, kind="home_oxygen"
    )
    assert seed_demo_keyusers().startswith("key users: 73")
    assert KeyUser.objects.count() == 73
    assert KeyUser.objects.filter(kind=KeyUserKind.HOME_LIFE_SUPPORT).count() == 1
    assert KeyUser.objects.exclude(special_plan="").get().name == "株洲市中心医院"
    assert Interruption.objects.filter(status="draft").count() == 1
    assert seed_demo_keyusers() == ""
