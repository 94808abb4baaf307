"""Enterprises' creates for ``tests/test_api_idempotent_creates.py``."""

from __future__ import annotations

from lifeline.enterprises.models import Enterprise, SealedStaff
from lifeline.enterprises.tests.scope_cases import make_enterprises_world
from lifeline.testing.idempotent import Example, text

API = "/api/v1/enterprises"

EXAMPLES: dict[str, Example] = {
    f"POST {API}": Example(
        make_enterprises_world,
        "liaison_b",
        Enterprise,
        lambda w: {
            "area_id": w.grid_b.pk,
            "name": "新工地",
            "kind": "construction",
            "contact_name": "李经理",
            "contact_phone": "13912349999",
        },
        vary=text("name"),
    ),
    f"POST {API}/loops/{{bubble_id}}/staff": Example(
        make_enterprises_world,
        "liaison_b",
        SealedStaff,
        lambda w: {"name": "新工人", "phone": "13800009999", "critical_role": "电工"},
        vary=text("name"),
        path_params=lambda w: {"bubble_id": w.bubble_b.pk},
    ),
}
