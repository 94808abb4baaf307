"""What every work-order page shares: permission checks, the category's extra fields in a
form, the live "call 120" check, and turning a refusal into a message on the page
(``error_text``, the page kit's, kept importable from here for the work-order pages)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can_anywhere
from lifeline.core.errors import PermissionDenied, ServiceError
from lifeline.web.errors import error_text, renders_service_errors, service_error_response
from lifeline.workorders import selectors
from lifeline.workorders.models import Category
from lifeline.workorders.services.extra_fields import field_label
from lifeline.workorders.services.triage import emergency_words_in

__all__ = [
    "INTAKE",
    "category_fields",
    "emergency_check",
    "error_text",
    "extra_from",
    "field_rows",
    "flash_error",
    "permission_required",
    "refusal_text",
]

View = Callable[..., HttpResponse]

# Who may take a call or enter a need for a resident (issue 3, channels b and c).
INTAKE = Perm.WORKORDER_FILE


def permission_required(perm: str) -> Callable[[View], View]:
    """Signed in, and holding ``perm`` somewhere (the page then shows only what the
    selectors give for where it holds); refusals become error pages, not 500s."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not can_anywhere(request.user, perm):
                return service_error_response(
                    request, PermissionDenied(_("Your role may not use this page."))
                )
            return view(request, *args, **kwargs)

        return login_required(renders_service_errors(wrapper))

    return decorate


def extra_from(data: QueryDict) -> dict[str, str]:
    """The category's extra fields as posted: inputs named ``extra.<field>``."""
    return {
        key[len("extra.") :]: str(value)
        for key, value in data.items()
        if key.startswith("extra.") and len(key) <= 46
    }


def field_rows(category: Category | None, values: dict[str, Any] | None = None) -> list[dict]:
    """The category's extra fields, ready for the form partial."""
    if category is None:
        return []
    values = values or {}
    return [
        {
            "name": f"extra.{d['name']}",
            "label": field_label(d),
            "type": d.get("type", "text"),
            "required": bool(d.get("required")),
            "choices": d.get("choices", []),
            "min": d.get("min"),
            "max": d.get("max"),
            "value": values.get(d["name"], ""),
        }
        for d in category.fields or []
    ]


def category_fields(request: HttpRequest) -> HttpResponse:
    """htmx: the extra fields of the category chosen in a form (public reference data)."""
    category = selectors.category_list().filter(code=request.GET.get("category", "")).first()
    return render(
        request, "workorders/partials/extra_fields.html", {"fields": field_rows(category)}
    )


def emergency_check(request: HttpRequest) -> HttpResponse:
    """htmx: the "call 120 now" banner while the description holds emergency words."""
    words = emergency_words_in(request.GET.get("description", "")[:4000])
    return render(request, "workorders/partials/emergency.html", {"words": words})


def refusal_text(error: ServiceError) -> str:
    """A refusal said once: its message, and the fields' messages only when the message
    itself is the general "correct the marked fields" (never a field's internal name)."""
    message = _(str(error.message))
    if error.fields and str(error.message) in (GENERAL_REFUSAL, _(GENERAL_REFUSAL)):
        texts = dict.fromkeys(str(text) for texts in error.fields.values() for text in texts)
        return " ".join([message, *texts])
    return message


GENERAL_REFUSAL = "Please correct the marked fields."


def flash_error(request: HttpRequest, error: ServiceError) -> None:
    messages.error(request, refusal_text(error))
