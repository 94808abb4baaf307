"""Setting up a closed loop, its needs and issues through the other apps' services, and
bad input refused in the user's language with nothing written."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import translation

from lifeline.core import clock
from lifeline.core.errors import ServiceError
from lifeline.core.models import AuditRecord, OutboxMessage
from lifeline.enterprises import services
from lifeline.enterprises.models import Bubble, Enterprise, LoopStatus, SealedStaff, Vehicle
from lifeline.enterprises.tests.helpers import Crew, at, make_crew
from lifeline.supplies.models import ForWhom, Item, Need
from lifeline.testing.factories import SmallCity, make_user
from lifeline.workorders.models import WorkOrder


@pytest.fixture
def crew(city: SmallCity) -> Crew:
    with clock.frozen_at(at(10, 9)):
        return make_crew(city)


def _counts() -> tuple[int, ...]:
    return (
        Enterprise.objects.count(),
        Bubble.objects.count(),
        SealedStaff.objects.count(),
        Vehicle.objects.count(),
        Need.objects.count(),
        WorkOrder.objects.count(),
        AuditRecord.objects.count(),
        OutboxMessage.objects.count(),
    )


def test_the_canteen_feeding_the_crew_raises_a_need_through_supplies(crew: Crew) -> None:
    # when: the liaison asks for 100 portions' worth of vegetables for the canteen
    with clock.frozen_at(at(10, 11)):
        need = services.supply_need_raise(
            actor=crew.liaison,
            bubble=crew.bubble,
            item=Item.objects.get(code="vegetables"),
            quantity="50",
            needed_by=dt.date(2026, 12, 11),
            canteen=True,
        )
    # then: a supplies need for the canteen, with the enterprise's contact
    assert need.for_whom == ForWhom.CANTEEN
    assert "湘江大桥项目部" in need.for_label
    assert need.contact_phone == crew.enterprise.contact_phone


def test_an_issue_becomes_an_enterprise_issue_work_order(crew: Crew) -> None:
    with clock.frozen_at(at(10, 11)):
        order = services.issue_raise(
            actor=crew.liaison, enterprise=crew.enterprise, description="钢材运输车辆无法出城"
        )
    assert order.category.code == "enterprise_issue"
    assert "钢材运输车辆无法出城" in order.description


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"kind": "farm"}, "kind"),
        ({"contact_name": " "}, "contact_name"),
        ({"contact_phone": "12"}, "contact_phone"),
    ],
)
def test_bad_enterprise_refused_field_by_field_with_nothing_written(
    crew: Crew, change: dict[str, Any], field: str
) -> None:
    body: dict[str, Any] = {
        "area": crew.city.street,
        "name": "株洲某机械厂",
        "contact_name": "张厂长",
        "contact_phone": "13912340000",
        **change,
    }
    before = _counts()
    with translation.override("zh-hans"), pytest.raises(ServiceError) as refused:
        services.enterprise_create(actor=crew.liaison, **body)
    assert field in refused.value.fields
    assert _counts() == before


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: services.staff_add(actor=c.liaison, bubble=c.bubble, name="某人"), "phone"),
        (lambda c: services.staff_add(actor=c.liaison, bubble=c.bubble, phone="139"), "name"),
        (lambda c: services.vehicle_add(actor=c.liaison, bubble=c.bubble, plate="湘B"), "plate"),
        (
            lambda c: services.bubble_create(
                actor=c.liaison, enterprise=c.enterprise, name="二队", dormitory="", workplace="x"
            ),
            "dormitory",
        ),
        (
            lambda c: services.issue_raise(
                actor=c.liaison, enterprise=c.enterprise, description=""
            ),
            "description",
        ),
    ],
)
def test_bad_input_refused_with_nothing_written(crew: Crew, call: Any, field: str) -> None:
    before = _counts()
    with pytest.raises(ServiceError) as refused:
        call(crew)
    assert field in refused.value.fields
    assert _counts() == before


def test_a_member_of_another_loop_cannot_be_reported_in_this_one(crew: Crew) -> None:
    other = services.bubble_create(
        actor=crew.liaison,
        enterprise=crew.enterprise,
        name="二队",
        dormitory="2栋",
        workplace="南岸",
    )
    before = _counts()
    with pytest.raises(ServiceError) as refused:
        services.positive_report(actor=crew.liaison, bubble=other, staff=crew.staff[0])
    assert "staff" in refused.value.fields
    assert _counts() == before
    assert Bubble.objects.get(pk=other.pk).status == LoopStatus.ACTIVE


def test_the_same_name_twice_is_a_conflict(crew: Crew) -> None:
    before = _counts()
    with pytest.raises(ServiceError) as refused:
        services.enterprise_create(
            actor=crew.liaison,
            area=crew.city.street,
            name="湘江大桥项目部",
            contact_name="王建国",
            contact_phone="13912345678",
        )
    assert refused.value.status == 409
    assert _counts() == before


def test_a_liaison_of_another_district_may_not_list_enterprises_here(crew: Crew) -> None:
    from lifeline.accounts.models import Role
    from lifeline.testing.factories import make_area

    other = make_area(parent=crew.city.city, level="district", code="430212", name="荷塘区")
    stranger = make_user("other_liaison", role=Role.ENTERPRISE_LIAISON, area=other)
    before = _counts()
    with pytest.raises(ServiceError) as refused:
        services.enterprise_create(
            actor=stranger,
            area=crew.city.street,
            name="某厂",
            contact_name="张",
            contact_phone="13912340000",
        )
    assert refused.value.status in (403, 404)
    assert _counts() == before
