"""The command API, mounted at /api/v1/command: an area's figures for a day (with the day
before), its children's, one figure's last days; alerts (list, acknowledge) and alert
rules (list, create with an Idempotency-Key). Everything reads the counters only. Daily
reports and review meetings are in ``api_reports``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from ninja import Query, Router

from lifeline.api.auth import AuthedRequest
from lifeline.api.creates import IdempotencyKey, create_once
from lifeline.api.pagination import PageParams, page_of, paginate
from lifeline.api.schemas import ERRORS
from lifeline.command import api_reports, selectors, services
from lifeline.command.catalogue import Figure, figures_by_key
from lifeline.command.models import Alert, AlertRule
from lifeline.command.naming import area_titles
from lifeline.command.schemas import (
    CommandAlertFilter,
    CommandAlertOut,
    CommandChildrenOut,
    CommandDayFilter,
    CommandFigureFilter,
    CommandFiguresOut,
    CommandRuleFilter,
    CommandRuleIn,
    CommandRuleOut,
    CommandSeriesOut,
)
from lifeline.core import clock
from lifeline.core.errors import ServiceError
from lifeline.registry.models import Area

router = Router(tags=["command"])


def _number(figure: Figure | None, value: int | None) -> float | None:
    if value is None:
        return None
    return value / 100 if figure is not None and figure.is_ratio else value


def _area_out(area: Area, title: str) -> dict[str, Any]:
    return {"id": area.pk, "code": area.code, "level": area.level, "title": title}


def _day(day: dt.date | None) -> dt.date:
    today = clock.today()
    if day is None:
        return today
    if day > today or day < today - dt.timedelta(days=366):
        message = _("Choose a day within the last year, up to today.")
        raise ServiceError(message, fields={"day": [message]})
    return day


def _figure(key: str) -> Figure:
    found = figures_by_key().get(key)
    if found is None:
        raise ServiceError(
            _("Unknown figure."), fields={"figure": [_("Choose a figure from the list.")]}
        )
    return found


@router.get("/areas/{area_id}/figures", response={200: CommandFiguresOut, **ERRORS})
def area_figures(request: AuthedRequest, area_id: int, filters: Query[CommandDayFilter]) -> Any:
    """Every figure of the area for ``day`` (today by default) and the day before."""
    area = selectors.dashboard_area(actor=request.auth, pk=area_id)
    day = _day(filters.day)
    tiles = selectors.area_tiles(area=area, day=day)
    return {
        "area": _area_out(area, area_titles([area.path]).get(area.path, area.name)),
        "day": day,
        "yesterday": day - dt.timedelta(days=1),
        "figures": [
            {
                "key": t.figure.key,
                "label": str(t.figure.label),
                "unit": t.figure.unit,
                "higher_is_better": t.figure.higher_is_better,
                "ratio": t.figure.is_ratio,
                "value": _number(t.figure, t.today),
                "yesterday": _number(t.figure, t.yesterday),
                "delta": _number(t.figure, t.delta),
            }
            for t in tiles
        ],
    }


@router.get("/areas/{area_id}/children", response={200: CommandChildrenOut, **ERRORS})
def area_children(request: AuthedRequest, area_id: int, filters: Query[CommandFigureFilter]) -> Any:
    """The area's children with one figure each for ``day``."""
    area = selectors.dashboard_area(actor=request.auth, pk=area_id)
    figure = _figure(filters.figure)
    day = _day(filters.day)
    rows = selectors.children_rows(area=area, day=day, figure=figure)
    return {
        "figure": figure.key,
        "day": day,
        "children": [
            {"area": _area_out(r.area, r.title), "value": _number(figure, r.value)} for r in rows
        ],
    }


@router.get("/areas/{area_id}/series", response={200: CommandSeriesOut, **ERRORS})
def area_series(request: AuthedRequest, area_id: int, filters: Query[CommandFigureFilter]) -> Any:
    """One figure of the area for the 14 days up to ``day``."""
    area = selectors.dashboard_area(actor=request.auth, pk=area_id)
    figure = _figure(filters.figure)
    points = selectors.series(area=area, figure=figure, last=_day(filters.day))
    return {
        "figure": figure.key,
        "points": [{"day": d, "value": _number(figure, v)} for d, v in points],
    }


def _alert_out(alert: Alert, titles: dict[str, str], catalogue: dict[str, Figure]) -> Any:
    return {
        "id": alert.pk,
        "rule_id": alert.rule_id,
        "figure": alert.rule.key,
        "area_path": alert.area_path,
        "place": titles.get(alert.area_path, ""),
        "day": alert.day,
        "value": _number(catalogue.get(alert.rule.key), alert.value),
        "raised_at": alert.raised_at,
        "acknowledged_at": alert.acknowledged_at,
    }


@router.get("/alerts", response={200: page_of(CommandAlertOut), **ERRORS})
def alerts_list(
    request: AuthedRequest, filters: Query[CommandAlertFilter], page: Query[PageParams]
) -> Any:
    """Alerts of the caller's areas (open ones by default), newest first."""
    area = None
    if filters.area_id is not None:
        area = selectors.dashboard_area(actor=request.auth, pk=filters.area_id)
    qs = selectors.alert_list(actor=request.auth, area=area, open_only=filters.open)
    answer = paginate(qs, page)
    titles = area_titles([a.area_path for a in answer["items"]])
    catalogue = figures_by_key()
    answer["items"] = [_alert_out(a, titles, catalogue) for a in answer["items"]]
    return answer


@router.post("/alerts/{alert_id}/acknowledge", response={200: CommandAlertOut, **ERRORS})
def alert_acknowledge(request: AuthedRequest, alert_id: int) -> Any:
    """Acknowledge an alert (COMMAND_ALERTS at its area); a second time changes nothing."""
    alert = selectors.alert_get(actor=request.auth, pk=alert_id)
    alert = services.alert_acknowledge(actor=request.auth, alert=alert)
    titles = area_titles([alert.area_path])
    return _alert_out(alert, titles, figures_by_key())


def _rule_out(rule: AlertRule) -> dict[str, Any]:
    return {
        "id": rule.pk,
        "area_path": rule.area_path,
        "figure": rule.key,
        "level": rule.level,
        "comparison": rule.comparison,
        "threshold": _number(figures_by_key().get(rule.key), rule.threshold),
        "unit_id": rule.unit_id,
        "active": rule.active,
    }


@router.get("/rules", response={200: page_of(CommandRuleOut), **ERRORS})
def rules_list(
    request: AuthedRequest, filters: Query[CommandRuleFilter], page: Query[PageParams]
) -> Any:
    """Alert rules in force in the caller's areas."""
    area = None
    if filters.area_id is not None:
        area = selectors.dashboard_area(actor=request.auth, pk=filters.area_id)
    answer = paginate(selectors.rule_list(actor=request.auth, area=area), page)
    answer["items"] = [_rule_out(r) for r in answer["items"]]
    return answer


@router.post("/rules", response={201: CommandRuleOut, **ERRORS})
def rules_create(request: AuthedRequest, payload: CommandRuleIn, key: IdempotencyKey) -> Any:
    """A threshold on a figure for every area of ``level`` inside the area (COMMAND_ALERTS
    there); threshold in percent for ratios."""
    actor = request.auth

    def make() -> dict[str, Any]:
        area = selectors.dashboard_area(actor=actor, pk=payload.area_id)
        rule = services.alert_rule_create(
            actor=actor,
            area=area,
            key=payload.figure,
            level=payload.level,
            comparison=payload.comparison,
            threshold=payload.threshold,
            unit_id=payload.unit_id,
        )
        return _rule_out(rule)

    return create_once(request, key=key, payload=payload, make=make, out=CommandRuleOut)


# Daily reports and review meetings (api_reports.py), on the same router.
router.add_router("", api_reports.router)
