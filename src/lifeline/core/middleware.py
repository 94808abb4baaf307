"""Gives every request a server-made id for audit and logs; a client's X-Request-ID, when
sane, is kept beside it as the client's own."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from lifeline.core import requestid

_SANE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        client = incoming if _SANE.match(incoming) else ""
        # Never the client's: the id names the request in the audit log and picks its
        # chain, so a client choosing it could pose as another request or pile every
        # write of the city onto one chain.
        rid = requestid.new()
        request.request_id = rid  # type: ignore[attr-defined]
        request.client_request_id = client  # type: ignore[attr-defined]
        token = requestid.set_current(rid, client=client)
        try:
            response = self.get_response(request)
        finally:
            requestid.reset(token)
        response["X-Request-ID"] = rid
        return response
