"""Volunteer figures for the command centre's dashboard (see ``registry/figures.py``):
places on the day's shifts filled against places needed (and their ratio)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifeline.volunteers.models import Shift


def _sums(day: dt.date, field: str) -> dict[str, int]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    rows = (
        Shift.objects.filter(
            starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1), cancelled_at=None
        )
        .order_by()
        .values("area_path")
        .annotate(n=Sum(field))
    )
    return {row["area_path"]: int(row["n"] or 0) for row in rows}


def filled(day: dt.date) -> dict[str, int]:
    return _sums(day, "confirmed")


def needed(day: dt.date) -> dict[str, int]:
    return _sums(day, "capacity")


def dashboard_figures() -> list[dict[str, Any]]:
    return [
        {
            "key": "volunteers.filled",
            "label": _("Volunteer places filled"),
            "higher_is_better": True,
            "compute": filled,
        },
        {"key": "volunteers.needed", "label": _("Volunteer places needed"), "compute": needed},
        {
            "key": "volunteers.coverage",
            "label": _("Volunteer coverage"),
            "unit": "percent",
            "higher_is_better": True,
            "numerator": "volunteers.filled",
            "denominator": "volunteers.needed",
        },
    ]
