"""Schemathesis fuzzes the volunteers API: no generated request gets a 5xx and every 4xx
has the one error shape. The caller is grid B's coordinator of the scope matrix's world,
with its real ids among the random ones."""

from __future__ import annotations

from typing import Any

import pytest
from schemathesis.checks import not_a_server_error

from lifeline.accounts.services import token_create
from lifeline.testing.factories import SmallCity
from lifeline.testing.fuzz import error_shape, fuzz, operations
from lifeline.volunteers.tests.scope_cases import make_volunteers_world

EXAMPLES_PER_OPERATION = 15


@pytest.fixture
def fuzz_world(city: SmallCity) -> dict[str, Any]:
    w = make_volunteers_world(city)
    boss = w.coordinator_b
    _, token = token_create(actor=boss, user=boss, name="fuzz")
    return {
        "token": token,
        "ids": {
            "volunteer_id": w.volunteers_b[3].pk,
            "shift_id": w.shift_b.pk,
            "booking_id": w.booking_b.pk,
        },
    }


@pytest.mark.parametrize("operation", operations(r"^/api/v1/volunteers"), ids=lambda op: op.label)
def test_fuzzed_volunteers_operation_never_answers_a_server_error(
    operation: Any, fuzz_world: dict[str, Any]
) -> None:
    fuzz(
        operation,
        token=fuzz_world["token"],
        known_ids=fuzz_world["ids"],
        checks=[not_a_server_error, error_shape],
        examples=EXAMPLES_PER_OPERATION,
    )
