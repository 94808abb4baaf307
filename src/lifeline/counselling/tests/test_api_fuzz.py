"""Schemathesis fuzzes the counselling API: no generated request gets a 5xx and every 4xx
has the one error shape. The caller is line B's supervisor of the scope matrix's world
(who also answers the line), with its real ids among the random ones."""

from __future__ import annotations

from typing import Any

import pytest
from schemathesis.checks import not_a_server_error

from lifeline.accounts.services import token_create
from lifeline.counselling.tests.scope_cases import make_counselling_world
from lifeline.testing.factories import SmallCity
from lifeline.testing.fuzz import error_shape, fuzz, operations

EXAMPLES_PER_OPERATION = 15


@pytest.fixture
def fuzz_world(city: SmallCity) -> dict[str, Any]:
    w = make_counselling_world(city)
    boss = w.supervisor_b
    _, token = token_create(actor=boss, user=boss, name="fuzz")
    return {
        "token": token,
        "ids": {
            "contact_id": w.contact_b.pk,
            "callback_id": w.callback_b.pk,
            "line_id": w.unit_b.pk,
            "counsellor_id": w.line_b.counsellor.pk,
        },
    }


@pytest.mark.parametrize("operation", operations(r"^/api/v1/counselling"), ids=lambda op: op.label)
def test_fuzzed_counselling_operation_never_answers_a_server_error(
    operation: Any, fuzz_world: dict[str, Any]
) -> None:
    fuzz(
        operation,
        token=fuzz_world["token"],
        known_ids=fuzz_world["ids"],
        checks=[not_a_server_error, error_shape],
        examples=EXAMPLES_PER_OPERATION,
    )
