"""Needs' and allocations' rows of the scope matrix (``tests/test_scope_matrix.py``).

Needs of grid A and grid B, raised by their grid workers; a recurring need of grid B's
canteen; the logistics group (a warehouse officer of its unit, seeing the district) with a
Red Cross lot; a proposal of grid B's needs. Grid A's worker and a user with no membership
are refused grid B's needs; grid workers never run or decide allocations, which only the
logistics officer does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from lifeline.accounts.models import Role, User
from lifeline.core import clock
from lifeline.registry.models import Unit
from lifeline.supplies.models import (
    Allocation,
    AllocationRun,
    Item,
    Lot,
    Need,
    RecurringNeed,
    Warehouse,
    WarehouseKind,
)
from lifeline.supplies.services import ledger
from lifeline.supplies.services.allocation import allocation_propose
from lifeline.supplies.services.needs import need_create, recurring_create
from lifeline.testing.factories import SmallCity, make_user
from lifeline.testing.scope_matrix import Case, World, base_personas

API = "/api/v1/supplies"


@dataclass
class NeedsWorld(World):
    logistics: Unit
    red_cross: Unit
    officer: User
    store: Warehouse
    red_cross_store: Warehouse
    canteen_store: Warehouse
    lot: Lot
    need_a: Need
    need_b: Need
    recurring_b: RecurringNeed
    run_b: AllocationRun
    line_b: Allocation

    denied: ClassVar[tuple[str, ...]] = ("worker_a", "outsider")
    controls: ClassVar[tuple[str, ...]] = ("worker_b",)
    viewers: ClassVar[tuple[str, ...]] = ("worker_a",)

    def snapshot(self) -> Any:
        needs = list(Need.objects.order_by("pk").values_list("pk", "status", "allocated"))
        runs = list(AllocationRun.objects.order_by("pk").values_list("pk", "status"))
        lines = list(Allocation.objects.order_by("pk").values_list("pk", "quantity"))
        return needs, runs, lines, Lot.objects.get(pk=self.lot.pk).on_hand


def item(code: str) -> Item:
    return Item.objects.select_related("base_unit").get(code=code)


def warehouse(code: str, name: str, kind: str, unit: Unit, area: Any, **extra: Any) -> Warehouse:
    return Warehouse.objects.create(
        code=code,
        name=name,
        kind=kind,
        unit=unit,
        area=area,
        area_path=area.path,
        lat=extra.pop("lat", 27.83),
        lng=extra.pop("lng", 113.15),
        **extra,
    )


def logistics_setup(city: SmallCity, prefix: str = "n") -> dict[str, Any]:
    """The logistics group and the Red Cross of the district, their stores, an officer."""
    logistics = Unit.objects.create(
        code=f"{prefix.upper()}-LOG", name="区指挥部后勤保障组", kind=Unit.Kind.LOGISTICS
    )
    logistics.areas.set([city.district])
    red_cross = Unit.objects.create(
        code=f"{prefix.upper()}-RC", name="区红十字会", kind=Unit.Kind.RED_CROSS
    )
    red_cross.areas.set([city.district])
    store = warehouse(
        f"{prefix}-WH-LOG",
        "后勤保障组仓库",
        WarehouseKind.LOGISTICS,
        logistics,
        city.district,
        contact_name="仓管王",
        contact_phone="13900001111",
    )
    red_cross_store = warehouse(
        f"{prefix}-WH-RC",
        "红十字会仓库",
        WarehouseKind.RED_CROSS,
        red_cross,
        city.district,
        contact_name="红会李",
        contact_phone="13900002222",
    )
    officer = make_user(
        f"{prefix}_officer", role=Role.WAREHOUSE_OFFICER, unit=logistics, area=city.district
    )
    return {
        "logistics": logistics,
        "red_cross": red_cross,
        "store": store,
        "red_cross_store": red_cross_store,
        "officer": officer,
    }


def raise_need(user: User, area: Any, code: str, quantity: str, **extra: Any) -> Need:
    fields: dict[str, Any] = {
        "unit_code": "",
        "needed_by": clock.today() + dt.timedelta(days=1),
        "priority": 3,
        "for_whom": "community",
        "for_label": f"{area.name}",
        "contact_name": "社区刘",
        "contact_phone": "13800003333",
    }
    fields.update(extra)
    return need_create(actor=user, area=area, item=item(code), quantity=quantity, **fields)


def make_needs_world(city: SmallCity) -> NeedsWorld:
    personas = base_personas(city)
    setup = logistics_setup(city, prefix="m")
    lot = ledger.new_lot(
        actor=None,
        warehouse=setup["red_cross_store"],
        item=item("n95"),
        quantity=Decimal(500),
        expires_on=clock.today() + dt.timedelta(days=365),
    )
    need_a = raise_need(personas["worker_a"], city.grid_a, "n95", "100")
    need_b = raise_need(personas["worker_b"], city.grid_b, "n95", "200")
    canteen_store = warehouse(
        "m-WH-CANTEEN", "工厂食堂库房", WarehouseKind.CANTEEN, city.units["committee"], city.grid_b
    )
    recurring_b = recurring_create(
        actor=personas["worker_b"],
        area=city.grid_b,
        label="工厂食堂",
        people=100,
        item=item("vegetables"),
        per_day="200",
        unit_code="jin",
        warehouse=canteen_store,
        contact_name="食堂张",
        contact_phone="13800004444",
    )
    recurring_create(
        actor=personas["worker_a"],
        area=city.grid_a,
        label="一网格卡口",
        item=item("instant_noodles"),
        per_day="2",
        contact_name="卡口钱",
        contact_phone="13800006666",
        for_whom="post",
    )
    run_b = allocation_propose(actor=setup["officer"], unit=setup["logistics"], area=city.grid_b)
    line_b = run_b.allocations.get()
    return NeedsWorld(
        **personas,
        **setup,
        canteen_store=canteen_store,
        lot=lot,
        need_a=need_a,
        need_b=need_b,
        recurring_b=recurring_b,
        run_b=run_b,
        line_b=line_b,
    )


def _need_body(w: NeedsWorld) -> dict[str, Any]:
    return {
        "area_id": w.grid_b.pk,
        "item": "n95",
        "quantity": "50",
        "needed_by": (clock.today() + dt.timedelta(days=2)).isoformat(),
        "for_whom": "post",
        "for_label": "二网格卡口",
        "contact_name": "卡口赵",
        "contact_phone": "13800005555",
    }


def _recurring_body(w: NeedsWorld) -> dict[str, Any]:
    return {
        "area_id": w.grid_b.pk,
        "label": "食堂二",
        "item": "meat",
        "per_day": "50",
        "unit_code": "jin",
        "people": 100,
        "warehouse_id": w.canteen_store.pk,
        "contact_name": "食堂张",
        "contact_phone": "13800004444",
    }


OFFICER_ONLY = ("worker_a", "worker_b", "outsider")

NEEDS_CASES = [
    Case("get", f"{API}/needs", "list"),
    Case("post", f"{API}/needs", "create", label="grid B", created=Need, body=_need_body),
    Case("get", f"{API}/needs/{{need_id}}", "object", lambda w: {"need_id": w.need_b.pk}),
    Case(
        "post",
        f"{API}/needs/{{need_id}}/cancel",
        "object",
        lambda w: {"need_id": w.need_b.pk},
        body=lambda w: {"reason": "不需要了"},
    ),
    Case("get", f"{API}/needs/recurring", "list"),
    Case(
        "post",
        f"{API}/needs/recurring",
        "create",
        label="grid B",
        created=RecurringNeed,
        body=_recurring_body,
    ),
    Case(
        "post",
        f"{API}/allocations",
        "create",
        label="grid B's needs",
        created=AllocationRun,
        body=lambda w: {"unit_id": w.logistics.pk, "area_id": w.grid_b.pk},
        denied=OFFICER_ONLY,
        controls=("officer",),
    ),
    Case(
        "get",
        f"{API}/allocations/{{run_id}}",
        "object",
        lambda w: {"run_id": w.run_b.pk},
        denied=("worker_a", "outsider"),
        controls=("officer",),
    ),
    Case(
        "post",
        f"{API}/allocations/{{run_id}}/lines/{{line_id}}",
        "object",
        lambda w: {"run_id": w.run_b.pk, "line_id": w.line_b.pk},
        body=lambda w: {"quantity": "150"},
        denied=OFFICER_ONLY,
        controls=("officer",),
    ),
    Case(
        "post",
        f"{API}/allocations/{{run_id}}/approve",
        "object",
        lambda w: {"run_id": w.run_b.pk},
        denied=OFFICER_ONLY,
        controls=("officer",),
    ),
    Case(
        "post",
        f"{API}/allocations/{{run_id}}/discard",
        "object",
        lambda w: {"run_id": w.run_b.pk},
        denied=OFFICER_ONLY,
        controls=("officer",),
    ),
]
