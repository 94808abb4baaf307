"""The demo's lifeline units seed on a small demo-like city: a week of reports, the
water works' 208 staff, one open problem; and only once."""

from __future__ import annotations

import pytest

from lifeline.accounts.models import Role
from lifeline.continuity import selectors
from lifeline.continuity.models import FigureReport, LifelineUnit, Problem, StaffReport
from lifeline.demo.continuity import seed_demo_continuity
from lifeline.demo.supplies import DEMO_EMAIL
from lifeline.registry.models import Unit
from lifeline.testing.factories import SmallCity, make_user

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_its_lifeline_units_once(city: SmallCity) -> None:
    centre = Unit.objects.create(code="CMD", name="指挥部", kind=Unit.Kind.COMMAND_CENTRE)
    centre.areas.set([city.city])
    for code, name in (("POWER", "国网株洲供电公司"), ("WATER", "株洲市水务集团")):
        Unit.objects.create(code=code, name=name, kind=Unit.Kind.UTILITY).areas.set([city.city])
    Unit.objects.create(code="H-1", name="株洲市中心医院", kind=Unit.Kind.HOSPITAL)
    command = make_user("demo_command", role=Role.COMMAND_STAFF, area=city.city)
    desk = make_user("demo_power", role=Role.UTILITY_STAFF, unit=Unit.objects.get(code="POWER"))
    for user in (command, desk):
        user.email = f"{user.username}{DEMO_EMAIL}"
        user.save(update_fields=["email"])
    assert "株洲电厂" in seed_demo_continuity()
    assert LifelineUnit.objects.count() == 3
    assert FigureReport.objects.count() == 8 * 3 + 8 * 2
    assert FigureReport.objects.filter(figure__name="闭环驻厂人数", value=208).count() == 8
    last = StaffReport.objects.latest("reported_at").reported_at
    on_site = StaffReport.objects.filter(reported_at=last).values_list("on_site", flat=True)
    assert sum(on_site) == 100  # the critical roles among the 208
    assert Problem.objects.count() == 1
    plant = LifelineUnit.objects.get(unit__code="POWER-PLANT")
    line = selectors.unit_status(units=[plant])[0]
    assert line.least_cover is not None and 3 < line.least_cover < 5
    assert seed_demo_continuity() == ""
