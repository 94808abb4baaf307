"""Supply packages, the services: the window, one order per household, the cap, pick lists
that equal their orders and close when each is delivered or refused (seed scenario 3),
payment recorded, bad input refused with nothing written."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from lifeline.accounts.models import Role, User
from lifeline.core import clock
from lifeline.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from lifeline.registry.models import Building, Household
from lifeline.supplies.models import (
    OrderStatus,
    PackageDay,
    PackageOrder,
    PickList,
    SupplyPackage,
)
from lifeline.supplies.selectors import packages as selectors
from lifeline.supplies.services import packages as services
from lifeline.supplies.tests.scope_cases_packages import at, make_package, order_for
from lifeline.testing.factories import SmallCity, make_household, make_person, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(city: SmallCity) -> User:
    return make_user("pk_staff", role=Role.COMMUNITY_STAFF, area=city.community)


@pytest.fixture
def head_a(city: SmallCity) -> User:
    return make_user("pk_head_a", role=Role.BUILDING_HEAD, area=city.grid_a)


@pytest.fixture
def package(city: SmallCity, staff: User) -> SupplyPackage:
    return make_package(city, staff, city.community, cap=5)


def _households(city: SmallCity, building: Building, n: int) -> list[Household]:
    return [
        make_household(grid=city.grid_a, unit_no=f"{i + 1}0{i % 9}", building=building)
        for i in range(n)
    ]


def _state() -> Any:
    return (
        list(PackageDay.objects.values_list("pk", "ordered", "closed_at")),
        list(PackageOrder.objects.values_list("pk", "status", "payment")),
        PickList.objects.count(),
        SupplyPackage.objects.count(),
    )


def test_a_household_orders_once_inside_the_window_and_joins_its_buildings_pick_list(
    city: SmallCity, package: SupplyPackage
) -> None:
    household = city.people_a[0].household
    # when the household orders at 10:00
    order = order_for(household, package, when=at(10))
    # then it is counted and on its building's pick list
    day = PackageDay.objects.get(package=package)
    assert (day.ordered, day.cap, day.day) == (1, 5, at(10).date())
    assert order.pick_list.building_id == household.building_id
    # and a second order of the same household the same day is refused, nothing counted
    with pytest.raises(Conflict) as refused:
        order_for(household, package, when=at(11))
    assert refused.value.code == "already_ordered" and refused.value.status == 409
    assert PackageDay.objects.get(pk=day.pk).ordered == 1


def test_a_members_own_phone_orders_and_a_stranger_phone_is_not_found(
    city: SmallCity, package: SupplyPackage
) -> None:
    household = city.people_a[1].household
    member = make_person(household=household, phone="13900001111")
    order = services.package_order(
        phone=member.phone, household_id=household.pk, package_id=package.pk, now=at(9)
    )
    assert order.household_id == household.pk
    with pytest.raises(NotFound):
        services.package_order(
            phone="13700000000", household_id=household.pk, package_id=package.pk, now=at(9)
        )


def test_per_household_two_allows_two_orders_and_not_three(city: SmallCity, staff: User) -> None:
    package = make_package(city, staff, city.grid_a, cap=10, per_household=2)
    household = city.people_a[0].household
    first, second = (order_for(household, package, when=at(8)) for _ in range(2))
    assert (first.seq, second.seq) == (1, 2)
    with pytest.raises(Conflict) as refused:
        order_for(household, package, when=at(8))
    assert refused.value.code == "already_ordered"


@pytest.mark.parametrize("hour", [6, 14, 20])
def test_an_order_outside_the_window_is_refused_and_writes_nothing(
    city: SmallCity, package: SupplyPackage, hour: int
) -> None:
    before = _state()
    with pytest.raises(Conflict) as refused:
        order_for(city.people_a[0].household, package, when=at(hour))
    assert refused.value.code == "window_closed"
    assert _state() == before


def test_the_cap_sells_out_and_closes_the_day_and_a_cancel_reopens_it(
    city: SmallCity, staff: User
) -> None:
    package = make_package(city, staff, city.community, cap=2)
    building = city.people_a[0].household.building
    households = _households(city, building, 3)
    one = order_for(households[0], package, when=at(9))
    order_for(households[1], package, when=at(9))
    day = PackageDay.objects.get(package=package)
    assert day.ordered == 2 and day.closed_at is not None
    with pytest.raises(Conflict) as refused:
        order_for(households[2], package, when=at(9))
    assert refused.value.code == "sold_out" and "2" in str(refused.value.message)
    # when the first household cancels inside the window, one is on sale again
    services.order_cancel(phone=households[0].phone, order_id=one.pk, now=at(10))
    assert PackageDay.objects.get(pk=day.pk).ordered == 1
    assert PackageDay.objects.get(pk=day.pk).closed_at is None
    order_for(households[2], package, when=at(11))
    assert PackageDay.objects.get(pk=day.pk).ordered == 2


def test_scenario_3_pick_list_equals_its_orders_and_closes_when_each_is_done(
    city: SmallCity, package: SupplyPackage, head_a: User, staff: User
) -> None:
    # given four households of one building ordering (and one of another building)
    building = Building.objects.create(
        grid=city.grid_a, area_path=city.grid_a.path, name="7栋", address="泰山路7栋"
    )
    households = _households(city, building, 4)
    orders = [order_for(h, package, when=at(9, 30)) for h in households]
    order_for(city.people_a[0].household, package, when=at(9, 30))
    pick_list = PickList.objects.get(day__package=package, building=building)
    # then the building's pick list holds exactly its four orders
    lines = selectors.picklist_lines(pick_list=pick_list)
    assert sorted(line["order"].pk for line in lines) == sorted(o.pk for o in orders)
    assert sum(line["quantity"] for line in lines) == 4
    counted = PackageOrder.objects.filter(day__package=package).count()
    assert PackageDay.objects.get(package=package).ordered == counted == 5
    assert all("****" in line["phone"] for line in lines)
    # when the head delivers three and cannot deliver one (with a reason)
    for order in orders[:3]:
        services.order_deliver(actor=head_a, order=order, delivered=True)
        assert PickList.objects.get(pk=pick_list.pk).closed_at is None
    with pytest.raises(ServiceError) as no_reason:
        services.order_deliver(actor=head_a, order=orders[3], delivered=False)
    assert "reason" in no_reason.value.fields
    services.order_deliver(actor=head_a, order=orders[3], delivered=False, reason="家中无人")
    # then the list is closed, and the tallies say so
    closed = selectors.picklist_get(actor=head_a, pk=pick_list.pk)
    assert closed.closed_at is not None
    assert (closed.collected, closed.delivered, closed.refused, closed.waiting) == (4, 3, 1, 0)  # type: ignore[attr-defined]
    # and a household confirms receipt of a delivered order (an undelivered one cannot)
    services.order_confirm(phone=households[0].phone, order_id=orders[0].pk)
    assert PackageOrder.objects.get(pk=orders[0].pk).confirmed_at is not None
    with pytest.raises(Conflict):
        services.order_confirm(phone=households[3].phone, order_id=orders[3].pk)
    # and the payment is recorded by staff or the head, not by a stranger
    services.order_payment_set(actor=staff, order=orders[0], payment="paid")
    services.order_payment_set(actor=head_a, order=orders[1], payment="waived")
    assert list(
        PackageOrder.objects.filter(pk__in=[orders[0].pk, orders[1].pk])
        .order_by("pk")
        .values_list("payment", flat=True)
    ) == ["paid", "waived"]
    with pytest.raises(ServiceError):
        services.order_payment_set(actor=staff, order=orders[2], payment="refunded")
    grid_b_head = make_user("head_b", role=Role.BUILDING_HEAD, area=city.grid_b)
    with pytest.raises((NotFound, PermissionDenied)):
        services.order_payment_set(actor=grid_b_head, order=orders[2], payment="paid")
    with pytest.raises((NotFound, PermissionDenied)):
        services.order_deliver(actor=grid_b_head, order=orders[2], delivered=True)


def test_a_head_of_another_grid_and_staff_cannot_mark_delivery(
    city: SmallCity, package: SupplyPackage, staff: User
) -> None:
    order = order_for(city.people_a[0].household, package, when=at(9))
    with pytest.raises(PermissionDenied):
        services.order_deliver(actor=staff, order=order, delivered=True)
    assert PackageOrder.objects.get(pk=order.pk).status == OrderStatus.ORDERED


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("daily_cap", 0),
        ("daily_cap", -5),
        ("daily_cap", "many"),
        ("price", "-1"),
        ("price", "abc"),
        ("price", "1.234"),
        ("name", "  "),
        ("name", "包\u202e"),
        ("closes_at", "06:00"),
        ("opens_at", "25:00"),
        ("per_household", 0),
    ],
)
def test_bad_package_input_is_refused_naming_the_field_and_writes_nothing(
    city: SmallCity, staff: User, field: str, value: Any
) -> None:
    before = _state()
    with pytest.raises(ServiceError) as refused:
        make_package(city, staff, city.community, **{field: value})
    assert field in refused.value.fields and refused.value.status == 400
    assert _state() == before


def test_only_staff_of_the_area_publish_and_the_unit_must_serve_it(
    city: SmallCity, staff: User, grid_worker_a: User
) -> None:
    with pytest.raises(PermissionDenied):
        make_package(city, grid_worker_a, city.grid_a)
    head = make_user("head", role=Role.BUILDING_HEAD, area=city.grid_a)
    with pytest.raises(PermissionDenied):
        make_package(city, head, city.grid_a)
    with pytest.raises(NotFound):
        make_package(city, staff, city.street)
    assert SupplyPackage.objects.count() == 0


def test_update_changes_the_cap_of_today_unless_more_are_ordered(
    city: SmallCity, staff: User
) -> None:
    package = make_package(city, staff, city.community, cap=3)
    building = city.people_a[0].household.building
    for household in _households(city, building, 2):
        order_for(household, package, when=at(9))
    with clock.frozen_at(at(10)):
        with pytest.raises(Conflict):
            services.package_update(actor=staff, package=package, daily_cap=1)
        services.package_update(actor=staff, package=package, daily_cap=2, price="35")
    day = PackageDay.objects.get(package=package)
    assert (day.cap, day.closed_at is not None) == (2, True)
    assert SupplyPackage.objects.get(pk=package.pk).price == Decimal("35.00")
    services.package_stop(actor=staff, package=package)
    with pytest.raises(NotFound):
        order_for(city.people_b[0].household, package, when=at(9))


def test_live_counts_come_from_the_counter(
    city: SmallCity, package: SupplyPackage, staff: User
) -> None:
    order_for(city.people_a[0].household, package, when=at(9))
    with clock.frozen_at(at(12)):
        (row,) = selectors.package_list_live(actor=staff)
        (mine,) = selectors.packages_for_household(household=city.people_a[0].household)
    assert (row.ordered, row.cap, row.left, row.window_open) == (1, 5, 4, True)
    assert len(mine.mine) == 1
