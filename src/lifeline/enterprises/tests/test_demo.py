"""The demo's enterprises: seeded once for the demo liaison, with some members behind."""

from __future__ import annotations

from lifeline.accounts.models import Role
from lifeline.demo.enterprises import seed_demo_enterprises
from lifeline.demo.supplies import DEMO_EMAIL
from lifeline.enterprises import selectors
from lifeline.enterprises.models import Enterprise
from lifeline.registry.models import Unit
from lifeline.supplies.models import Need
from lifeline.testing.factories import SmallCity, make_user


def test_the_demo_seeds_the_bridge_crew_and_the_factory_once(city: SmallCity) -> None:
    office = Unit.objects.create(code="U-DB", name="天元区商务局", kind=Unit.Kind.DISTRICT_BUREAU)
    office.areas.set([city.district])
    liaison = make_user("demo_liaison", role=Role.ENTERPRISE_LIAISON, area=city.district)
    liaison.email = f"liaison{DEMO_EMAIL}"
    liaison.save()
    assert seed_demo_enterprises().endswith("1 canteen need")
    assert seed_demo_enterprises() == ""
    bridge = Enterprise.objects.get(name="湘江大桥复工项目部")
    figures = selectors.compliance(actor=liaison, enterprise=bridge)
    assert len(figures.behind) >= 3
    assert Need.objects.filter(for_whom="canteen").count() == 1
