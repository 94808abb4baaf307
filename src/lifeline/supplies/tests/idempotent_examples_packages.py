"""Supply packages' creates for ``tests/test_api_idempotent_creates.py``: ``EXAMPLES`` maps
each create to a valid request, with the fields of that test's ``Example`` (``make_world``,
``persona``, ``created``, ``body``, ``vary``, ``path_params``, ``upload``), so the lead may
merge it as it is or wrap each value in ``Example(**vars(value))``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model

from lifeline.supplies.models import SupplyPackage
from lifeline.supplies.tests.scope_cases_packages import make_packages_world

API = "/api/v1"
Body = dict[str, Any]


def _none(w: Any) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Example:
    make_world: Callable[[Any], Any]
    persona: str
    created: type[Model]
    body: Callable[[Any], Body]
    vary: Callable[[Body], Body]
    path_params: Callable[[Any], dict[str, Any]] = _none
    upload: bool = False


def _other_name(body: Body) -> Body:
    return {**body, "name": f"{body['name']}2"}


EXAMPLES: dict[str, Example] = {
    f"POST {API}/supplies/packages": Example(
        make_packages_world,
        "staff_b",
        SupplyPackage,
        lambda w: {
            "unit_id": w.city.units["committee"].pk,
            "area_id": w.grid_b.pk,
            "name": "水果包",
            "contents": "苹果3斤",
            "price": "30",
            "daily_cap": 100,
            "opens_at": "08:00",
            "closes_at": "12:00",
        },
        vary=_other_name,
    ),
}
