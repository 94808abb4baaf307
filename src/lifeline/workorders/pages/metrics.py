"""The metrics page: the three rates (response, on-time resolution, satisfaction) per
unit, area or day, and counts by category and channel, over the last N days."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lifeline.accounts.permissions import Perm
from lifeline.core import clock
from lifeline.core.errors import NotFound
from lifeline.registry import tree
from lifeline.registry.models import Unit
from lifeline.web.templatetags.lifeline_web import local_name
from lifeline.workorders import selectors
from lifeline.workorders.labels import category_label
from lifeline.workorders.models import Category, Channel
from lifeline.workorders.pages.common import permission_required
from lifeline.workorders.rollup import default_parent, workorder_area_rollup

PERIODS = (1, 7, 30, 90)


def _labels(by: str, keys: list[Any]) -> dict[Any, str]:
    """What each group key means to a reader: a unit's name, a date."""
    if by == "unit":
        return {u.pk: local_name(u) for u in Unit.objects.filter(pk__in=[k for k in keys if k])}
    return {k: str(k) for k in keys}


def _parent(request: HttpRequest) -> Any:
    """The area whose children the "per area" view lists: ``?area=``, else the actor's
    highest area."""
    raw = request.GET.get("area", "")
    if raw.isdigit() and len(raw) < 12:
        try:
            return tree.area_get(actor=request.user, pk=int(raw))
        except NotFound:
            pass
    return default_parent(request.user)


@permission_required(Perm.WORKORDER_VIEW)
def metrics(request: HttpRequest) -> HttpResponse:
    by = request.GET.get("by", "unit")
    by = by if by in ("unit", "area", "day") else "unit"
    days_raw = request.GET.get("days", "7")
    days = int(days_raw) if days_raw.isdigit() and int(days_raw) in PERIODS else 7
    since = clock.now() - dt.timedelta(days=days)
    rollup = None
    if by == "area":
        rollup = workorder_area_rollup(actor=request.user, parent=_parent(request), since=since)
        rows: list[dict[str, Any]] = []
    else:
        rows = selectors.workorder_metrics(actor=request.user, by=by, since=since)
        labels = _labels(by, [r["key"] for r in rows])
        for row in rows:
            row["label"] = labels.get(row["key"], str(row["key"] or "—"))
    categories = {c.code: category_label(c) for c in Category.objects.all()}
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
        "rollup": rollup,
        "by_category": by_category,
        "by_channel": by_channel,
    }
    return render(request, "workorders/metrics.html", context)
