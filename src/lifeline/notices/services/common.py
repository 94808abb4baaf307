"""Pieces the notices services share: input checks and the areas a notice targets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from lifeline.core.errors import NotFound, ServiceError
from lifeline.core.safetext import has_unsafe
from lifeline.registry.models import Area

MAX_TARGETS = 200
MAX_DAYS = 60


def invalid(fields: dict[str, list[str]]) -> ServiceError:
    first = next(iter(fields.values()))[0]
    return ServiceError(first, fields=fields)


def text(value: Any, limit: int, field: str, fields: dict[str, list[str]], *, required=True) -> str:
    """``value`` stripped; a message on ``field`` when missing, too long or unsafe."""
    clean = str(value or "").strip()
    if required and not clean:
        fields[field] = [_("This field is required.")]
    elif len(clean) > limit or has_unsafe(clean):
        fields[field] = [str(_("At most %(n)s characters, no control characters.") % {"n": limit})]
    return clean


def choice(value: Any, allowed: Iterable[str], field: str, fields: dict[str, list[str]]) -> str:
    clean = str(value or "")
    if clean not in set(allowed):
        fields[field] = [_("Choose one of the offered values.")]
    return clean


def areas_of(values: Iterable[Any], fields: dict[str, list[str]]) -> list[Area]:
    """The areas named by ``values`` (areas or ids), in path order; unknown ids are one
    NotFound (nothing said about which)."""
    ids: list[int] = []
    for value in values or ():
        pk = getattr(value, "pk", value)
        if not isinstance(pk, int) or isinstance(pk, bool) or pk < 1:
            fields["areas"] = [_("Unknown area.")]
            return []
        ids.append(pk)
    ids = sorted(set(ids))
    if not ids:
        fields["areas"] = [_("Choose at least one area.")]
        return []
    if len(ids) > MAX_TARGETS:
        fields["areas"] = [str(_("At most %(n)s areas.") % {"n": MAX_TARGETS})]
        return []
    found = list(Area.objects.filter(pk__in=ids).order_by("path"))
    if len(found) != len(ids):
        raise NotFound(_("Unknown area."))
    return found


def minimal_paths(paths: Iterable[str]) -> list[str]:
    """The paths with every one lying under another left out."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


def common_prefix(paths: list[str]) -> str:
    """The deepest area path every one of ``paths`` lies under."""
    parts = paths[0].strip("/").split("/")
    while parts:
        prefix = "/" + "/".join(parts) + "/"
        if all(path.startswith(prefix) for path in paths):
            return prefix
        parts.pop()
    return "/"


def expiry(value: Any, now: dt.datetime, fields: dict[str, list[str]]) -> dt.datetime:
    if not isinstance(value, dt.datetime) or timezone.is_naive(value):
        fields["expires_at"] = [_("Give a date and time.")]
        return now
    if value <= now:
        fields["expires_at"] = [_("The notice must expire in the future.")]
    elif value > now + dt.timedelta(days=MAX_DAYS):
        fields["expires_at"] = [
            str(_("A notice runs at most %(n)s days; publish a new one after.") % {"n": MAX_DAYS})
        ]
    return value
