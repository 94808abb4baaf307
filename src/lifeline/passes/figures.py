"""Pass figures for the command centre's dashboard (see ``registry/figures.py``): checks
at checkpoints on the day (by the checkpoint's area) and passes valid when refreshed (by
the holder's area)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifeline.core import clock
from lifeline.passes.models import MovementPass, PassCheck, PassStatus


def _day(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def _by_path(qs: Any) -> dict[str, int]:
    rows = qs.order_by().values("area_path").annotate(n=Count("pk"))
    return {row["area_path"]: row["n"] for row in rows}


def checks(day: dt.date) -> dict[str, int]:
    start, end = _day(day)
    return _by_path(PassCheck.objects.filter(checked_at__gte=start, checked_at__lt=end))


def active(day: dt.date) -> dict[str, int]:
    now = clock.now()
    return _by_path(
        MovementPass.objects.filter(
            status=PassStatus.ACTIVE, valid_from__lte=now, valid_until__gt=now
        )
    )


def dashboard_figures() -> list[dict[str, Any]]:
    return [
        {"key": "passes.checks", "label": _("Checkpoint checks"), "compute": checks},
        {"key": "passes.active", "label": _("Passes in force"), "compute": active},
    ]
