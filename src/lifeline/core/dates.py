"""Dates typed by people: in query strings (``?day=``) and forms.

A date is ``YYYY-MM-DD`` between ``EARLIEST`` and ``LATEST``: beyond them no record of the
platform exists, and a page stepping a day back or forth from ``9999-12-31`` or
``0001-01-01`` would overflow. Anything else is a ``ServiceError`` (400) naming the field,
never a 500.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from lifeline.core.errors import ServiceError

EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2099, 12, 31)


def parse_day(value: str | None, *, field: str = "day") -> dt.date | None:
    """The date in ``value``; None when it is empty; ``ServiceError`` when it is not a
    date in ``EARLIEST``..``LATEST``."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None or not EARLIEST <= day <= LATEST:
        raise ServiceError(
            _("Give a date as YYYY-MM-DD between %(earliest)s and %(latest)s.")
            % {"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
            code="bad_date",
            fields={field[:50]: [_("Not a date.")]},
        )
    return day
