"""API authentication: a Bearer token for machines, the Django session (with CSRF) for pages.

Every operation requires one of them. A request that presents an ``Authorization`` header
is judged by it alone, so a bad token is refused even from a browser holding a session.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from lifeline.accounts.lockout import client_address, token_failure_record, token_refusal
from lifeline.accounts.services import token_authenticate
from lifeline.core.errors import TooManyRequests


class AuthedRequest(HttpRequest):
    """For typing handlers: ninja sets ``auth`` to the authenticated user."""

    auth: Any


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(plain=token)
        if user is not None:
            request.user = user
            return user
        # Only a refused token pays for the limit's queries (accounts.lockout): an address
        # past it gets 429, and its further bad tokens are neither counted nor audited.
        address = client_address(request)
        refusal = token_refusal(address=address) or token_failure_record(
            actor=None, plain=token, address=address, channel="api"
        )
        if refusal is not None:
            raise TooManyRequests(refusal.message(), retry_after=refusal.retry_after_seconds)
        return None


class Session(SessionAuth):
    """Django's session; unsafe methods must carry the CSRF token, as pages do."""

    def __call__(self, request: HttpRequest) -> Any:
        # Checked before CSRF, so a bad token gets 401 and not a CSRF 403.
        if "authorization" in request.headers:
            return None
        return super().__call__(request)


def api_auth() -> list[Any]:
    return [BearerToken(), Session(csrf=True)]
