"""Supply packages' creates for ``tests/test_api_idempotent_creates.py``."""

from __future__ import annotations

from lifeline.supplies.models import SupplyPackage
from lifeline.supplies.tests.scope_cases_packages import make_packages_world
from lifeline.testing.idempotent import Body, Example

API = "/api/v1"


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
