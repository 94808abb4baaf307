"""Pieces the key-users services share: input checks, the notice period, texts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lifeline.core.errors import ServiceError
from lifeline.core.outbox import enqueue_sms
from lifeline.core.safetext import has_unsafe

DEFAULT_NOTICE_DAYS = 4


def invalid(fields: dict[str, list[str]]) -> ServiceError:
    first = next(iter(fields.values()))[0]
    return ServiceError(first, fields=fields)


def text(value: Any, limit: int, field: str, fields: dict[str, list[str]]) -> str:
    """``value`` stripped; a message on ``field`` when too long or unsafe."""
    clean = str(value or "").strip()
    if len(clean) > limit or has_unsafe(clean):
        fields[field] = [str(_("At most %(n)s characters, no control characters.") % {"n": limit})]
    return clean


def notice_days() -> int:
    """The notice a planned interruption needs, in business days (setting
    ``LIFELINE_KEYUSERS_NOTICE_DAYS``, 4 by default as in the life-support rules)."""
    return int(getattr(settings, "LIFELINE_KEYUSERS_NOTICE_DAYS", DEFAULT_NOTICE_DAYS))


def business_days_until(today: dt.date, day: dt.date) -> int:
    """Monday-to-Friday days after ``today`` up to and including ``day`` (0 when ``day``
    is today or past). Public holidays are not known here and count as business days."""
    if day <= today:
        return 0
    whole_weeks, rest = divmod((day - today).days, 7)
    count = whole_weeks * 5
    for offset in range(1, rest + 1):
        if (today + dt.timedelta(days=whole_weeks * 7 + offset)).weekday() < 5:
            count += 1
    return count


def local_label(moment: dt.datetime | None) -> str:
    return f"{timezone.localtime(moment):%m-%d %H:%M}" if moment else ""


def send_text(phone: str, message: Any, *, object_type: str, object_id: str, **values: Any) -> None:
    """Queue a text in the city's language (inside the caller's transaction)."""
    with translation.override(settings.LANGUAGE_CODE):
        body = str(message) % values if values else str(message)
    enqueue_sms(recipient=phone, body=body, object_type=object_type, object_id=object_id)
