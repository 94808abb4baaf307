"""Schemathesis against the project's own OpenAPI schema, shared by the API fuzz tests:
the operations of a part of the API, the one-error-shape check, and a run of Hypothesis
over one operation through Django's WSGI handler with a bearer token."""

from __future__ import annotations

import json
from typing import Any

import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core.failures import Failure

from lifeline.api.router import api


def operations(path_regex: str) -> list[Any]:
    """The API's operations whose path matches ``path_regex``."""
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema()).include(path_regex=path_regex)
    # An operation the schema cannot describe raises here, failing the test run.
    return [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]


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


def strategy(operation: Any, known_ids: dict[str, Any]) -> Any:
    """Valid and invalid requests, with random path ids and with ids of rows that exist."""
    names = {p.name for p in operation.path_parameters}
    existing = {name: known_ids[name] for name in names if name in known_ids}
    modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    strategies = [operation.as_strategy(generation_mode=mode) for mode in modes]
    if existing:
        strategies += [
            operation.as_strategy(generation_mode=mode, path_parameters=existing) for mode in modes
        ]
    return st.one_of(strategies)


def fuzz(
    operation: Any, *, token: str, known_ids: dict[str, Any], checks: list[Any], examples: int
) -> None:
    """Send ``examples`` generated requests to ``operation``; any failed check raises."""
    app = WSGIHandler()
    headers = {"Authorization": f"Bearer {token}"}

    @given(case=strategy(operation, known_ids))
    @settings(
        max_examples=examples,
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
