"""``Cache-Control: no-store`` on every response that may carry personal data.

A page of a household, a search result or a revealed phone number must not stay in a
shared proxy's cache, nor in the browser's disk cache or back/forward history of a
borrowed phone or a shared office computer after logging out. So no response is stored:

- to a signed-in user (every staff page, fragment and download);
- under the JSON API (``/api/``) and Open311 (``/open311/``), whatever the authentication;
- under the resident pages ``/r/`` and ``/health/r/`` (signed in by a phone code, not a
  user), the holder's pass ``/passes/p/``, and any ``.../reveal/`` endpoint.

Static files are left cacheable: they hold no personal data.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

PERSONAL_PREFIXES = ("/api/", "/open311/", "/r/", "/health/r/", "/passes/p/")
_REVEAL = re.compile(r"/reveal/?$")


def carries_personal_data(request: HttpRequest) -> bool:
    path = request.path_info
    static_url = settings.STATIC_URL or "/static/"
    if path.startswith(static_url if static_url.startswith("/") else f"/{static_url}"):
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    return path.startswith(PERSONAL_PREFIXES) or bool(_REVEAL.search(path))


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if carries_personal_data(request):
            # max-age=0, no-cache, no-store, must-revalidate, private (and Expires): no
            # earlier "public" or max-age survives it.
            add_never_cache_headers(response)
        return response
