"""Schemathesis fuzzes the work-order and registry API: no generated request gets a 5xx.

Each operation of the OpenAPI schema is driven by Hypothesis with valid and invalid
inputs, as command-centre staff holding an API token (who see the whole city, so most
requests reach the services rather than stopping at scoping). Path ids are drawn both at
random and from rows that exist, so the lifecycle endpoints meet a real order. Every 4xx
must also carry the one error shape.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup, ServerError
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from lifeline.accounts.models import Role, User
from lifeline.accounts.services import token_create
from lifeline.api.router import api
from lifeline.registry.models import Unit
from lifeline.testing.factories import SmallCity, make_user
from lifeline.workorders import selectors
from lifeline.workorders.services import workorder_create

# Kept small: the whole module must stay within a few minutes on two cores.
EXAMPLES_PER_OPERATION = 25
FUZZED_PATHS = r"^/api/v1/(workorders|areas|households|people|buildings|facilities|units)"


def _schema() -> Any:
    return schemathesis.openapi.from_dict(api.get_openapi_schema()).include(path_regex=FUZZED_PATHS)


def _operations() -> list[Any]:
    return [result.ok() for result in _schema().get_all_operations()]


class ErrorShapeFailure(Failure):
    """A 4xx whose body is not ``{"error": {"code", "message", "fields"}}``."""

    kind_title = "Error response without the error shape"


def error_shape(ctx: Any, response: Any, case: Any) -> bool | None:
    """A refused request must still answer in the one JSON error shape."""
    if not 400 <= response.status_code < 500:
        return None
    try:
        body = json.loads(response.content)
        error = body["error"]
        ok = (
            set(body) == {"error"}
            and set(error) == {"code", "message", "fields"}
            and isinstance(error["message"], str)
            and isinstance(error["fields"], dict)
        )
    except (ValueError, KeyError, TypeError):
        ok = False
    if not ok:
        body_text = response.content.decode("utf-8", "replace")[:300]
        raise ErrorShapeFailure(
            operation=case.operation.label, message=f"{response.status_code}: {body_text}"
        )
    return True


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


def _strategy(operation: Any, known_ids: dict[str, Any]) -> Any:
    names = {p.name for p in operation.path_parameters}
    existing = {name: known_ids[name] for name in names if name in known_ids}
    modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    strategies = [operation.as_strategy(generation_mode=mode) for mode in modes]
    if existing:
        strategies += [
            operation.as_strategy(generation_mode=mode, path_parameters=existing) for mode in modes
        ]
    return st.one_of(strategies)


def _fuzz(operation: Any, fuzz_city: dict[str, Any]) -> None:
    app = WSGIHandler()
    headers = {"Authorization": f"Bearer {fuzz_city['token']}"}
    checks: list[Any] = [not_a_server_error, error_shape]
    if operation.path.startswith("/api/v1/workorders"):
        # The work-order API documents every status and body it answers; the registry's
        # operations do not declare their 4xx yet, so only the first two checks apply there.
        checks += [status_code_conformance, content_type_conformance, response_schema_conformance]

    @given(case=_strategy(operation, fuzz_city["ids"]))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        case.call_and_validate(app=app, headers=headers, checks=checks)

    # As Django's test client does: the request signals would otherwise close the test's
    # connection (and its transaction) after each request on PostgreSQL.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        run()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


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
