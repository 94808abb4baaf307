"""The little of htmx's protocol the pages need, without a dependency for it."""

from __future__ import annotations

from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    """True when htmx sent the request (and so expects a fragment, not a page)."""
    return request.headers.get("HX-Request") == "true"
