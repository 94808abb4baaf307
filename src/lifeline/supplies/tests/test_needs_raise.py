"""Raising needs (bad input refused with nothing written), the canteen's recurring need
alerting once when its days of cover fall below 2 (scenario 4), and the streets' needs
allocated from the Red Cross stock (part of scenario 1)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from lifeline.accounts.models import Role
from lifeline.core import clock
from lifeline.core.errors import ServiceError
from lifeline.core.models import OutboxMessage
from lifeline.registry.models import Area, AreaLevel, Unit
from lifeline.supplies.models import Need, NeedStatus, WarehouseKind
from lifeline.supplies.services import ledger
from lifeline.supplies.services.allocation import allocation_approve, allocation_propose
from lifeline.supplies.services.needs import need_cancel, recurring_create, recurring_sweep
from lifeline.supplies.tests.scope_cases_needs import (
    item,
    logistics_setup,
    raise_need,
    warehouse,
)
from lifeline.testing.factories import SmallCity, make_area, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(city: SmallCity) -> Any:
    return make_user("n_staff", role=Role.COMMUNITY_STAFF, area=city.community)


def test_a_need_is_kept_in_the_base_unit_for_the_committee(city: SmallCity, staff: Any) -> None:
    need = raise_need(staff, city.grid_b, "vegetables", "200", unit_code="jin")
    assert need.quantity == Decimal(100) and need.unit == city.units["committee"]
    assert need.status == NeedStatus.OPEN and need.contact_phone == "13800003333"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "-5"}, "quantity"),
        ({"quantity": "abc"}, "quantity"),
        ({"unit_code": "furlong"}, "unit_code"),
        ({"unit_code": "kg"}, "unit_code"),  # kilograms of masks
        ({"contact_phone": "12"}, "contact_phone"),
        ({"contact_name": ""}, "contact_name"),
        ({"needed_by": dt.date(2000, 1, 1)}, "needed_by"),
        ({"for_whom": "moon"}, "for_whom"),
        ({"priority": 9}, "priority"),
    ],
)
def test_bad_input_refused_with_nothing_written(
    city: SmallCity, staff: Any, change: dict[str, Any], field: str
) -> None:
    values: dict[str, Any] = {"quantity": "10", **change}
    quantity = values.pop("quantity")
    with pytest.raises(ServiceError) as refused:
        raise_need(staff, city.grid_b, "n95", quantity, **values)
    assert field in refused.value.fields
    assert Need.objects.count() == 0


def test_outside_the_membership_refused(city: SmallCity) -> None:
    worker = make_user("n_worker_a", role=Role.GRID_WORKER, area=city.grid_a)
    with pytest.raises(ServiceError):
        raise_need(worker, city.grid_b, "n95", "10")
    assert Need.objects.count() == 0


def test_cancel_an_open_need(city: SmallCity, staff: Any) -> None:
    need = raise_need(staff, city.grid_b, "n95", "10")
    need_cancel(actor=staff, need=need)
    assert Need.objects.get().status == NeedStatus.CANCELLED
    with pytest.raises(ServiceError):
        need_cancel(actor=staff, need=need)


def test_canteen_alerts_once_when_cover_falls_below_two_days(city: SmallCity, staff: Any) -> None:
    # given the sealed canteen: 100 people, 200 jin of vegetables and 50 jin of meat a day
    store = warehouse(
        "n-CANTEEN",
        "工厂食堂库房",
        WarehouseKind.CANTEEN,
        city.units["committee"],
        city.grid_b,
        contact_name="库管孙",
        contact_phone="13900003333",
    )
    common = {
        "actor": staff,
        "area": city.grid_b,
        "label": "工厂食堂",
        "people": 100,
        "unit_code": "jin",
        "warehouse": store,
        "contact_name": "食堂张",
        "contact_phone": "13800004444",
    }
    veg = recurring_create(item=item("vegetables"), per_day="200", **common)
    meat = recurring_create(item=item("meat"), per_day="50", **common)
    assert (veg.per_day, meat.per_day, veg.alert_below_days) == (100, 25, 2)
    # with 300 kg of vegetables (3 days) and 40 kg of meat (1.6 days) in the store
    vegetables = ledger.new_lot(
        actor=None, warehouse=store, item=item("vegetables"), quantity=Decimal(300)
    )
    ledger.new_lot(actor=None, warehouse=store, item=item("meat"), quantity=Decimal(40))
    # when the sweep runs
    figures = recurring_sweep(now=clock.now())
    # then the meat alone alerts: both contacts texted, the next day's need raised
    assert figures["alerts"] == 1 and figures["needs_raised"] == 1
    texts = list(OutboxMessage.objects.values_list("recipient", flat=True))
    assert sorted(texts) == ["13800004444", "13900003333"]
    assert Need.objects.get().recurring == meat and Need.objects.get().quantity == 25
    # and a second sweep raises nothing more (once per fall)
    assert recurring_sweep(now=clock.now())["alerts"] == 0
    assert OutboxMessage.objects.count() == 2
    # when the vegetables fall to 1.5 days, they alert once too
    ledger.post(vegetables, Decimal(-150), "issue", actor=None)
    assert recurring_sweep(now=clock.now())["alerts"] == 1
    # when the meat is restocked, its alert clears, and the next fall alerts again
    meat_lot = ledger.new_lot(actor=None, warehouse=store, item=item("meat"), quantity=Decimal(100))
    assert recurring_sweep(now=clock.now())["cleared"] == 1
    ledger.post(meat_lot, Decimal(-100), "issue", actor=None)
    assert recurring_sweep(now=clock.now())["alerts"] == 1


def test_streets_needs_allocated_from_the_red_cross_stock(city: SmallCity) -> None:
    # given the Red Cross's received donation: 3,000 suits, 11,000 N95, 3,500 bottles
    setup = logistics_setup(city)
    expiry = clock.today() + dt.timedelta(days=365)
    for code, quantity in (("protective_suit", 3000), ("n95", 11000), ("alcohol_500ml", 3500)):
        ledger.new_lot(
            actor=None,
            warehouse=setup["red_cross_store"],
            item=item(code),
            quantity=Decimal(quantity),
            expires_on=expiry,
        )
    # and the open needs of two streets (the second street has its own office and staff)
    street2 = make_area(
        parent=city.district, level=AreaLevel.STREET, code="430211002", name="马家河街道"
    )
    for code, name, area in (
        ("N-ST1", "嵩山路街道办", city.street),
        ("N-ST2", "马家河街道办", street2),
    ):
        office = Unit.objects.create(code=code, name=name, kind=Unit.Kind.STREET_OFFICE)
        office.areas.set([area])
    staff1 = make_user("n_street1", role=Role.STREET_STAFF, area=city.street)
    staff2 = make_user("n_street2", role=Role.STREET_STAFF, area=street2)
    wanted = [
        (staff1, city.street, "protective_suit", "2000"),
        (staff2, street2, "protective_suit", "1500"),
        (staff1, city.street, "n95", "6000"),
        (staff2, street2, "n95", "5000"),
        (staff1, city.street, "alcohol_500ml", "1000"),
        (staff2, street2, "alcohol_500ml", "1000"),
    ]
    needs = [raise_need(u, a, code, q, for_whom="street") for u, a, code, q in wanted]
    assert {n.unit.kind for n in needs} == {Unit.Kind.STREET_OFFICE}
    assert isinstance(street2, Area)
    # when the logistics group allocates and approves
    run = allocation_propose(actor=setup["officer"], unit=setup["logistics"])
    assert run.solver["optimal"] and run.solver["allocated"] == "16000.000"
    allocation_approve(actor=setup["officer"], run=run)
    # then the suits are short (3,000 for 3,500) and shared fairly; the rest is met in full
    got = {(n.area_id, n.item.code): Need.objects.get(pk=n.pk).allocated for n in needs}
    assert got[(city.street.pk, "protective_suit")] + got[(street2.pk, "protective_suit")] == 3000
    assert got[(street2.pk, "protective_suit")] >= 750  # at least its fair first half
    assert got[(city.street.pk, "n95")] == 6000 and got[(street2.pk, "alcohol_500ml")] == 1000
    # and received = allocated + in stock (for every item)
    for code, quantity in (("protective_suit", 3000), ("n95", 11000), ("alcohol_500ml", 3500)):
        allocated = sum(v for (a, c), v in got.items() if c == code)
        in_stock = ledger.on_hand(setup["red_cross_store"], item(code))
        assert allocated + in_stock == quantity
    assert not ledger.ledger_problems()
