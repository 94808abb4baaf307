"""Schemathesis fuzzes the continuity API: no generated request gets a 5xx and every 4xx
has the one error shape. The callers are the water plant's duty desk and the city's command
centre (who sets units up) of the scope matrix's world, with their real ids among the
random ones."""

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
    tokens = {}
    for name in ("water_desk", "command"):
        user = w.persona(name)
        tokens[name] = token_create(actor=user, user=user, name="fuzz")[1]
    ids = {"unit_id": w.water.pk, "problem_id": w.water_problem.pk}
    return {"tokens": tokens, "ids": ids}


@pytest.mark.parametrize("persona", ["water_desk", "command"])
@pytest.mark.parametrize("operation", operations(r"^/api/v1/continuity"), ids=lambda op: op.label)
def test_fuzzed_continuity_operation_never_answers_a_server_error(
    operation: Any, persona: str, fuzz_world: dict[str, Any]
) -> None:
    fuzz(
        operation,
        token=fuzz_world["tokens"][persona],
        known_ids=fuzz_world["ids"],
        checks=[not_a_server_error, error_shape],
        examples=EXAMPLES_PER_OPERATION,
    )
