"""Schemathesis fuzzes the work-order and registry API: no generated request gets a 5xx.

Each operation of the OpenAPI schema is driven by Hypothesis with valid and invalid
inputs, as command-centre staff holding an API token (who see the whole city, so most
requests reach the services rather than stopping at scoping). Path ids are drawn both at
random and from rows that exist, so the lifecycle endpoints meet a real order. Every 4xx
must also carry the one error shape.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup, ServerError
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from lifeline.accounts.models import Role, User
from lifeline.accounts.services import token_create
from lifeline.registry.models import Unit
from lifeline.testing.factories import SmallCity, make_user
from lifeline.testing.fuzz import ErrorShapeFailure, error_shape, fuzz, operations
from lifeline.workorders import selectors
from lifeline.workorders.services import workorder_create

# Kept small: the whole module must stay within a few minutes on two cores.
EXAMPLES_PER_OPERATION = 25
FUZZED_PATHS = r"^/api/v1/(workorders|areas|households|people|buildings|facilities|units)"


def _operations() -> list[Any]:
    return operations(FUZZED_PATHS)


@pytest.fixture
def fuzz_city(city: SmallCity) -> dict[str, Any]:
    """The small city with its command unit, a command-centre token and one open order."""
    command = Unit.objects.create(
        code="U-CMD", name="市疫情防控指挥部", kind=Unit.Kind.COMMAND_CENTRE, phone="13900000001"
    )
    command.areas.set([city.city])
    committee = city.units["committee"]
    committee.phone = "13900000004"
    committee.save()
    staff: User = make_user("fuzz_command", role=Role.COMMAND_STAFF, area=city.city)
    _, plain = token_create(actor=staff, user=staff, name="fuzz")
    person = city.people_a[0]
    order = workorder_create(
        actor=staff,
        category_code="other",
        household=person.household,
        description="需要帮助",
        stops=[{"label": "送药"}],
    ).order
    return {
        "token": plain,
        "ids": {
            "order_id": order.pk,
            "area_id": city.grid_a.pk,
            "household_id": person.household_id,
            "person_id": person.pk,
            "unit_id": committee.pk,
            "seq": 1,
        },
    }


def _fuzz(operation: Any, fuzz_city: dict[str, Any]) -> None:
    checks: list[Any] = [not_a_server_error, error_shape]
    if operation.path.startswith("/api/v1/workorders"):
        # The work-order API documents every status and body it answers; the registry's
        # operations do not declare their 4xx yet, so only the first two checks apply there.
        checks += [status_code_conformance, content_type_conformance, response_schema_conformance]
    fuzz(
        operation,
        token=fuzz_city["token"],
        known_ids=fuzz_city["ids"],
        checks=checks,
        examples=EXAMPLES_PER_OPERATION,
    )


@pytest.mark.parametrize("operation", _operations(), ids=lambda op: op.label)
def test_fuzzed_operation_never_answers_a_server_error(
    operation: Any, fuzz_city: dict[str, Any]
) -> None:
    # given the small city, an open order and a command-centre token
    # when Hypothesis sends valid and invalid requests to the operation
    # then none gets a 5xx and every 4xx carries the error shape
    _fuzz(operation, fuzz_city)


def test_fuzzing_catches_a_server_error(
    fuzz_city: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the categories endpoint made to crash
    def crash(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("planted crash")

    monkeypatch.setattr(selectors, "category_list", crash)
    operation = next(op for op in _operations() if op.label == "GET /api/v1/workorders/categories")
    # when it is fuzzed, then the run fails
    with pytest.raises(FailureGroup) as caught:
        _fuzz(operation, fuzz_city)
    assert any(isinstance(failure, ServerError) for failure in caught.value.exceptions)


def test_error_shape_check_refuses_a_bare_4xx() -> None:
    # given a 404 answered with an HTML page instead of the error shape
    response = SimpleNamespace(status_code=404, content=b"<h1>Not Found</h1>")
    case = SimpleNamespace(operation=SimpleNamespace(label="GET /api/v1/x"))
    # when the check runs, then it fails
    with pytest.raises(ErrorShapeFailure):
        error_shape(None, response, case)
    # and a shaped 404 passes
    shaped = b'{"error": {"code": "not_found", "message": "x", "fields": {}}}'
    assert error_shape(None, SimpleNamespace(status_code=404, content=shaped), case)
