"""The supplies catalogue's rows of the scope matrix (run by ``tests/test_scope_matrix.py``).

Items, categories and units are reference data: every member reads them, a user with no
membership reads nothing. Items are created by whoever holds ``SUPPLIES_CATALOGUE``
anywhere (the catalogue is the city's); a warehouse only where it holds: the command staff
of grid A may not place one in grid B, the command staff of grid B may. A warehouse officer
(stock, not the catalogue) may do neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from lifeline.accounts.models import Role, User
from lifeline.registry.models import Unit
from lifeline.supplies.models import Item, Warehouse
from lifeline.testing.factories import SmallCity, make_user
from lifeline.testing.scope_matrix import Case, World, base_personas

API = "/api/v1/supplies"


@dataclass
class CatalogueWorld(World):
    catalogue_a: User
    catalogue_b: User
    officer: User
    logistics: Unit

    denied: ClassVar[tuple[str, ...]] = ("worker_a", "worker_b", "outsider", "officer")
    controls: ClassVar[tuple[str, ...]] = ("catalogue_b",)
    viewers: ClassVar[tuple[str, ...]] = ("worker_a",)

    def snapshot(self) -> Any:
        return Item.objects.count(), Warehouse.objects.count()


def make_catalogue_world(city: SmallCity) -> CatalogueWorld:
    logistics = Unit.objects.create(code="U-LOG-M", name="物资保障组", kind=Unit.Kind.LOGISTICS)
    return CatalogueWorld(
        **base_personas(city),
        catalogue_a=make_user("matrix_cat_a", role=Role.COMMAND_STAFF, area=city.grid_a),
        catalogue_b=make_user("matrix_cat_b", role=Role.COMMAND_STAFF, area=city.grid_b),
        officer=make_user("matrix_officer", role=Role.WAREHOUSE_OFFICER, unit=logistics),
        logistics=logistics,
    )


def item_body(w: Any) -> dict[str, Any]:
    return {
        "code": "hand_sanitiser",
        "name": "免洗洗手液",
        "name_en": "Hand sanitiser",
        "category": "disinfection",
        "base_unit": "bottle",
        "tracks_expiry": True,
    }


def warehouse_body(w: Any) -> dict[str, Any]:
    return {
        "code": "WH-B-NEW",
        "name": "第二网格物资点",
        "kind": "community",
        "unit": w.logistics.pk,
        "area": w.grid_b.pk,
        "address": "第二网格活动室",
        "contact_name": "王主任",
        "contact_phone": "13900001111",
    }


CATALOGUE_CASES = [
    Case("get", f"{API}/items", "reference"),
    Case("get", f"{API}/units", "reference"),
    Case("get", f"{API}/categories", "reference"),
    Case(
        "post",
        f"{API}/items",
        "create",
        label="the city's catalogue",
        created=Item,
        body=item_body,
        controls=("catalogue_a", "catalogue_b"),
    ),
    Case(
        "post",
        f"{API}/warehouses",
        "create",
        label="grid B's area",
        created=Warehouse,
        body=warehouse_body,
        denied=("worker_a", "worker_b", "outsider", "officer", "catalogue_a"),
    ),
]
