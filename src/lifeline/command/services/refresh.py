"""Keeping the dashboard's counters: each figure computed per place with its app's one
grouped query, rolled up the area tree in Python, and only the changed rows written.

A record sits at an area path (a grid, or any area above); its count is added to that
area and to every area above it, so a district's figure is the sum of its grids' and
ratios are recomputed from the summed parts (basis points), never averaged. A count of
zero is no row (the page reads a missing row as 0); a ratio with no denominator is no
row (shown as "–").
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from lifeline.command.catalogue import Figure, figures
from lifeline.command.models import AreaFigure, RefreshState
from lifeline.command.services.alerts import alerts_evaluate
from lifeline.core import clock
from lifeline.registry.models import Area
from lifeline.registry.tree import ancestor_paths

log = logging.getLogger(__name__)

REFRESH_EVERY = dt.timedelta(minutes=5)
# Until this local time, the sweep still refreshes yesterday (late results, a closing
# shift); after it, yesterday's rows stay frozen.
YESTERDAY_OPEN_UNTIL = dt.time(2, 0)

Values = dict[tuple[str, str], int]


def rolled_up(
    figure_list: list[Figure], day: dt.date, levels: dict[str, str]
) -> tuple[Values, dict[str, str]]:
    """Every figure of every area for ``day`` (zeros left out), and the figures that
    failed to compute (key -> error)."""
    values: Values = defaultdict(int)
    failed: dict[str, str] = {}
    for figure in figure_list:
        if figure.compute is None:
            continue
        try:
            raw = figure.compute(day)
        except Exception as exc:  # one app's broken query must not stop the others
            log.exception("figure %s failed", figure.key)
            failed[figure.key] = str(exc)[:200]
            continue
        for path, count in raw.items():
            if not count:
                continue
            for above in ancestor_paths(path):
                if above in levels:
                    values[(above, figure.key)] += int(count)
    for figure in figure_list:
        if not figure.is_ratio or {figure.numerator, figure.denominator} & set(failed):
            continue
        for path in levels:
            den = values.get((path, figure.denominator), 0)
            if den:
                num = values.get((path, figure.numerator), 0)
                values[(path, figure.key)] = num * 10000 // den
    return dict(values), failed


def figures_refresh(*, day: dt.date) -> dict[str, int]:
    """Recompute ``day``'s figures of every area and write what changed: returns the
    rows written, deleted and left as they were. Safe to run from several workers (the
    writes are upserts on the (area, day, figure) key)."""
    levels = dict(Area.objects.values_list("path", "level"))
    values, failed = rolled_up(figures(), day, levels)
    existing = {
        (path, key): (pk, value)
        for pk, path, key, value in AreaFigure.objects.filter(day=day).values_list(
            "pk", "area_path", "key", "value"
        )
        if key not in failed
    }
    now = clock.now()
    changed = [
        AreaFigure(
            area_path=path, level=levels[path], day=day, key=key, value=value, updated_at=now
        )
        for (path, key), value in values.items()
        if existing.get((path, key), (None, None))[1] != value
    ]
    gone = [pk for place, (pk, _) in existing.items() if place not in values]
    with transaction.atomic():
        if changed:
            AreaFigure.objects.bulk_create(
                changed,
                batch_size=1000,
                update_conflicts=True,
                unique_fields=["area_path", "day", "key"],
                update_fields=["value", "level", "updated_at"],
            )
        if gone:
            AreaFigure.objects.filter(pk__in=gone).delete()
    return {
        "written": len(changed),
        "deleted": len(gone),
        "unchanged": len(values) - len(changed),
        "failed": len(failed),
    }


def _claim(day: dt.date, now: dt.datetime) -> bool:
    """True for the one caller that may refresh ``day`` now (none within REFRESH_EVERY)."""
    if RefreshState.objects.filter(day=day, refreshed_at__gt=now - REFRESH_EVERY).exists():
        return False
    claimed = RefreshState.objects.filter(day=day, refreshed_at__lte=now - REFRESH_EVERY).update(
        refreshed_at=now
    )
    if claimed:
        return True
    try:
        with transaction.atomic():
            RefreshState.objects.create(day=day, refreshed_at=now)
    except IntegrityError:  # another worker claimed it first
        return False
    return True


def days_open(now: dt.datetime) -> list[dt.date]:
    """The days whose figures still change: today, and yesterday until 02:00."""
    local = timezone.localtime(now)
    today = local.date()
    if local.time() < YESTERDAY_OPEN_UNTIL:
        return [today, today - dt.timedelta(days=1)]
    return [today]


def run_periodic(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """The worker's sweep: refresh the open days at most every REFRESH_EVERY, then raise
    the alerts of today's figures."""
    moment = now or clock.now()
    result: dict[str, Any] = {}
    for day in days_open(moment):
        if _claim(day, moment):
            result[day.isoformat()] = figures_refresh(day=day)
    if result:
        result["alerts"] = alerts_evaluate(day=timezone.localtime(moment).date())
    return result
