"""Schemathesis fuzzes the continuity API: no generated request gets a 5xx and every 4xx
has the one error shape. The caller is the water plant's duty desk of the scope matrix's
world, with its real ids among the random ones."""

from __future__ import annotations

from typing import Any

import pytest
from schemathesis.checks import not_a_server_error

from lifeline.accounts.services import token_create
from lifeline.continuity.tests.scope_cases import make_continuity_world
from lifeline.testing.factories import SmallCity
from lifeline.testing.fuzz import error_shape, fuzz, operations

EXAMPLES_PER_OPERATION = 15


@pytest.fixture
def fuzz_world(city: SmallCity) -> dict[str, Any]:
    w = make_continuity_world(city)
    desk = w.water_desk
    _, token = token_create(actor=desk, user=desk, name="fuzz")
    return {"token": token, "ids": {"unit_id": w.water.pk}}


@pytest.mark.parametrize("operation", operations(r"^/api/v1/continuity"), ids=lambda op: op.label)
def test_fuzzed_continuity_operation_never_answers_a_server_error(
    operation: Any, fuzz_world: dict[str, Any]
) -> None:
    fuzz(
        operation,
        token=fuzz_world["token"],
        known_ids=fuzz_world["ids"],
        checks=[not_a_server_error, error_shape],
        examples=EXAMPLES_PER_OPERATION,
    )
