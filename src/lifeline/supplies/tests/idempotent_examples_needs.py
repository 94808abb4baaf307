"""Valid creates of the needs part for ``tests/test_api_idempotent_creates.py``."""

from __future__ import annotations

from lifeline.supplies.models import AllocationRun, Need, RecurringNeed
from lifeline.supplies.tests.scope_cases_needs import (
    _need_body,
    _recurring_body,
    make_needs_world,
)
from lifeline.testing.idempotent import Example, text

API = "/api/v1/supplies"


EXAMPLES: dict[str, Example] = {
    f"POST {API}/needs": Example(
        make_needs_world, "worker_b", Need, _need_body, vary=text("for_label")
    ),
    f"POST {API}/needs/recurring": Example(
        make_needs_world, "worker_b", RecurringNeed, _recurring_body, vary=text("label")
    ),
    f"POST {API}/allocations": Example(
        make_needs_world,
        "officer",
        AllocationRun,
        lambda w: {"unit_id": w.logistics.pk, "area_id": w.grid_b.pk},
        vary=lambda body: {**body, "area_id": None},
    ),
}
