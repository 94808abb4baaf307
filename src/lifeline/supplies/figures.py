"""Supplies figures for the command centre's dashboard (see ``registry/figures.py``):
needs still open (by the area that needs them) and package orders delivered on the day
(by the household's area). Stock has no common unit across items, so days of cover are
the lifeline units' figure (continuity), not a sum here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifeline.supplies.models import Need, NeedStatus, OrderStatus, PackageOrder


def _day(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def _by_path(qs: Any) -> dict[str, int]:
    rows = qs.order_by().values("area_path").annotate(n=Count("pk"))
    return {row["area_path"]: row["n"] for row in rows}


def needs_open(day: dt.date) -> dict[str, int]:
    return _by_path(Need.objects.filter(status__in=(NeedStatus.OPEN, NeedStatus.PARTLY)))


def packages_delivered(day: dt.date) -> dict[str, int]:
    start, end = _day(day)
    return _by_path(
        PackageOrder.objects.filter(
            status=OrderStatus.DELIVERED, delivered_at__gte=start, delivered_at__lt=end
        )
    )


def dashboard_figures() -> list[dict[str, Any]]:
    return [
        {"key": "supplies.needs_open", "label": _("Supply needs open"), "compute": needs_open},
        {
            "key": "supplies.packages_delivered",
            "label": _("Supply packages delivered"),
            "higher_is_better": True,
            "compute": packages_delivered,
        },
    ]
