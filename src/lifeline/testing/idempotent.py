"""The shape of one example for ``tests/test_api_idempotent_creates.py``: apps keep their
own examples next to their scope cases (``<app>/tests/idempotent_examples_*.py``) and
build them with this ``Example``, so the test merges them as they are."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model

Body = dict[str, Any]


def no_path_params(w: Any) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Example:
    """A valid create: ``persona`` of the world ``make_world`` builds posts ``body`` (to
    the path filled with ``path_params``) and adds one row of ``created``. ``vary`` makes
    another request of the same shape (still valid input, not necessarily a valid create),
    which the same key must refuse. ``upload``: the body is a multipart form, its ``file``
    given as ``(name, bytes)``."""

    make_world: Callable[[Any], Any]
    persona: str
    created: type[Model]
    body: Callable[[Any], Body]
    vary: Callable[[Body], Body]
    path_params: Callable[[Any], dict[str, Any]] = no_path_params
    upload: bool = False


def text(field: str) -> Callable[[Body], Body]:
    """``vary``: the same body with another value of the text ``field``."""

    def vary(body: Body) -> Body:
        return {**body, field: f"{body[field]}2"}

    return vary
