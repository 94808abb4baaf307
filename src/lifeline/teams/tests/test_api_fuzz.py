"""Schemathesis fuzzes the field-team API: no generated request gets a 5xx, every 4xx has
the one error shape, and answers match the documented statuses and schemas.

The caller is the gas company's dispatcher (who reaches every team's plan), with real ids
among the random ones. The queue is emptied after the first plan, so fuzzed plans (with
time limits of up to a minute) have nothing to solve and return at once.
"""

from __future__ import annotations

from typing import Any

import pytest
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from lifeline.accounts.services import token_create
from lifeline.teams.services import plan_create, plan_publish
from lifeline.teams.tests.helpers import DAY, make_orders
from lifeline.testing.fuzz import error_shape, fuzz, operations
from lifeline.workorders.models import WorkOrder

EXAMPLES_PER_OPERATION = 15


@pytest.fixture
def fuzz_fleet(city: Any, fleet: Any) -> dict[str, Any]:
    make_orders(fleet, city, per_grid=3)
    boss = fleet.company_dispatcher
    plan = plan_create(actor=boss, unit_id=fleet.company.pk, day=DAY, time_limit=0.2)
    plan_publish(actor=boss, plan=plan, expected_version=1)
    WorkOrder.objects.update(status="closed")
    _, token = token_create(actor=boss, user=boss, name="fuzz")
    stop = plan.stops.first()
    return {
        "token": token,
        "ids": {"team_id": fleet.teams["A"].pk, "plan_id": plan.pk, "stop_id": stop.pk},
    }


@pytest.mark.parametrize("operation", operations(r"^/api/v1/teams"), ids=lambda op: op.label)
def test_fuzzed_teams_operation_never_answers_a_server_error(
    operation: Any, fuzz_fleet: dict[str, Any]
) -> None:
    checks = [
        not_a_server_error,
        error_shape,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    fuzz(
        operation,
        token=fuzz_fleet["token"],
        known_ids=fuzz_fleet["ids"],
        checks=checks,
        examples=EXAMPLES_PER_OPERATION,
    )
