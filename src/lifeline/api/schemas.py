"""Schemas shared by every app's endpoints: the error shape, safe text, reveal."""

from __future__ import annotations

from typing import Annotated

from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from lifeline.core.safetext import has_unsafe

# Row ids fit PostgreSQL's bigint; anything larger is refused before it reaches SQL.
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _no_control_chars(value: str) -> str:
    # The one rule (core.safetext): no control characters, no bidirectional overrides.
    if has_unsafe(value):
        raise PydanticCustomError("unsafe_text", "control characters are not allowed")
    return value


def bounded(max_length: int, *, min_length: int = 0) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, max_length=max_length, min_length=min_length)


# Use as ``Annotated[str, bounded(50), SAFE]``: stripped, bounded, no control characters.
SAFE = AfterValidator(_no_control_chars)


class InSchema(Schema):
    """Base of request bodies: an unknown field is an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, list[str]]


class ErrorOut(Schema):
    error: ErrorDetail


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class RevealIn(InSchema):
    field: Annotated[str, bounded(20, min_length=1), SAFE]
    # A key of registry.sensitive.REVEAL_REASONS (callback, emergency, identity, care,
    # transfer, other); the words say the rest.
    reason: Annotated[str, bounded(20), SAFE] = "other"
    purpose: Annotated[str, bounded(255, min_length=2), SAFE]


class IdSearchIn(InSchema):
    id_number: Annotated[str, bounded(24, min_length=15), SAFE]


class RevealOut(Schema):
    field: str
    value: str
