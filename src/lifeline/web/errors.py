"""Turns domain errors raised under a page view into a friendly page with the right status.

Views call selectors and services, which raise ``core.errors.ServiceError`` subclasses
(``NotFound`` for anything outside the actor's scope). The decorator here renders them as
a page, or as a small fragment for htmx, so an operator never meets a 500 for a refusal;
``error_text`` is the one line of text a page shows in place (a message, a form's error).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from lifeline.core.errors import ServiceError
from lifeline.web.htmx import is_htmx

# The defaults of core.errors are plain English; listing them here puts them in the
# message catalogues so the page can still show them in the user's language.
_DEFAULT_MESSAGES = (gettext_noop("Not found."), gettext_noop("Forbidden."))

_TITLES = {
    400: _("The request could not be carried out"),
    403: _("Not allowed"),
    404: _("Not found"),
    409: _("Changed by someone else"),
}

View = Callable[..., HttpResponse]


def error_text(error: ServiceError, *, field_names: bool = True) -> str:
    """A refusal as one line for a message or a page: the error's message in the page's
    language, then each field's messages (after the field's name, unless ``field_names``
    is False, for pages whose fields are not named the way the service names them)."""
    parts = [gettext(str(error.message))]
    for name, texts in error.fields.items():
        parts.extend(f"{name}: {text}" if field_names else str(text) for text in texts)
    return " ".join(parts)


def service_error_response(request: HttpRequest, error: ServiceError) -> HttpResponse:
    status = error.status if error.status in _TITLES else 400
    context = {
        "status": status,
        "title": _TITLES[status],
        "message": gettext(str(error.message)),
        "fields": error.fields,
    }
    template = "web/partials/error.html" if is_htmx(request) else "web/error.html"
    return render(request, template, context, status=status)


def renders_service_errors(view: View) -> View:
    """Wrap a page view so a ``ServiceError`` becomes an error page with its status."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except ServiceError as error:
            return service_error_response(request, error)

    return wrapper
