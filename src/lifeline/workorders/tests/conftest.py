"""Work-order fixtures: the ladder of units above the small city's community, a gas team,
and staff of each."""

from __future__ import annotations

import pytest

from lifeline.accounts.models import Role, User
from lifeline.registry.models import Unit
from lifeline.testing.factories import SmallCity, make_user
from lifeline.workorders.models import Category, RoutingRule


@pytest.fixture
def categories(db: None) -> dict[str, Category]:
    found = {c.code: c for c in Category.objects.all()}
    public = [c for c in found.values() if not c.internal]
    assert len(public) == 12, "categories are seeded by migration 0002"
    # three internal ones by 0008, the notices' door visit and the command's review action
    assert len(found) == 17, "internal ones by 0008, the notices' and the command's migrations"
    return found


@pytest.fixture
def ladder(city: SmallCity) -> dict[str, Unit]:
    """Community committee (from the city) < street office < district bureau < command."""
    command = Unit.objects.create(
        code="U-CMD", name="市疫情防控指挥部", kind=Unit.Kind.COMMAND_CENTRE, phone="13900000001"
    )
    command.areas.set([city.city])
    district = Unit.objects.create(
        code="U-DIST", name="天元区防控办", kind=Unit.Kind.DISTRICT_BUREAU, phone="13900000002"
    )
    district.areas.set([city.district])
    street = Unit.objects.create(
        code="U-STREET", name="嵩山路街道办", kind=Unit.Kind.STREET_OFFICE, phone="13900000003"
    )
    street.areas.set([city.street])
    committee = city.units["committee"]
    committee.phone = "13900000004"
    committee.save()
    return {"committee": committee, "street": street, "district": district, "command": command}


@pytest.fixture
def gas_team(city: SmallCity, ladder: dict[str, Unit], categories: dict[str, Category]) -> Unit:
    """The gas company's service group for the street (包片区), routed by rule."""
    company = Unit.objects.create(code="U-GAS", name="新奥燃气", kind=Unit.Kind.UTILITY)
    team = Unit.objects.create(
        code="U-GAS-7", name="燃气应急服务第7组", kind=Unit.Kind.UTILITY_TEAM, parent=company
    )
    team.areas.set([city.street])
    RoutingRule.objects.create(
        category=categories["gas"], area=city.street, area_path=city.street.path, unit=team
    )
    return team


@pytest.fixture
def gas_worker(gas_team: Unit) -> User:
    return make_user("gas_worker", role=Role.FIELD_TEAM, unit=gas_team)


@pytest.fixture
def committee_staff(ladder: dict[str, Unit]) -> User:
    return make_user("committee_staff", role=Role.UNIT_STAFF, unit=ladder["committee"])


@pytest.fixture
def street_staff(city: SmallCity, ladder: dict[str, Unit]) -> User:
    return make_user("street_staff", role=Role.STREET_STAFF, area=city.street)
