"""Idempotent-create examples of the supplies catalogue for
``tests/test_api_idempotent_creates.py``: each entry a valid create, posted twice with one
key (one row created, the same answer), then with another body (409).

``Example`` here has the fields of that test's ``Example`` (in that order), so the lead
may wrap each entry in the test's own class: ``Example(**vars(entry))``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model

from lifeline.supplies.models import Item, Warehouse
from lifeline.supplies.tests.scope_cases_catalogue import (
    item_body,
    make_catalogue_world,
    warehouse_body,
)
from lifeline.testing.factories import SmallCity

API = "/api/v1/supplies"
Body = dict[str, Any]


def _none(w: Any) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Example:
    make_world: Callable[[SmallCity], Any]
    persona: str
    created: type[Model]
    body: Callable[[Any], Body]
    vary: Callable[[Body], Body]
    path_params: Callable[[Any], dict[str, Any]] = _none
    upload: bool = False


def text(field: str) -> Callable[[Body], Body]:
    def vary(body: Body) -> Body:
        return {**body, field: f"{body[field]}2"}

    return vary


EXAMPLES: dict[str, Example] = {
    f"POST {API}/items": Example(
        make_catalogue_world, "catalogue_b", Item, item_body, vary=text("name")
    ),
    f"POST {API}/warehouses": Example(
        make_catalogue_world, "catalogue_b", Warehouse, warehouse_body, vary=text("name")
    ),
}
