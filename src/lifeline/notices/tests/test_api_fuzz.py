"""Schemathesis fuzzes the notices API: no generated request gets a 5xx and every 4xx has
the one error shape. The caller is grid B's community staff of the scope matrix's world,
with its real ids among the random ones."""

from __future__ import annotations

from typing import Any

import pytest
from schemathesis.checks import not_a_server_error

from lifeline.accounts.services import token_create
from lifeline.notices.tests.scope_cases import make_notices_world
from lifeline.testing.factories import SmallCity
from lifeline.testing.fuzz import error_shape, fuzz, operations

EXAMPLES_PER_OPERATION = 15


@pytest.fixture
def fuzz_world(city: SmallCity) -> dict[str, Any]:
    w = make_notices_world(city)
    staff = w.staff_b
    _, token = token_create(actor=staff, user=staff, name="fuzz")
    return {
        "token": token,
        "ids": {"notice_id": w.published_b.pk, "row_id": w.row_b.pk},
    }


@pytest.mark.parametrize("operation", operations(r"^/api/v1/notices"), ids=lambda op: op.label)
def test_fuzzed_notices_operation_never_answers_a_server_error(
    operation: Any, fuzz_world: dict[str, Any]
) -> None:
    fuzz(
        operation,
        token=fuzz_world["token"],
        known_ids=fuzz_world["ids"],
        checks=[not_a_server_error, error_shape],
        examples=EXAMPLES_PER_OPERATION,
    )
