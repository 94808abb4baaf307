"""Key-user figures for the command centre's dashboard (see ``registry/figures.py``):
published supply interruptions in force when refreshed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from lifeline.core import clock
from lifeline.keyusers.models import Interruption, InterruptionStatus


def interruptions_now(day: dt.date) -> dict[str, int]:
    now = clock.now()
    rows = (
        Interruption.objects.filter(status=InterruptionStatus.PUBLISHED, starts_at__lte=now)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .order_by()
        .values("area_path")
        .annotate(n=Count("pk"))
    )
    return {row["area_path"]: row["n"] for row in rows}


def dashboard_figures() -> list[dict[str, Any]]:
    return [
        {
            "key": "keyusers.interruptions",
            "label": _("Supply interruptions in force"),
            "compute": interruptions_now,
        },
    ]
