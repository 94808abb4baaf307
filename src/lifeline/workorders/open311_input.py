"""The request side of Open311: the key, the place, parameters, and the spec's errors.

``open311_view`` turns every refusal (``Open311Error``, a domain ``ServiceError``, a body
too large, even a crash) into the spec's error list in the format asked for.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import math
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from lifeline.accounts.lockout import client_address, token_failure_record, token_refusal
from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import scope_for, scoped
from lifeline.accounts.services import token_authenticate
from lifeline.core.actors import Actor
from lifeline.core.errors import NotFound, PermissionDenied, ServiceError
from lifeline.core.safetext import has_unsafe, unsafe_fields
from lifeline.registry.geo import area_containing
from lifeline.registry.models import Area, AreaLevel
from lifeline.workorders import open311_render as render

logger = logging.getLogger("lifeline.open311")

FORMATS = ("json", "xml")

# Our field names in service errors, as the Open311 client knows them.
_OPEN311_FIELD = {
    "category": "service_code",
    "contact_phone": "phone",
    "contact_name": "first_name",
    "address": "address_string",
    "area": "lat",
}


class Open311Error(Exception):
    def __init__(self, status: int, *descriptions: str) -> None:
        super().__init__(descriptions[0] if descriptions else "")
        self.status = status
        self.descriptions = list(descriptions)


def _from_service_error(error: ServiceError) -> Open311Error:
    if isinstance(error, NotFound):
        status = 404
    elif isinstance(error, PermissionDenied) or error.code == "unauthenticated":
        status = 403
    else:
        status = error.status if error.status in (400, 409, 429) else 400
    lines = [
        f"{_OPEN311_FIELD.get(name, _attribute_name(name))}: {message}"
        for name, messages in error.fields.items()
        for message in messages
    ]
    return Open311Error(status, *(lines or [_(str(error.message))]))


def _attribute_name(field: str) -> str:
    return f"attribute[{field[6:]}]" if field.startswith("extra.") else field


def open311_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Every refusal in the spec's error format, in the format asked for; never a bare 500."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, fmt: str = "json", **kwargs: Any) -> Any:
        if fmt not in FORMATS:
            return render.errors("json", 404, [_("Use .json or .xml.")])
        try:
            return view(request, *args, fmt=fmt, **kwargs)
        except Open311Error as error:
            return render.errors(fmt, error.status, error.descriptions)
        except ServiceError as error:
            mapped = _from_service_error(error)
            return render.errors(fmt, mapped.status, mapped.descriptions)
        except RequestDataTooBig:
            return render.errors(fmt, 413, [_("The request is too large.")])
        except Exception:
            logger.exception("unhandled Open311 error on %s %s", request.method, request.path)
            return render.errors(fmt, 500, [_("Something went wrong on our side.")])

    return csrf_exempt(wrapper)


def machine_user(request: HttpRequest, params: Any, *, required: bool) -> Any:
    """The user behind the key in the ``X-Api-Key`` header, else in the ``api_key``
    parameter of ``params``; None when no key was given and none is required. Bad keys
    count against the address's limit (``accounts.lockout``), past which they get 429."""
    api_key = (request.headers.get("X-Api-Key", "") or params.get("api_key", "")).strip()
    if not api_key:
        if required:
            raise Open311Error(403, _("api_key is required."))
        return None
    user = token_authenticate(plain=api_key)
    if user is None:
        address = client_address(request)
        refusal = token_refusal(address=address) or token_failure_record(
            actor=None, plain=api_key, address=address, channel="open311"
        )
        if refusal is not None:
            raise Open311Error(429, refusal.message())
        raise Open311Error(403, _("api_key is not valid."))
    return user


def jurisdiction_area(value: str) -> Area | None:
    """Any area of the city may be named as a jurisdiction by its code (public reference)."""
    if not value:
        return None
    area = Area.objects.filter(code=value.strip()).first()
    if area is None:
        raise Open311Error(404, _("jurisdiction_id not found."))
    return area


def allow_methods(request: HttpRequest, *allowed: str) -> None:
    if request.method not in allowed:
        raise Open311Error(405, _("This method is not allowed here."))


def parse_w3(name: str, value: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise Open311Error(
            400,
            _("%(field)s must be a date and time like 2022-11-05T08:15:30+08:00.")
            % {"field": name},
        ) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_fixed_timezone(0))
    return moment


def split_csv(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def parse_float(name: str, value: str, *, limit: float) -> float | None:
    """A number between ``-limit`` and ``limit`` (90 for lat, 180 for long); NaN, infinity
    and ``1e308`` are refused here, before any arithmetic on them."""
    if not value.strip():
        return None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise Open311Error(400, _("%(field)s must be a number.") % {"field": name})
    if not -limit <= number <= limit:
        raise Open311Error(
            400,
            _("%(field)s must be between %(low)s and %(high)s.")
            % {"field": name, "low": f"{-limit:g}", "high": f"{limit:g}"},
        )
    return number


def place_of(actor: Actor, jurisdiction: Area | None, lat: float | None, lng: float | None) -> Area:
    """Where the need is: the grid where the key may file (``WORKORDER_FILE``) that holds
    (lat, long) if given, else the jurisdiction named, else the key's one such area."""
    filing = scope_for(actor).grant(Perm.WORKORDER_FILE)
    roots = list(Area.objects.filter(path__in=filing.area_paths).order_by("path"))
    if not roots:
        raise Open311Error(403, _("This api_key may not file requests anywhere."))
    if jurisdiction is not None and not any(jurisdiction.path.startswith(r.path) for r in roots):
        raise Open311Error(403, _("This api_key may not file requests in that jurisdiction."))
    if lat is not None and lng is not None:
        grids = scoped(Area.objects.filter(level=AreaLevel.GRID), actor, Perm.WORKORDER_FILE)
        if jurisdiction is not None:
            grids = grids.filter(path__startswith=jurisdiction.path)
        # The grid whose boundary holds the point; the nearest centre where none is drawn.
        found = area_containing(grids, lat, lng)
        if found is not None:
            return found
    if jurisdiction is not None:
        return jurisdiction
    if len(roots) == 1:
        return roots[0]
    raise Open311Error(400, _("lat and long (or jurisdiction_id) are required."))


def refuse_control_characters(data: Any) -> None:
    # The one rule (core.safetext): no control characters, no bidirectional overrides.
    bad = unsafe_fields(data)
    if bad:
        name = "field" if has_unsafe(bad[0]) else bad[0][:50]
        raise Open311Error(400, _("%(field)s holds control characters.") % {"field": name})
