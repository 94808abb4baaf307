"""The one rule for free text that comes from outside: no control characters and no
bidirectional overrides.

PostgreSQL refuses NUL in text, and other C0 and C1 control characters are never meant as
data. Bidirectional embeddings, overrides and isolates (U+202A..U+202E, U+2066..U+2069)
make stored text display in another order than it is read ("Trojan Source"): an address,
a name or a note that shows one thing to the operator and holds another. Tab, newline and
carriage return are allowed.

The API's schemas (``lifeline.api.schemas.SAFE``), Open311, page forms (``SafeCharField``)
and page views reading ``request.POST`` by hand (``refuse_unsafe``, ``refuses_unsafe_text``)
all use this module.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.translation import gettext as _

from lifeline.core.errors import ServiceError

_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

# Form fields never shown back as text: the CSRF token is Django's own.
_SKIPPED = frozenset({"csrfmiddlewaretoken"})


def has_unsafe(value: str) -> bool:
    """True when ``value`` holds a control character (other than tab, newline, carriage
    return) or a bidirectional override."""
    return _UNSAFE.search(value) is not None


def unsafe_message() -> str:
    return _("Remove control characters and text-direction marks from this text.")


def validate_safe_text(value: Any) -> None:
    """Django validator for form fields and model fields."""
    if isinstance(value, str) and has_unsafe(value):
        raise ValidationError(unsafe_message(), code="unsafe_text")


class SafeCharField(forms.CharField):
    """A ``CharField`` refusing control characters and bidirectional overrides."""

    default_validators = [validate_safe_text]


def unsafe_fields(data: QueryDict, names: Iterable[str] | None = None) -> list[str]:
    """The names of the fields of ``data`` (all, or ``names``) holding unsafe text; a name
    itself holding such characters counts too."""
    wanted = list(data.keys()) if names is None else [n for n in names if n in data]
    return [
        name
        for name in wanted
        if name not in _SKIPPED
        and (has_unsafe(name) or any(has_unsafe(v) for v in data.getlist(name)))
    ]


def refuse_unsafe(data: QueryDict, names: Iterable[str] | None = None) -> None:
    """``ServiceError`` (400) naming each field of ``data`` that holds unsafe text."""
    bad = unsafe_fields(data, names)
    if bad:
        message = unsafe_message()
        raise ServiceError(
            _("Please correct the marked fields."),
            code="unsafe_text",
            # A field name may itself be the unsafe part: never echo it back.
            fields={("field" if has_unsafe(n) else n[:50]): [message] for n in bad},
        )


View = Callable[..., HttpResponse]


def refuses_unsafe_text(view: View) -> View:
    """Refuse a POST whose form values hold unsafe text before the view runs. Place it
    under a decorator that renders ``ServiceError`` as a page (``renders_service_errors``,
    ``roles_required``), so the refusal is a 400 page and nothing is written."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST":
            refuse_unsafe(request.POST)
        return view(request, *args, **kwargs)

    return wrapper
