"""The last resort for an exception no view handled (``handler500``), beside ``urls.py``
since it answers for pages and the API alike.

A failure of the database itself (down, restarting, failed over) is answered 503 with
``Retry-After``: in the API's one error shape under ``/api/`` and ``/open311/``, as a short
page elsewhere. Anything else is the plain 500 page. Both render without the database: no
context processors, no session, no user.
"""

from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from lifeline.api.errors import error_response
from lifeline.core.errors import database_unavailable

RETRY_AFTER_SECONDS = 5
_API_PREFIXES = ("/api/", "/open311/")


def unavailable_response(request: HttpRequest) -> HttpResponse:
    message = _("The service is briefly unavailable. Please try again in a moment.")
    if request.path.startswith(_API_PREFIXES):
        response = error_response(503, "unavailable", message)
    else:
        response = HttpResponse(render_to_string("503.html", {"message": message}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    exc = sys.exc_info()[1]
    if exc is not None and database_unavailable(exc):
        return unavailable_response(request)
    if request.path.startswith(_API_PREFIXES):
        return error_response(500, "server_error", _("Something went wrong on our side."))
    return HttpResponse(render_to_string("500.html"), status=500)
