"""What the field-team pages share: readable reasons, times of day, and the guard that
turns a refusal into a message on the page (``error_text``, the page kit's)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.translation import gettext_lazy as _

from lifeline.core.errors import ServiceError
from lifeline.teams.planner.model import DAY_END
from lifeline.web.errors import error_text, renders_service_errors

__all__ = [
    "REASONS",
    "clock_text",
    "error_text",
    "float_or_none",
    "int_or_none",
    "reason_label",
    "signed_in",
    "window_text",
]

View = Callable[..., HttpResponse]

REASONS = {
    "no_vehicle_with_skill": _("No vehicle has the skill"),
    "outside_service_areas": _("Outside every team's service areas"),
    "time_window_unreachable": _("Its time window cannot be reached"),
    "capacity": _("Too big for any vehicle"),
    "dropped_by_solver": _("No room left in the day"),
}


def reason_label(code: str) -> str:
    return str(REASONS.get(code, code))


def clock_text(seconds: int) -> str:
    if seconds >= DAY_END:
        return "—"
    days, rest = divmod(seconds, 24 * 3600)
    text = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}"
    return f"{text}+{days}" if days else text


def window_text(earliest: int, latest: int) -> str:
    if earliest <= 0 and latest >= DAY_END:
        return str(_("any time"))
    return f"{clock_text(earliest)}–{clock_text(latest)}"


def signed_in(view: View) -> View:
    """Signed in; a ``ServiceError`` becomes an error page with its status, never a 500."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return view(request, *args, **kwargs)

    return login_required(renders_service_errors(wrapper))


def int_or_none(data: QueryDict, name: str, *, high: int = 2**31 - 1) -> int | None:
    raw = (data.get(name) or "").strip()
    if raw.isdigit() and len(raw) < 12 and int(raw) <= high:
        return int(raw)
    return None


def float_or_none(data: QueryDict, name: str) -> float | None:
    raw = (data.get(name) or "").strip().replace(",", ".")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise ServiceError(
            _("Please correct the marked fields."), fields={name: [str(_("Not a number."))]}
        ) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ServiceError(
            _("Please correct the marked fields."), fields={name: [str(_("Not a number."))]}
        )
    return value
