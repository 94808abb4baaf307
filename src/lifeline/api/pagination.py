"""Limit/offset pages: ``{"count", "next_offset", "items"}`` in a stable order.

The order is the selector's, with the primary key appended as the last tie-breaker, so two
consecutive pages never repeat or skip a row while the data stands still.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from django.db.models import QuerySet
from ninja import Schema
from pydantic import Field, create_model

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class PageParams(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=10**9)


@cache
def page_of(item: type[Schema]) -> type[Schema]:
    """The page schema for ``item`` (one class per item type, named ``<Item>Page``)."""
    name = item.__name__.removesuffix("Out") + "Page"
    return create_model(
        name,
        __base__=Schema,
        count=(int, ...),
        next_offset=(int | None, ...),
        items=(list[item], ...),  # type: ignore[valid-type]
    )


def stable(qs: QuerySet[Any]) -> QuerySet[Any]:
    ordering = list(qs.query.order_by or qs.model._meta.ordering or [])
    if not any(key.lstrip("-") in ("pk", "id") for key in ordering):
        ordering.append("pk")
    return qs.order_by(*ordering)


def paginate(rows: QuerySet[Any] | Sequence[Any], params: PageParams) -> dict[str, Any]:
    if isinstance(rows, QuerySet):
        rows = stable(rows)
        count = rows.count()
    else:
        count = len(rows)
    end = params.offset + params.limit
    items = list(rows[params.offset : end])
    return {"count": count, "next_offset": end if end < count else None, "items": items}
