"""Supply packages' rows of the scope matrix (run by ``tests/test_scope_matrix.py``), and
the small helpers the package tests share.

The committee of the community sells one package to grid A and one to grid B. A household
of grid B has ordered; its building's pick list belongs to grid B's building head. Grid B's
list and order are refused to grid A's head, grid A's community staff, grid workers (who
see supplies but do not deliver) and a user with no membership; grid B's head delivers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

from django.utils import timezone

from lifeline.accounts.models import Role, User
from lifeline.core import clock
from lifeline.registry.models import Area, Household
from lifeline.supplies.models import PackageOrder, PickList, SupplyPackage
from lifeline.supplies.services.packages import package_create, package_order
from lifeline.testing.factories import SmallCity, make_user
from lifeline.testing.scope_matrix import Case, World, base_personas

API = "/api/v1/supplies"


def at(hour: int, minute: int = 0, *, days: int = 0) -> dt.datetime:
    """Today (in the city's zone) at ``hour:minute``, shifted by ``days``."""
    day = timezone.localdate(clock.now()) + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def make_package(
    city: SmallCity, actor: User, area: Area, *, cap: int = 200, **more: Any
) -> SupplyPackage:
    values: dict[str, Any] = {
        "name": "蔬菜包",
        "contents": "青菜2斤、土豆2斤、鸡蛋10个",
        "price": "39.90",
        "daily_cap": cap,
        "per_household": 1,
        "opens_at": "07:00",
        "closes_at": "14:00",
        "deliver_from": "18:00",
        **more,
    }
    return package_create(actor=actor, unit=city.units["committee"], area=area, **values)


def order_for(household: Household, package: SupplyPackage, *, when: dt.datetime) -> PackageOrder:
    return package_order(
        phone=household.phone, household_id=household.pk, package_id=package.pk, now=when
    )


@dataclass
class PackagesWorld(World):
    staff: User  # community staff of the whole community
    staff_a: User
    staff_b: User
    head_a: User
    head_b: User
    package_a: SupplyPackage
    package_b: SupplyPackage
    order_b: PackageOrder
    pick_list_b: PickList

    denied: ClassVar[tuple[str, ...]] = ("worker_a", "outsider", "head_a", "staff_a")
    controls: ClassVar[tuple[str, ...]] = ("head_b",)
    viewers: ClassVar[tuple[str, ...]] = ("worker_a", "staff_a")

    def snapshot(self) -> Any:
        orders = list(
            PackageOrder.objects.order_by("pk").values_list("pk", "status", "payment", "refusal")
        )
        lists = list(PickList.objects.order_by("pk").values_list("pk", "closed_at"))
        return orders, lists, SupplyPackage.objects.count()

    def private_values(self) -> list[str]:
        return [self.order_b.phone]


def make_packages_world(city: SmallCity) -> PackagesWorld:
    staff = make_user("pk_staff", role=Role.COMMUNITY_STAFF, area=city.community)
    package_a = make_package(city, staff, city.grid_a)
    package_b = make_package(city, staff, city.grid_b)
    order_b = order_for(city.people_b[1].household, package_b, when=at(10))
    return PackagesWorld(
        **base_personas(city),
        staff=staff,
        staff_a=make_user("pk_staff_a", role=Role.COMMUNITY_STAFF, area=city.grid_a),
        staff_b=make_user("pk_staff_b", role=Role.COMMUNITY_STAFF, area=city.grid_b),
        head_a=make_user("pk_head_a", role=Role.BUILDING_HEAD, area=city.grid_a),
        head_b=make_user("pk_head_b", role=Role.BUILDING_HEAD, area=city.grid_b),
        package_a=package_a,
        package_b=package_b,
        order_b=order_b,
        pick_list_b=order_b.pick_list,
    )


PACKAGES_CASES = [
    Case("get", f"{API}/packages", "list"),
    Case(
        "post",
        f"{API}/packages",
        "create",
        label="grid B's households",
        created=SupplyPackage,
        body=lambda w: {
            "unit_id": w.city.units["committee"].pk,
            "area_id": w.grid_b.pk,
            "name": "肉包",
            "contents": "猪肉1斤",
            "price": "25.00",
            "daily_cap": 50,
        },
        denied=("worker_a", "worker_b", "outsider", "head_b", "staff_a"),
        controls=("staff_b", "staff"),
    ),
    Case(
        "get",
        f"{API}/picklists/{{picklist_id}}",
        "object",
        lambda w: {"picklist_id": w.pick_list_b.pk},
        controls=("head_b", "worker_b", "staff_b"),
    ),
    Case(
        "post",
        f"{API}/package-orders/{{order_id}}/deliver",
        "object",
        lambda w: {"order_id": w.order_b.pk},
        body=lambda w: {"delivered": True},
        denied=("worker_a", "worker_b", "outsider", "head_a", "staff_a", "staff_b"),
    ),
    Case(
        "post",
        f"{API}/package-orders/{{order_id}}/payment",
        "object",
        lambda w: {"order_id": w.order_b.pk},
        body=lambda w: {"payment": "paid"},
        denied=("worker_a", "worker_b", "outsider", "head_a", "staff_a"),
        controls=("head_b", "staff_b", "staff"),
    ),
]
