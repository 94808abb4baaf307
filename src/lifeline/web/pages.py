"""The one shape of a page that creates or changes something with a form.

GET shows the form (with its ``initial`` values). POST binds it and validates it; a valid
form's cleaned data goes to ``save`` (which calls a service); a ``ServiceError`` puts the
service's messages on the form's fields and shows the form again with the error's status;
success sets a message and redirects (post/redirect/get, so a reload never saves twice).
An invalid form is shown again with 400.

``render`` lets an app put the page in its own frame (screening passes ``screening_page``);
``context`` is computed only when the page is shown, never before a redirect.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render

from lifeline.core.errors import ServiceError


class Renders(Protocol):
    def __call__(
        self, request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
    ) -> HttpResponse: ...


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(request, template, context, status=status)


def apply_service_error(
    form: forms.Form, error: ServiceError, *, aliases: Mapping[str, str] | None = None
) -> None:
    """The service's field messages on the form's fields (a service field named otherwise
    in the form is mapped by ``aliases``; one the form lacks goes above the form), and its
    message above the form."""
    for name, texts in error.fields.items():
        target = (aliases or {}).get(name, name)
        for text in texts:
            form.add_error(target if target in form.fields else None, str(text))
    form.add_error(None, str(error.message))


def form_page(
    request: HttpRequest,
    *,
    form_class: Callable[..., forms.Form],
    template: str,
    save: Callable[[dict[str, Any]], Any],
    success_url: Callable[[Any], str] | str,
    success_message: str = "",
    form_kwargs: Mapping[str, Any] | None = None,
    initial: Mapping[str, Any] | Callable[[], Mapping[str, Any]] | None = None,
    data: QueryDict | None = None,
    field_errors: Mapping[str, list[str]] | None = None,
    context: Mapping[str, Any] | Callable[[], Mapping[str, Any]] | None = None,
    aliases: Mapping[str, str] | None = None,
    render: Renders = render_page,
) -> HttpResponse:
    """GET: the form; POST: validate, ``save(cleaned_data)``, redirect to ``success_url``
    (a URL, or a function of what ``save`` returned) with ``success_message``.

    ``data`` replaces the posted data the form reads (a page that rewrites what was typed);
    ``field_errors`` are errors the page found before the form (they make the POST fail
    like the form's own). The template gets ``form`` and ``context``.
    """
    kwargs = dict(form_kwargs or {})
    status = 200
    if request.method == "POST":
        form = form_class(request.POST if data is None else data, **kwargs)
        valid = form.is_valid()
        for name, texts in (field_errors or {}).items():
            for text in texts:
                form.add_error(name, text)
        status = 400
        if valid and not _any(field_errors):
            try:
                saved = save(form.cleaned_data)
            except ServiceError as error:
                apply_service_error(form, error, aliases=aliases)
                status = error.status
            else:
                if success_message:
                    messages.success(request, success_message)
                return redirect(success_url(saved) if callable(success_url) else success_url)
    else:
        start = initial() if callable(initial) else initial
        form = form_class(initial=dict(start or {}), **kwargs)
    extra = context() if callable(context) else context
    return render(request, template, {"form": form, **(extra or {})}, status)


def _any(field_errors: Mapping[str, list[str]] | None) -> bool:
    return any(field_errors.values()) if field_errors else False
