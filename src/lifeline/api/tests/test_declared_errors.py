"""Every operation of the OpenAPI document declares the shared error answers (``ERRORS``
of ``lifeline.api.schemas``: 400, 401, 403, 404, 409 and 422 in the one error shape), so
clients and the fuzz tests know each refusal an operation may give."""

from __future__ import annotations

from typing import Any

import pytest

from lifeline.api.router import api
from lifeline.api.schemas import ERRORS, ErrorOut


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    paths = api.get_openapi_schema()["paths"]
    return [
        (method.upper(), path, operation)
        for path, operations in paths.items()
        for method, operation in operations.items()
    ]


OPERATIONS = _operations()


def test_the_document_has_operations() -> None:
    assert len(OPERATIONS) > 50


@pytest.mark.parametrize(
    "method,path,operation", OPERATIONS, ids=[f"{m} {p}" for m, p, _o in OPERATIONS]
)
def test_operation_declares_the_shared_errors(
    method: str, path: str, operation: dict[str, Any]
) -> None:
    responses = {str(status): answer for status, answer in operation["responses"].items()}
    missing = sorted(str(status) for status in ERRORS if str(status) not in responses)
    assert not missing, f"{method} {path}: add **ERRORS to its response (missing {missing})"
    for status in ERRORS:
        schema = responses[str(status)]["content"]["application/json"]["schema"]
        assert schema.get("$ref", "").endswith(f"/{ErrorOut.__name__}"), (method, path, status)
