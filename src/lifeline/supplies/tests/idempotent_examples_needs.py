"""Valid creates of the needs part for ``tests/test_api_idempotent_creates.py``: each
value holds the fields of that test's ``Example`` (``Example(**value)``)."""

from __future__ import annotations

from typing import Any

from lifeline.supplies.models import AllocationRun, Need, RecurringNeed
from lifeline.supplies.tests.scope_cases_needs import (
    _need_body,
    _recurring_body,
    make_needs_world,
)

API = "/api/v1/supplies"


def _text(field: str) -> Any:
    def vary(body: dict[str, Any]) -> dict[str, Any]:
        return {**body, field: f"{body[field]}2"}

    return vary


EXAMPLES: dict[str, dict[str, Any]] = {
    f"POST {API}/needs": {
        "make_world": make_needs_world,
        "persona": "worker_b",
        "created": Need,
        "body": _need_body,
        "vary": _text("for_label"),
    },
    f"POST {API}/needs/recurring": {
        "make_world": make_needs_world,
        "persona": "worker_b",
        "created": RecurringNeed,
        "body": _recurring_body,
        "vary": _text("label"),
    },
    f"POST {API}/allocations": {
        "make_world": make_needs_world,
        "persona": "officer",
        "created": AllocationRun,
        "body": lambda w: {"unit_id": w.logistics.pk, "area_id": w.grid_b.pk},
        "vary": lambda body: {**body, "area_id": None},
    },
}
