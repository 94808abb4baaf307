"""What the screening pages share: the page frame, form failures, masked codes, and
reading a pasted list of people, a new session's default hours."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from lifeline.core import clock
from lifeline.core.errors import ServiceError
from lifeline.core.personal import mask_phone
from lifeline.screening import progress, selectors
from lifeline.screening.forms import apply_service_error
from lifeline.screening.models import Session


def screening_page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    roots = progress.root_areas(actor=request.user)
    context = {"screening_root": roots[0] if roots else None, **context}
    return render(request, template, context, status=status)


def form_failed(form: Any, error: ServiceError) -> int:
    apply_service_error(form, error)
    return error.status


def _masked_code(code: str) -> str:
    """An unresolved line echoed back without a full ID or phone number in it."""
    if re.fullmatch(r"[Pp]\d{1,12}", code):
        return code
    return mask_phone(code)


def resolve_people(actor: Any, text: str) -> tuple[list[int], list[str], str]:
    """Codes or ID numbers, one per line -> person ids, errors per line, and the text to
    show again (found people as their ``P`` codes, never the ID number typed)."""
    ids: list[int] = []
    errors: list[str] = []
    shown: list[str] = []
    for number, line in enumerate((text or "").splitlines()[:MAX_LISTED], start=1):
        code = line.strip()
        if not code:
            continue
        try:
            person = selectors.person_by_code(actor=actor, code=code)
        except ServiceError:
            errors.append(
                _("Line %(n)d (%(code)s): no person with this code in your area.")
                % {"n": number, "code": _masked_code(code)}
            )
            shown.append(_masked_code(code))
            continue
        if person.pk not in ids:
            ids.append(person.pk)
            shown.append(f"P{person.pk}")
    return ids, errors, "\n".join(shown)


MAX_LISTED = 20000


def session_times(session: Session | None) -> dict[str, Any]:
    if session is not None:
        return {"starts_at": session.starts_at, "ends_at": session.ends_at}
    start = clock.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    return {"starts_at": start, "ends_at": start + dt.timedelta(hours=4)}
