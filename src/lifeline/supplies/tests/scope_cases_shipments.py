"""Shipments' rows of the scope matrix (run by ``tests/test_scope_matrix.py``), and the
world the shipment tests share.

Two logistics groups, each with a warehouse in its grid. Grid B's shipments (from
warehouse B to grid B) are refused to grid A's officer, to the grid workers (who see
shipments to their grid but may not send them) and to a user with no membership; grid B's
officer dispatches, cancels and records receipts. Lists are checked row by row for grid
A's grid worker, who sees the shipments going to grid A only.
"""

from __future__ import annotations

import base64
import datetime as dt
import struct
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from django.db import transaction

from lifeline.accounts.models import Role, User
from lifeline.core import clock
from lifeline.core.actors import system
from lifeline.registry.models import Area, Household, Unit
from lifeline.supplies.models import (
    ForWhom,
    Item,
    Lot,
    Need,
    NeedStatus,
    Shipment,
    ShipmentLine,
    Warehouse,
    WarehouseKind,
)
from lifeline.supplies.services import ledger
from lifeline.supplies.services.shipments import shipment_create, shipment_dispatch
from lifeline.testing.factories import SmallCity, make_user
from lifeline.testing.scope_matrix import Case, World, base_personas

API = "/api/v1/supplies"


def png_data_url(width: int = 4, height: int = 2) -> str:
    """A small real PNG (a drawn signature as the canvas sends it)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\x80" * width for _ in range(height)))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
    png += chunk(b"IEND", b"")
    return "data:image/png;base64," + base64.b64encode(png).decode()


@dataclass
class Depot:
    """A logistics group with its warehouse and officer."""

    unit: Unit
    warehouse: Warehouse
    officer: User
    lots: dict[str, Lot] = field(default_factory=dict)


def make_depot(
    key: str,
    area: Area,
    *,
    kind: str = WarehouseKind.LOGISTICS,
    stock: dict[str, int] | None = None,
) -> Depot:
    unit = Unit.objects.create(
        code=f"U-SHIP-{key}",
        name=f"物资保障组{key}",
        name_en=f"Logistics {key}",
        kind=Unit.Kind.LOGISTICS,
    )
    warehouse = Warehouse.objects.create(
        code=f"WH-SHIP-{key}",
        name=f"{area.name}仓库",
        kind=kind,
        unit=unit,
        area=area,
        area_path=area.path,
        contact_name=f"仓管{key}",
        contact_phone="13800000000",
    )
    officer = make_user(f"ship_officer_{key.lower()}", role=Role.WAREHOUSE_OFFICER, unit=unit)
    depot = Depot(unit, warehouse, officer)
    for code, quantity in ({"rice": 500, "n95": 2000} if stock is None else stock).items():
        item = Item.objects.get(code=code)
        with transaction.atomic():
            depot.lots[code] = ledger.new_lot(
                actor=system("test stock"),
                warehouse=warehouse,
                item=item,
                quantity=Decimal(quantity),
                lot_no=f"L-{key}-{code}".upper() if item.tracks_lot else "",
                expires_on=clock.today() + dt.timedelta(days=300) if item.tracks_expiry else None,
            )
    return depot


def make_need(
    depot: Depot,
    *,
    item: str,
    quantity: int,
    area: Area,
    household: Household | None = None,
    for_whom: str = ForWhom.COMMUNITY,
) -> Need:
    return Need.objects.create(
        unit=depot.unit,
        area=area,
        area_path=household.area_path if household else area.path,
        item=Item.objects.get(code=item),
        quantity=Decimal(quantity),
        allocated=Decimal(quantity),
        needed_by=clock.today() + dt.timedelta(days=2),
        for_whom=ForWhom.HOUSEHOLD if household else for_whom,
        for_label="泰山路社区" if household is None else "住户",
        household=household,
        contact_name="李主任",
        contact_phone="13912345678",
        status=NeedStatus.ALLOCATED,
        created_by=depot.officer,
        created_at=clock.now(),
    )


def ship(
    depot: Depot,
    area: Area,
    lines: list[tuple[Need | None, str, int]],
    *,
    actor: User | None = None,
    to_warehouse: Warehouse | None = None,
    dispatch: bool = False,
) -> Shipment:
    shipment = shipment_create(
        actor=actor or depot.officer,
        from_warehouse=depot.warehouse,
        to_area=area,
        to_label="泰山路社区仓",
        contact_name="李主任",
        contact_phone="13912345678",
        lines=[(need, depot.lots[code], Decimal(qty)) for need, code, qty in lines],
        to_warehouse=to_warehouse,
    )
    if dispatch:
        shipment = shipment_dispatch(actor=depot.officer, shipment=shipment)
    return shipment


@dataclass
class ShipmentsWorld(World):
    depot_a: Depot
    depot_b: Depot
    officer_a: User
    officer_b: User
    shipment_a: Shipment
    shipment_b: Shipment  # prepared
    on_way_b: Shipment  # dispatched

    denied: ClassVar[tuple[str, ...]] = ("worker_a", "worker_b", "outsider", "officer_a")
    controls: ClassVar[tuple[str, ...]] = ("officer_b",)
    viewers: ClassVar[tuple[str, ...]] = ("worker_a",)

    def snapshot(self) -> Any:
        shipments = list(Shipment.objects.order_by("pk").values_list("pk", "status", "code_hash"))
        lines = list(ShipmentLine.objects.order_by("pk").values_list("pk", "received"))
        stock = list(Lot.objects.order_by("pk").values_list("pk", "on_hand"))
        return shipments, lines, stock


def make_shipments_world(city: SmallCity) -> ShipmentsWorld:
    depot_a = make_depot("A", city.grid_a)
    depot_b = make_depot("B", city.grid_b)
    need_a = make_need(depot_a, item="rice", quantity=40, area=city.grid_a)
    need_b = make_need(depot_b, item="rice", quantity=40, area=city.grid_b)
    return ShipmentsWorld(
        **base_personas(city),
        depot_a=depot_a,
        depot_b=depot_b,
        officer_a=depot_a.officer,
        officer_b=depot_b.officer,
        shipment_a=ship(depot_a, city.grid_a, [(need_a, "rice", 20)]),
        shipment_b=ship(depot_b, city.grid_b, [(need_b, "rice", 20)]),
        on_way_b=ship(depot_b, city.grid_b, [(None, "n95", 100)], dispatch=True),
    )


def _shipment_b(w: ShipmentsWorld) -> dict[str, Any]:
    return {"shipment_id": w.shipment_b.pk}


def _confirm_body(w: ShipmentsWorld) -> dict[str, Any]:
    line = w.on_way_b.lines.get()
    return {
        "received_by": "李主任",
        "lines": [{"line_id": line.pk, "received": str(line.quantity)}],
        "signature": png_data_url(),
    }


SHIPMENTS_CASES = [
    Case(
        "get",
        f"{API}/shipments",
        "list",
        foreign=(lambda w: {"warehouse_id": w.depot_b.warehouse.pk},),
    ),
    Case(
        "get",
        f"{API}/shipments/{{shipment_id}}",
        "object",
        _shipment_b,
        # Grid B's worker sees the shipments coming to grid B (but sends none).
        denied=("worker_a", "outsider", "officer_a"),
        controls=("officer_b", "worker_b"),
    ),
    Case("post", f"{API}/shipments/{{shipment_id}}/dispatch", "object", _shipment_b),
    Case(
        "post",
        f"{API}/shipments/{{shipment_id}}/cancel",
        "object",
        _shipment_b,
        body=lambda w: {"reason": "车辆故障"},
    ),
    Case(
        "post",
        f"{API}/shipments/{{shipment_id}}/confirm",
        "object",
        lambda w: {"shipment_id": w.on_way_b.pk},
        body=_confirm_body,
    ),
]
