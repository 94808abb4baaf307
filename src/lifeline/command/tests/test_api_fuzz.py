"""Schemathesis fuzzes the command API: no generated request gets a 5xx and every 4xx has
the one error shape. The caller is the city's command staff of the scope matrix's world,
with its real ids among the random ones."""

from __future__ import annotations

from typing import Any

import pytest
from schemathesis.checks import not_a_server_error

from lifeline.accounts.services import token_create
from lifeline.command.tests.scope_cases import make_command_world
from lifeline.testing.factories import SmallCity
from lifeline.testing.fuzz import error_shape, fuzz, operations

EXAMPLES_PER_OPERATION = 15


@pytest.fixture
def fuzz_world(city: SmallCity) -> dict[str, Any]:
    w = make_command_world(city)
    _, token = token_create(actor=w.command, user=w.command, name="fuzz")
    return {
        "token": token,
        "ids": {
            "area_id": w.grid_b.pk,
            "alert_id": w.alert_b.pk,
            "unit_id": w.city.units["committee"].pk,
            "report_id": w.reports.report_b.pk,
            "meeting_id": w.reports.meeting_b.pk,
        },
    }


@pytest.mark.parametrize("operation", operations(r"^/api/v1/command"), ids=lambda op: op.label)
def test_fuzzed_command_operation_never_answers_a_server_error(
    operation: Any, fuzz_world: dict[str, Any]
) -> None:
    fuzz(
        operation,
        token=fuzz_world["token"],
        known_ids=fuzz_world["ids"],
        checks=[not_a_server_error, error_shape],
        examples=EXAMPLES_PER_OPERATION,
    )
