"""What the screening pages share: the page frame, the form pages, form failures, masked
codes, and reading a pasted list of people, a new session's default hours.

A page shows at all only when the actor holds its permission somewhere
(``require_anywhere``); what it lists is then read where that permission holds, and each
object or area it names is checked at its place by the selectors and services."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import scope_for
from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.errors import PermissionDenied, ServiceError
from lifeline.core.personal import mask_phone
from lifeline.screening import selectors
from lifeline.screening.forms import FIELD_ALIASES
from lifeline.screening.models import Session
from lifeline.web.pages import apply_service_error, form_page

# Who may open which kind of page (lists of people check ``screening.view`` at their area).
PLANS = selectors.PLAN_READERS  # policies, rounds, sites, sessions (read)
PLANNING = Perm.SCREENING_PLAN  # their forms
REVIEW = selectors.REVIEWERS
SAMPLING = Perm.SCREENING_SAMPLE
RESULTS = Perm.SCREENING_RESULTS
LISTS = Perm.SCREENING_VIEW  # lists of people, read at their area
ANY_SCREENING = REVIEW


def require_anywhere(actor: Actor, perm: str | tuple[str, ...]) -> None:
    """Refuse a page to an actor holding ``perm`` nowhere."""
    if not scope_for(actor).anywhere(perm):
        raise PermissionDenied(_("Your role may not do this."))


def screening_page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    scope = scope_for(request.user)
    roots = selectors.root_areas(actor=request.user)
    may = {
        "lists": bool(roots),
        "plans": scope.anywhere(PLANS),
        "review": scope.anywhere(REVIEW),
        "sample": scope.anywhere(SAMPLING),
        "results": scope.anywhere(RESULTS),
    }
    context = {"screening_root": roots[0] if roots else None, "screening_may": may, **context}
    return render(request, template, context, status=status)


def form_failed(form: Any, error: ServiceError) -> int:
    apply_service_error(form, error, aliases=FIELD_ALIASES)
    return error.status


def plan_form_page(request: HttpRequest, **page: Any) -> HttpResponse:
    """A new or edit page of a policy, round, site or session: the page kit's form page
    (``web.pages.form_page``) in the screening frame, with the services' field names put
    on the forms' fields."""
    return form_page(request, render=screening_page, aliases=FIELD_ALIASES, **page)


def _masked_code(code: str) -> str:
    """An unresolved line echoed back without a full ID or phone number in it."""
    if re.fullmatch(r"[Pp]\d{1,12}", code):
        return code
    return mask_phone(code)


def resolve_people(actor: Actor, text: str) -> tuple[list[int], list[str], str]:
    """Codes or ID numbers, one per line -> person ids (where the actor plans), errors per
    line, and the text to show again (found people as their ``P`` codes, never the ID
    number typed)."""
    ids: list[int] = []
    errors: list[str] = []
    shown: list[str] = []
    for number, line in enumerate((text or "").splitlines()[:MAX_LISTED], start=1):
        code = line.strip()
        if not code:
            continue
        try:
            person = selectors.person_by_code(actor=actor, code=code, perm=PLANNING)
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
