"""The dashboard: ``/command/`` opens the actor's top area; an area's page shows every
figure today against yesterday, its alerts, its children with a chosen figure (a table,
a map coloured by it, each a drill-down link) and that figure's last 14 days as a chart.
Everything comes from the counters (``AreaFigure``), never from the domain tables."""

from __future__ import annotations

import datetime as dt
from itertools import groupby
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can
from lifeline.command import mapdata, selectors
from lifeline.command.catalogue import Figure, figures
from lifeline.command.naming import area_titles
from lifeline.command.services.reports import REPORT_LEVELS
from lifeline.core import clock, replica
from lifeline.core.errors import NotFound
from lifeline.web.errors import renders_service_errors
from lifeline.web.templatetags.lifeline_web import local_name

DEFAULT_FIGURE = "workorders.open"
OLDEST = dt.timedelta(days=366)


def app_title(app: str) -> str:
    titles = {
        "registry": _("Residents"),
        "workorders": _("Requests"),
        "screening": _("Testing"),
        "health": _("Health"),
        "passes": _("Passes"),
        "teams": _("Field teams"),
        "supplies": _("Supplies"),
        "volunteers": _("Volunteers"),
        "continuity": _("Lifeline units"),
        "keyusers": _("Key users"),
        "enterprises": _("Enterprises"),
    }
    return titles.get(app, app)


def chosen_day(raw: str | None) -> dt.date:
    """The day asked for (ISO), today when missing, unreadable or out of range."""
    today = clock.today()
    try:
        day = dt.date.fromisoformat(raw or "")
    except ValueError:
        return today
    return day if today - OLDEST <= day <= today else today


def chosen_figure(raw: str | None, catalogue: list[Figure]) -> Figure:
    by_key = {f.key: f for f in catalogue}
    return by_key.get(raw or "") or by_key.get(DEFAULT_FIGURE) or catalogue[0]


def _alert_row(alert: Any, titles: dict[str, str], catalogue: list[Figure]) -> dict[str, Any]:
    found = {f.key: f for f in catalogue}.get(alert.rule.key)
    show = found.show if found else str
    return {
        "alert": alert,
        "place": titles.get(alert.area_path, alert.area_path),
        "label": found.label if found else alert.rule.key,
        "value": show(alert.value),
        "threshold": show(alert.rule.threshold),
    }


@login_required
@renders_service_errors
def index(request: HttpRequest) -> HttpResponse:
    area = selectors.top_area_for(actor=request.user)
    if area is None:
        raise NotFound(_("No area of yours shows the dashboard."))
    return redirect("command:area", area.pk)


@login_required
@renders_service_errors
def area_page(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    area = selectors.dashboard_area(actor=actor, pk=pk)
    catalogue = figures()
    if not catalogue:
        raise NotFound(_("No dashboard figures are configured."))
    day = chosen_day(request.GET.get("day"))
    figure = chosen_figure(request.GET.get("figure"), catalogue)
    query = "?" + urlencode({"figure": figure.key, "day": day.isoformat()})
    tiles = selectors.area_tiles(area=area, day=day)
    groups = [(app_title(app), list(rows)) for app, rows in groupby(tiles, lambda t: t.figure.app)]
    children = selectors.children_rows(area=area, day=day, figure=figure)
    # A grid has no areas below it: its map shows the grid itself.
    mapped = children or [selectors.own_row(area=area, day=day, figure=figure)]
    trail = selectors.trail(actor=actor, area=area)
    titles = area_titles([a.path for a in trail])
    series = selectors.series(area=area, figure=figure, last=day)
    alerts = list(selectors.alert_list(actor=actor, area=area)[:50])
    alert_titles = area_titles([a.area_path for a in alerts])
    context: dict[str, Any] = {
        "area": area,
        "title": titles.get(area.path, area.name),
        # the trail names each area bare (its parents are the crumbs before it), but the
        # first crumb, where the trail starts below the city, carries its parent
        "trail": [
            (a, titles.get(a.path, a.name) if n == 0 else local_name(a))
            for n, a in enumerate(trail)
        ],
        "day": day,
        "today": clock.today(),
        "yesterday": day - dt.timedelta(days=1),
        "groups": groups,
        "figure": figure,
        "figures": catalogue,
        "children": children,
        "query": query,
        "legend": mapdata.legend(mapped, figure.show),
        "map_data": mapdata.children_geojson(mapped, query=query),
        "chart_data": {
            "label": str(figure.label),
            "percent": figure.is_ratio,
            "labels": [d.strftime("%m-%d") for d, _v in series],
            "values": [
                (None if v is None else (v / 100 if figure.is_ratio else v)) for _d, v in series
            ],
        },
        "series": series,
        "alerts": [_alert_row(a, alert_titles, catalogue) for a in alerts],
        "may_acknowledge": can(actor, Perm.COMMAND_ALERTS, path=area.path),
        # The city and its districts keep daily reports and review meetings.
        "has_reports": area.level in REPORT_LEVELS,
        "export_csv": reverse("command:export", args=[area.pk, "csv"]) + query,
        "export_xlsx": reverse("command:export", args=[area.pk, "xlsx"]) + query,
        # With a read replica, how far behind the figures may be (None: it does not answer).
        "replica_configured": replica.configured(),
        "replica_lag": replica.replica_lag() if replica.configured() else None,
    }
    return render(request, "command/area.html", context)
