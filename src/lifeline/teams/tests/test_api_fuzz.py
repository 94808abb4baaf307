"""Schemathesis fuzzes the field-team API: no generated request gets a 5xx, every 4xx has
the one error shape, and answers match the documented statuses and schemas.

The caller is the gas company's dispatcher (who reaches every team's plan), with real ids
among the random ones. The queue is emptied after the first plan, so fuzzed plans (with
time limits of up to a minute) have nothing to solve and return at once.
"""

from __future__ import annotations

import json
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
from schemathesis.core.failures import Failure
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from lifeline.accounts.services import token_create
from lifeline.api.router import api
from lifeline.teams.services import plan_create, plan_publish
from lifeline.teams.tests.helpers import DAY, make_orders
from lifeline.workorders.models import WorkOrder

EXAMPLES_PER_OPERATION = 15


def _operations() -> list[Any]:
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema()).include(
        path_regex=r"^/api/v1/teams"
    )
    return [result.ok() for result in schema.get_all_operations()]


class ErrorShapeFailure(Failure):
    kind_title = "Error response without the error shape"


def error_shape(ctx: Any, response: Any, case: Any) -> bool | None:
    if not 400 <= response.status_code < 500:
        return None
    try:
        body = json.loads(response.content)
        ok = set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    except (ValueError, KeyError, TypeError):
        ok = False
    if not ok:
        raise ErrorShapeFailure(
            operation=case.operation.label,
            message=f"{response.status_code}: {response.content[:300]!r}",
        )
    return True


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


def _strategy(operation: Any, known: dict[str, Any]) -> Any:
    names = {p.name for p in operation.path_parameters}
    existing = {n: known[n] for n in names if n in known}
    modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    strategies = [operation.as_strategy(generation_mode=m) for m in modes]
    if existing:
        strategies += [
            operation.as_strategy(generation_mode=m, path_parameters=existing) for m in modes
        ]
    return st.one_of(strategies)


@pytest.mark.parametrize("operation", _operations(), ids=lambda op: op.label)
def test_fuzzed_teams_operation_never_answers_a_server_error(
    operation: Any, fuzz_fleet: dict[str, Any]
) -> None:
    app = WSGIHandler()
    headers = {"Authorization": f"Bearer {fuzz_fleet['token']}"}
    checks = [
        not_a_server_error,
        error_shape,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]

    @given(case=_strategy(operation, fuzz_fleet["ids"]))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        case.call_and_validate(app=app, headers=headers, checks=checks)

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        run()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
