"""Pieces the key-users services share: input checks, the notice period, texts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
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


def _days(name: str) -> frozenset[dt.date]:
    """The days of setting ``name``: dates, ISO texts, or one text of ISO dates separated
    by commas or spaces (as an environment variable gives them). An unreadable entry is a
    configuration error, raised rather than silently counted as a business day."""
    value: Any = getattr(settings, name, ()) or ()
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    days = set()
    for entry in value:
        if isinstance(entry, dt.date):
            days.add(entry)
            continue
        try:
            days.add(dt.date.fromisoformat(str(entry).strip()))
        except ValueError:
            raise ImproperlyConfigured(f"{name}: {entry!r} is not a date (YYYY-MM-DD)") from None
    return frozenset(days)


def public_holidays() -> frozenset[dt.date]:
    """Weekdays without business (setting ``LIFELINE_KEYUSERS_HOLIDAYS``, e.g. the
    National Day week as the State Council announces it each year)."""
    return _days("LIFELINE_KEYUSERS_HOLIDAYS")


def extra_workdays() -> frozenset[dt.date]:
    """Weekend days worked in exchange for a holiday (调休, setting
    ``LIFELINE_KEYUSERS_WORKDAYS``): they count as business days."""
    return _days("LIFELINE_KEYUSERS_WORKDAYS")


def is_business_day(
    day: dt.date, holidays: frozenset[dt.date], workdays: frozenset[dt.date]
) -> bool:
    if day in workdays:
        return True
    return day.weekday() < 5 and day not in holidays


def business_days_until(today: dt.date, day: dt.date) -> int:
    """Business days after ``today`` up to and including ``day`` (0 when ``day`` is today
    or past): Monday to Friday, less the public holidays, plus the weekend days worked in
    exchange (``public_holidays``, ``extra_workdays``)."""
    if day <= today:
        return 0
    holidays, workdays = public_holidays(), extra_workdays()
    whole_weeks, rest = divmod((day - today).days, 7)
    count = whole_weeks * 5
    for offset in range(1, rest + 1):
        if (today + dt.timedelta(days=whole_weeks * 7 + offset)).weekday() < 5:
            count += 1
    # Corrections only for the listed days inside the span: the count stays O(listed).
    for holiday in holidays - workdays:
        if today < holiday <= day and holiday.weekday() < 5:
            count -= 1
    for workday in workdays:
        if today < workday <= day and workday.weekday() >= 5:
            count += 1
    return count


def local_label(moment: dt.datetime | None) -> str:
    return f"{timezone.localtime(moment):%m-%d %H:%M}" if moment else ""


def send_text(phone: str, message: Any, *, object_type: str, object_id: str, **values: Any) -> None:
    """Queue a text in the city's language (inside the caller's transaction)."""
    with translation.override(settings.LANGUAGE_CODE):
        body = str(message) % values if values else str(message)
    enqueue_sms(recipient=phone, body=body, object_type=object_type, object_id=object_id)
