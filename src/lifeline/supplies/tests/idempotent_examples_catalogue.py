"""Idempotent-create examples of the supplies catalogue for
``tests/test_api_idempotent_creates.py``."""

from __future__ import annotations

from lifeline.supplies.models import Item, Warehouse
from lifeline.supplies.tests.scope_cases_catalogue import (
    item_body,
    make_catalogue_world,
    warehouse_body,
)
from lifeline.testing.idempotent import Example, text

API = "/api/v1/supplies"


EXAMPLES: dict[str, Example] = {
    f"POST {API}/items": Example(
        make_catalogue_world, "catalogue_b", Item, item_body, vary=text("name")
    ),
    f"POST {API}/warehouses": Example(
        make_catalogue_world, "catalogue_b", Warehouse, warehouse_body, vary=text("name")
    ),
}
