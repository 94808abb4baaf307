"""Enterprise figures for the command centre's dashboard (see ``registry/figures.py``):
closed loops working, and those suspended by a positive."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from lifeline.enterprises.models import Bubble, LoopStatus


def _bubbles(status: str) -> dict[str, int]:
    rows = (
        Bubble.objects.filter(status=status).order_by().values("area_path").annotate(n=Count("pk"))
    )
    return {row["area_path"]: row["n"] for row in rows}


def loops_active(day: dt.date) -> dict[str, int]:
    return _bubbles(LoopStatus.ACTIVE)


def loops_suspended(day: dt.date) -> dict[str, int]:
    return _bubbles(LoopStatus.SUSPENDED)


def dashboard_figures() -> list[dict[str, Any]]:
    return [
        {
            "key": "enterprises.loops_active",
            "label": _("Closed loops working"),
            "higher_is_better": True,
            "compute": loops_active,
        },
        {
            "key": "enterprises.loops_suspended",
            "label": _("Closed loops suspended"),
            "compute": loops_suspended,
        },
    ]
