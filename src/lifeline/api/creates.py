"""Idempotent creates, the API side: every POST that creates something takes an
``Idempotency-Key`` header (:data:`IdempotencyKey`) and goes through :func:`create_once`.

``core.idempotency`` is the engine: the key is reserved inside the create's own
transaction, the answer is stored with it, a retry with the same key and body gets that
answer back, and the same key with another body is a 409 ``idempotency_conflict``. This
module is the glue every app's ``api.py`` shares: the header, the owner of the key (the
caller, ``request.auth``), the endpoint (method and path), the payload that is
fingerprinted, and the answer, rendered exactly as the API renders the same schema
anywhere else, so the first answer and its replays are one and the same JSON.

``tests/test_api_idempotent_creates.py`` walks the OpenAPI document: every POST that
declares a 201 answer must declare the header and must create once per key.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Annotated, Any

from django.http import HttpRequest, JsonResponse
from ninja import Header
from ninja.responses import NinjaJSONEncoder
from pydantic import BaseModel, TypeAdapter

from lifeline.core.idempotency import MAX_KEY_LENGTH, idempotent
from lifeline.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"

# The header as an operation parameter: ``key: IdempotencyKey`` (at most 128 characters).
IdempotencyKey = Annotated[
    str | None, Header(alias=HEADER, max_length=MAX_KEY_LENGTH, default=None)
]

Outcome = tuple[int, Any]


def header_key(request: HttpRequest) -> str | None:
    """The key of a request that does not go through ninja (Open311's form posts)."""
    return request.headers.get(HEADER, "")[:MAX_KEY_LENGTH] or None


def _owner(request: HttpRequest) -> str:
    return str(request.auth.pk)  # type: ignore[attr-defined]


def _plain(payload: Any) -> Any:
    if isinstance(payload, BaseModel):
        return payload.model_dump(mode="json")
    return payload


def key_used(request: HttpRequest, key: str | None, *, owner: str | None = None) -> bool:
    """Whether the caller has sent ``key`` before: a create that does slow work outside
    the transaction (teams' solver) skips it for what will be a replay."""
    if not key:
        return False
    owner = _owner(request) if owner is None else owner
    return IdempotencyRecord.objects.filter(owner=owner, key=key).exists()


def once(
    request: HttpRequest,
    *,
    key: str | None,
    payload: Any,
    run: Callable[[], Outcome],
    owner: str | None = None,
) -> Outcome:
    """Run ``run`` (returning ``(status, JSON body)``) at most once per caller and key.

    ``payload`` (a schema or plain JSON data) is what a retry must repeat; ``owner``
    defaults to the caller (``request.auth``). Without a key, ``run`` simply runs.
    """
    return idempotent(
        owner=_owner(request) if owner is None else owner,
        key=key,
        endpoint=f"{request.method} {request.path}",
        payload=_plain(payload),
        create=run,
    )


@cache
def _adapter(out: Any) -> TypeAdapter[Any]:
    return TypeAdapter(out)


def _plain_rows(value: Any) -> bool:
    if isinstance(value, dict):
        return True
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)


def render(out: Any, value: Any) -> Any:
    """``value`` (a model, or a dict by field name; or a list of them) read through the
    schema ``out`` and turned into JSON data exactly as ninja answers ``out``."""
    adapter = _adapter(out)
    if _plain_rows(value):
        validated = adapter.validate_python(value, by_name=True)
    else:
        validated = adapter.validate_python(value)
    return json.loads(json.dumps(adapter.dump_python(validated), cls=NinjaJSONEncoder))


def json_answer(status: int, body: Any) -> JsonResponse:
    return JsonResponse(body, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def create_once(
    request: HttpRequest,
    *,
    key: str | None,
    payload: Any,
    make: Callable[[], Any],
    out: Any,
    status: int = 201,
) -> JsonResponse:
    """Create through ``make`` once per Idempotency-Key and answer ``status`` with the
    created thing read through ``out`` (the operation's schema for ``status``).

    ``make`` runs inside the key's transaction, so whatever it raises (404, 400, 403) stores
    nothing and the client may retry with the same key.
    """

    def run() -> Outcome:
        return status, render(out, make())

    answered, body = once(request, key=key, payload=payload, run=run)
    return json_answer(answered, body)
