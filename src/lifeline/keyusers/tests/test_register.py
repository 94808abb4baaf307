"""Changing a key user's plan: audited by field names, never with the phone; a duty desk
of another area cannot see or change it."""

from __future__ import annotations

import pytest

from lifeline.accounts.models import Role
from lifeline.core.errors import NotFound, ServiceError
from lifeline.core.models import AuditRecord
from lifeline.keyusers import selectors
from lifeline.keyusers.services import keyuser_update
from lifeline.keyusers.tests.helpers import key_user, make_power_grid
from lifeline.testing.factories import SmallCity, make_user

pytestmark = pytest.mark.django_db


def test_a_plan_change_is_audited_by_field_names(city: SmallCity) -> None:
    grid = make_power_grid(city)
    hospital = key_user(grid, 1, grid.feeder_a)
    keyuser_update(
        actor=grid.duty,
        key_user=hospital,
        contact_phone="13700005555",
        special_plan="改为集中隔离医院",
        supply_points=[grid.feeder_a, grid.feeder_b],
    )
    hospital.refresh_from_db()
    assert hospital.special_plan == "改为集中隔离医院"
    assert hospital.supply_points.count() == 2
    record = AuditRecord.objects.filter(action="keyusers.keyuser_update").get()
    assert "13700005555" not in str(record.__dict__)
    with pytest.raises(ServiceError):
        keyuser_update(actor=grid.duty, key_user=hospital, response_minutes=0)
    hospital.refresh_from_db()
    assert hospital.response_minutes == 30


def test_a_grid_desk_sees_only_its_area(city: SmallCity) -> None:
    grid = make_power_grid(city)
    hospital = key_user(grid, 1, grid.feeder_b)
    other = make_user("ku_other", role=Role.UTILITY_STAFF, area=city.grid_a)
    assert not selectors.keyuser_list(actor=other).exists()
    with pytest.raises(NotFound):
        selectors.keyuser_get(actor=other, pk=hospital.pk)
    with pytest.raises(ServiceError):
        keyuser_update(actor=other, key_user=hospital, name="改名")
