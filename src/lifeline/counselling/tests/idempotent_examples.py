"""Counselling's creates for ``tests/test_api_idempotent_creates.py``."""

from __future__ import annotations

from lifeline.counselling.models import Callback, Contact
from lifeline.counselling.tests.scope_cases import contact_body, make_counselling_world
from lifeline.testing.idempotent import Body, Example, text

API = "/api/v1/counselling"


def _other_phone(body: Body) -> Body:
    return {**body, "phone": "13900020010"}


EXAMPLES: dict[str, Example] = {
    f"POST {API}/contacts": Example(
        make_counselling_world, "counsellor_b", Contact, contact_body, vary=text("note")
    ),
    f"POST {API}/callbacks": Example(
        make_counselling_world,
        "counsellor_b",
        Callback,
        lambda w: {"line_id": w.unit_b.pk, "phone": "13900020009"},
        vary=_other_phone,
    ),
}
