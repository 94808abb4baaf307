"""Stock rows of the scope matrix (run by ``tests/test_scope_matrix.py``), and the helpers
the stock tests build their warehouses with.

Two logistics units, one in grid A and one in grid B, each with warehouses and a warehouse
officer (a membership of the unit and the grid). Grid B's warehouses, lots and counts are
refused to grid A's officer, to grid workers where they would move stock (they may read
stock in their own grid) and to a user with no membership; grid B's officers reach them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import import_module
from typing import Any, ClassVar

from django.apps import apps as django_apps
from django.db.models import Sum

from lifeline.accounts.models import Role, User
from lifeline.core import clock
from lifeline.registry.models import Area, Unit
from lifeline.supplies.models import (
    Item,
    LedgerEntry,
    Lot,
    StockCount,
    StockCountLine,
    Warehouse,
    WarehouseKind,
)
from lifeline.supplies.services import counts, ledger
from lifeline.testing.factories import SmallCity, make_user
from lifeline.testing.scope_matrix import Case, World, base_personas

API = "/api/v1/supplies/stock"


def seed_catalogue() -> None:
    """Transactional tests flush every table, the migration-seeded catalogue included: put
    it back with the migration's own seed function, so the data cannot drift."""
    if not Item.objects.exists():
        import_module("lifeline.supplies.migrations.0002_seed_catalogue").seed(django_apps, None)


def make_unit(code: str, name: str) -> Unit:
    """A logistics unit; the catalogue is seeded first when a flush removed it."""
    seed_catalogue()
    return Unit.objects.create(code=code, name=name, kind=Unit.Kind.LOGISTICS)


def make_warehouse(
    code: str, *, unit: Unit, area: Area, kind: str = WarehouseKind.LOGISTICS, name: str = ""
) -> Warehouse:
    return Warehouse.objects.create(
        code=code,
        name=name or f"{area.name}物资仓库",
        kind=kind,
        unit=unit,
        area=area,
        area_path=area.path,
    )


def make_officer(username: str, *, unit: Unit, area: Area) -> User:
    return make_user(username, role=Role.WAREHOUSE_OFFICER, area=area, unit=unit)


def item(code: str) -> Item:
    return Item.objects.select_related("base_unit").get(code=code)


def receive(
    actor: User,
    warehouse: Warehouse,
    code: str,
    quantity: str | int,
    *,
    days: int = 180,
    lot_no: str = "",
) -> Lot:
    """A lot received now, expiring in ``days`` when the item tracks expiry."""
    thing = item(code)
    expires = clock.today() + dt.timedelta(days=days) if thing.tracks_expiry else None
    return ledger.stock_receive(
        actor=actor,
        warehouse=warehouse,
        item=thing,
        quantity=str(quantity),
        lot_no=lot_no,
        expires_on=expires,
    )


@dataclass
class StockWorld(World):
    unit_a: Unit
    unit_b: Unit
    officer_a: User
    officer_b: User
    officer_b2: User
    wh_a: Warehouse
    wh_b: Warehouse  # lots, no count: moves and a new count
    wh_b2: Warehouse  # an open count by officer_b, every line recorded
    wh_b3: Warehouse  # a submitted count by officer_b, one difference
    lot_a: Lot
    lot_b: Lot
    count_open: StockCount
    count_submitted: StockCount

    denied: ClassVar[tuple[str, ...]] = ("worker_a", "outsider", "officer_a")
    controls: ClassVar[tuple[str, ...]] = ("officer_b",)
    viewers: ClassVar[tuple[str, ...]] = ("officer_a", "worker_a")

    def snapshot(self) -> Any:
        lots = (Lot.objects.count(), Lot.objects.aggregate(s=Sum("on_hand"))["s"])
        entries = LedgerEntry.objects.count()
        counted = list(StockCount.objects.order_by("pk").values_list("pk", "status", "reviewed_by"))
        lines = list(StockCountLine.objects.order_by("pk").values_list("counted", "reason"))
        return lots, entries, counted, lines


def make_stock_world(city: SmallCity) -> StockWorld:
    unit_a = make_unit("U-LOG-A", "第一网格物资组")
    unit_b = make_unit("U-LOG-B", "第二网格物资组")
    officer_a = make_officer("officer_a", unit=unit_a, area=city.grid_a)
    officer_b = make_officer("officer_b", unit=unit_b, area=city.grid_b)
    officer_b2 = make_officer("officer_b2", unit=unit_b, area=city.grid_b)
    wh_a = make_warehouse("WH-A", unit=unit_a, area=city.grid_a, name="东区物资仓库")
    wh_b = make_warehouse("WH-B", unit=unit_b, area=city.grid_b, name="西区物资仓库")
    wh_b2 = make_warehouse(
        "WH-B2", unit=unit_b, area=city.grid_b, kind=WarehouseKind.STREET, name="西区街道物资点"
    )
    wh_b3 = make_warehouse(
        "WH-B3", unit=unit_b, area=city.grid_b, kind=WarehouseKind.COMMUNITY, name="西区社区超市"
    )
    lot_a = receive(officer_a, wh_a, "n95", 100, lot_no="A-1")
    lot_b = receive(officer_b, wh_b, "n95", 100, lot_no="B-1")
    lot_b2 = receive(officer_b, wh_b2, "rice", 50)
    lot_b3 = receive(officer_b, wh_b3, "rice", 50)
    count_open = counts.count_start(actor=officer_b, warehouse=wh_b2)
    counts.count_record(actor=officer_b, count=count_open, lot_id=lot_b2.pk, counted="50")
    count_submitted = counts.count_start(actor=officer_b, warehouse=wh_b3)
    counts.count_record(
        actor=officer_b, count=count_submitted, lot_id=lot_b3.pk, counted="48", reason="破损"
    )
    counts.count_submit(actor=officer_b, count=count_submitted)
    return StockWorld(
        **base_personas(city),
        unit_a=unit_a,
        unit_b=unit_b,
        officer_a=officer_a,
        officer_b=officer_b,
        officer_b2=officer_b2,
        wh_a=wh_a,
        wh_b=wh_b,
        wh_b2=wh_b2,
        wh_b3=wh_b3,
        lot_a=lot_a,
        lot_b=lot_b,
        count_open=count_open,
        count_submitted=count_submitted,
    )


# Who may move stock: grid B's grid worker reads grid B's stock but moves none.
MOVERS_DENIED = ("worker_a", "worker_b", "outsider", "officer_a")


def _wh_b(w: StockWorld) -> dict[str, Any]:
    return {"warehouse_id": w.wh_b.pk}


def _lot_b(w: StockWorld) -> dict[str, Any]:
    return {"lot_id": w.lot_b.pk}


STOCK_CASES = [
    Case("get", f"{API}/warehouses", "list"),
    Case("get", f"{API}/warehouses/{{warehouse_id}}", "object", _wh_b),
    Case("get", f"{API}/warehouses/{{warehouse_id}}/movements", "object", _wh_b),
    Case("get", f"{API}/lots/{{lot_id}}/ledger", "object", _lot_b),
    Case(
        "post",
        f"{API}/warehouses/{{warehouse_id}}/receive",
        "create",
        _wh_b,
        label="grid B's warehouse",
        created=Lot,
        body=lambda w: {
            "item": "vegetables",
            "quantity": "200",
            "unit": "jin",
            "reason": "采购",
        },
        denied=MOVERS_DENIED,
    ),
    Case(
        "post",
        f"{API}/warehouses/{{warehouse_id}}/issue",
        "create",
        _wh_b,
        label="grid B's warehouse",
        created=LedgerEntry,
        body=lambda w: {"item": "n95", "quantity": "1", "unit": "n95_box20", "reason": "发放"},
        denied=MOVERS_DENIED,
    ),
    Case(
        "post",
        f"{API}/warehouses/{{warehouse_id}}/transfer",
        "create",
        _wh_b,
        label="grid B's warehouse",
        created=Lot,
        body=lambda w: {"target_id": w.wh_b2.pk, "item": "n95", "quantity": "10"},
        denied=MOVERS_DENIED,
    ),
    Case(
        "post",
        f"{API}/lots/{{lot_id}}/adjust",
        "create",
        _lot_b,
        label="grid B's lot",
        created=LedgerEntry,
        body=lambda w: {"delta": "-2", "reason": "破损"},
        denied=MOVERS_DENIED,
    ),
    Case(
        "post",
        f"{API}/warehouses/{{warehouse_id}}/counts",
        "create",
        _wh_b,
        label="grid B's warehouse",
        created=StockCount,
        body=lambda w: {},
        denied=MOVERS_DENIED,
    ),
    Case(
        "get",
        f"{API}/counts/{{count_id}}",
        "object",
        lambda w: {"count_id": w.count_submitted.pk},
    ),
    Case(
        "post",
        f"{API}/counts/{{count_id}}/record",
        "object",
        lambda w: {"count_id": w.count_open.pk},
        body=lambda w: {
            "lot_id": w.count_open.lines.get().lot_id,
            "counted": "49",
            "reason": "少一袋",
        },
        denied=(*MOVERS_DENIED, "officer_b2"),
    ),
    Case(
        "post",
        f"{API}/counts/{{count_id}}/submit",
        "object",
        lambda w: {"count_id": w.count_open.pk},
        denied=(*MOVERS_DENIED, "officer_b2"),
    ),
    Case(
        "post",
        f"{API}/counts/{{count_id}}/review",
        "object",
        lambda w: {"count_id": w.count_submitted.pk},
        body=lambda w: {"approve": True, "note": "已复核"},
        denied=(*MOVERS_DENIED, "officer_b"),
        controls=("officer_b2",),
    ),
]
