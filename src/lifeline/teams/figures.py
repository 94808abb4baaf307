"""Field-team figures for the command centre's dashboard (see ``registry/figures.py``):
visits done on the day (stops of published plans recorded as done)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifeline.teams.models import PlanStop


def visits_done(day: dt.date) -> dict[str, int]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    rows = (
        PlanStop.objects.filter(
            outcome=PlanStop.Outcome.DONE,
            completed_at__gte=start,
            completed_at__lt=start + dt.timedelta(days=1),
        )
        .exclude(area_path="")
        .order_by()
        .values("area_path")
        .annotate(n=Count("pk"))
    )
    return {row["area_path"]: row["n"] for row in rows}


def dashboard_figures() -> list[dict[str, Any]]:
    return [
        {
            "key": "teams.visits_done",
            "label": _("Team visits done"),
            "higher_is_better": True,
            "compute": visits_done,
        },
    ]
