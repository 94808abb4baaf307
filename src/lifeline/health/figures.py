"""Health figures for the command centre's dashboard (see ``registry/figures.py``):
medical transfers asked for on the day, and those handed over to a hospital on it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifeline.health.models import MedicalTransfer


def _day(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def _by_path(qs: Any) -> dict[str, int]:
    rows = qs.order_by().values("area_path").annotate(n=Count("pk"))
    return {row["area_path"]: row["n"] for row in rows}


def transfers(day: dt.date) -> dict[str, int]:
    start, end = _day(day)
    return _by_path(MedicalTransfer.objects.filter(created_at__gte=start, created_at__lt=end))


def handed_over(day: dt.date) -> dict[str, int]:
    start, end = _day(day)
    return _by_path(
        MedicalTransfer.objects.filter(handed_over_at__gte=start, handed_over_at__lt=end)
    )


def dashboard_figures() -> list[dict[str, Any]]:
    return [
        {"key": "health.transfers", "label": _("Medical transfers"), "compute": transfers},
        {
            "key": "health.handed_over",
            "label": _("Transfers handed over"),
            "higher_is_better": True,
            "compute": handed_over,
        },
    ]
