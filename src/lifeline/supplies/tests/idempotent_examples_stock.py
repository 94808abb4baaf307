"""The stock creates for ``tests/test_api_idempotent_creates.py``."""

from __future__ import annotations

from typing import Any

from lifeline.supplies.models import LedgerEntry, Lot, StockCount
from lifeline.supplies.tests.scope_cases_stock import make_stock_world
from lifeline.testing.idempotent import Example, text

API = "/api/v1/supplies/stock"


def _wh_b(w: Any) -> dict[str, Any]:
    return {"warehouse_id": w.wh_b.pk}


EXAMPLES: dict[str, Example] = {
    f"POST {API}/warehouses/{{warehouse_id}}/receive": Example(
        make_stock_world,
        "officer_b",
        Lot,
        lambda w: {"item": "vegetables", "quantity": "200", "unit": "jin", "reason": "采购"},
        vary=text("reason"),
        path_params=_wh_b,
    ),
    f"POST {API}/warehouses/{{warehouse_id}}/issue": Example(
        make_stock_world,
        "officer_b",
        LedgerEntry,
        lambda w: {"item": "n95", "quantity": "1", "unit": "n95_box20", "reason": "发放"},
        vary=text("reason"),
        path_params=_wh_b,
    ),
    f"POST {API}/warehouses/{{warehouse_id}}/transfer": Example(
        make_stock_world,
        "officer_b",
        Lot,
        lambda w: {"target_id": w.wh_b2.pk, "item": "n95", "quantity": "10", "reason": "调拨"},
        vary=text("reason"),
        path_params=_wh_b,
    ),
    f"POST {API}/lots/{{lot_id}}/adjust": Example(
        make_stock_world,
        "officer_b",
        LedgerEntry,
        lambda w: {"delta": "-2", "reason": "破损"},
        vary=text("reason"),
        path_params=lambda w: {"lot_id": w.lot_b.pk},
    ),
    f"POST {API}/warehouses/{{warehouse_id}}/counts": Example(
        make_stock_world,
        "officer_b",
        StockCount,
        lambda w: {"item_codes": []},
        vary=lambda body: {"item_codes": ["n95"]},
        path_params=_wh_b,
    ),
}
