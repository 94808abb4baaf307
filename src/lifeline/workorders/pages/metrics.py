"""The metrics page: the three rates (response, on-time resolution, satisfaction) per
unit, area or day, and counts by category and channel, over the last N days."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lifeline.accounts.permissions import Perm
from lifeline.core import clock
from lifeline.registry.models import Area, Unit
from lifeline.web.templatetags.lifeline_web import local_name
from lifeline.workorders import selectors
from lifeline.workorders.models import Category, Channel
from lifeline.workorders.pages.common import permission_required

PERIODS = (1, 7, 30, 90)


def _labels(by: str, keys: list[Any]) -> dict[Any, str]:
    """What each group key means to a reader: a unit's or area's name, a date."""
    if by == "unit":
        return {u.pk: local_name(u) for u in Unit.objects.filter(pk__in=[k for k in keys if k])}
    if by == "area":
        return {a.path: local_name(a) for a in Area.objects.filter(path__in=keys)}
    return {k: str(k) for k in keys}


@permission_required(Perm.WORKORDER_VIEW)
def metrics(request: HttpRequest) -> HttpResponse:
    by = request.GET.get("by", "unit")
    by = by if by in ("unit", "area", "day") else "unit"
    days_raw = request.GET.get("days", "7")
    days = int(days_raw) if days_raw.isdigit() and int(days_raw) in PERIODS else 7
    since = clock.now() - dt.timedelta(days=days)
    rows = selectors.workorder_metrics(actor=request.user, by=by, since=since)
    labels = _labels(by, [r["key"] for r in rows])
    for row in rows:
        row["label"] = labels.get(row["key"], str(row["key"] or "—"))
    categories = {c.code: local_name(c) for c in Category.objects.all()}
    channels = dict(Channel.choices)
    by_category = selectors.workorder_counts(actor=request.user, by="category", since=since)
    by_channel = selectors.workorder_counts(actor=request.user, by="channel", since=since)
    for row in by_category:
        row["label"] = categories.get(row["key"], row["key"])
    for row in by_channel:
        row["label"] = str(channels.get(row["key"], row["key"]))
    context = {
        "by": by,
        "days": days,
        "periods": PERIODS,
        "rows": rows,
        "by_category": by_category,
        "by_channel": by_channel,
    }
    return render(request, "workorders/metrics.html", context)
