"""Lifeline-unit figures for the command centre's dashboard (see ``registry/figures.py``):
problems still open (their work order not settled), by the unit's area."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from lifeline.continuity.models import SETTLED, Problem


def problems_open(day: dt.date) -> dict[str, int]:
    rows = (
        Problem.objects.exclude(work_order__status__in=SETTLED)
        .order_by()
        .values("lifeline_unit__area_path")
        .annotate(n=Count("pk"))
    )
    return {row["lifeline_unit__area_path"]: row["n"] for row in rows}


def dashboard_figures() -> list[dict[str, Any]]:
    return [
        {
            "key": "continuity.problems_open",
            "label": _("Lifeline unit problems open"),
            "compute": problems_open,
        },
    ]
