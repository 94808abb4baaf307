"""The daily report's frozen snapshot, as a plain document of JSON values.

``take`` reads, for an area and a day, what the report freezes: every figure of the
catalogue with the day before's value, the children's rows (a city's districts, a
district's streets), the alerts of the day, the lifeline units' problems opened that day
or still open, the actions of the last review meeting with their work orders' status,
and the revisions (figures of the day before's signed report whose counters changed
since it was signed). Labels and place names are kept in every language of the site, so
the document reads the same in either whatever changes later.

``canonical`` writes the document as canonical JSON (sorted keys, no spaces, UTF-8, no
floats); ``digest`` is its SHA-256. The same data give the same text and hash: nothing
in the document depends on when or by whom it was taken.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation

from lifeline.command import selectors
from lifeline.command.catalogue import Figure, figures
from lifeline.command.models import DailyReport, ReportStatus, ReviewMeeting
from lifeline.command.naming import area_titles
from lifeline.continuity import selectors as continuity
from lifeline.continuity.models import SETTLED
from lifeline.core.actors import Actor
from lifeline.registry.models import Area, Unit

log = logging.getLogger(__name__)

FORMAT = 1
MAX_ROWS = 200  # alerts, problems: the rest are counted
SECTIONS = ("methods", "problems", "plan")


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def in_languages(make: Callable[[], Any]) -> dict[str, str]:
    """``make()`` as text in each language of the site."""
    out = {}
    for code in languages():
        with translation.override(code):
            out[code] = str(make())
    return out


def unit_names(unit: Unit) -> dict[str, str]:
    return {
        code: (unit.name_en or unit.name) if code == "en" else unit.name for code in languages()
    }


def canonical(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def local(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else ""


def cutoff_of(day: dt.date) -> dt.datetime:
    """The report's cut-off: ``LIFELINE_DAILY_REPORT_CUTOFF`` ("HH:MM", local) of ``day``;
    "24:00" is the end of the day. A setting that cannot be read counts as "24:00"."""
    raw = str(getattr(settings, "LIFELINE_DAILY_REPORT_CUTOFF", "24:00")).strip()
    try:
        hours, minutes = (int(part) for part in raw.split(":"))
        if not (0 <= hours <= 24 and 0 <= minutes < 60) or (hours == 24 and minutes):
            raise ValueError(raw)
    except ValueError:
        log.error("LIFELINE_DAILY_REPORT_CUTOFF %r is not HH:MM; using 24:00", raw)
        hours, minutes = 24, 0
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start + dt.timedelta(hours=hours, minutes=minutes)


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def _titles(paths: Iterable[str]) -> dict[str, dict[str, str]]:
    wanted = list(paths)
    by_lang = {}
    for code in languages():
        with translation.override(code):
            by_lang[code] = area_titles(wanted)
    return {p: {code: by_lang[code].get(p, "") for code in by_lang} for p in wanted}


def _figure_spec(figure: Figure) -> dict[str, Any]:
    return {
        "key": figure.key,
        "app": figure.app,
        "label": in_languages(lambda: figure.label),
        "ratio": figure.is_ratio,
        "better": figure.higher_is_better,
    }


def _figures(
    area: Area, children: list[Area], day: dt.date, catalogue: list[Figure]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    before = day - dt.timedelta(days=1)
    paths = [area.path, *[c.path for c in children]]
    found = selectors.figure_values(paths, [day, before])
    titles = _titles(paths)
    rows = [
        {
            **_figure_spec(f),
            "value": selectors.figure_value(f, found, area.path, day),
            "before": selectors.figure_value(f, found, area.path, before),
        }
        for f in catalogue
    ]
    kids = [
        {
            "path": c.path,
            "code": c.code,
            "title": titles[c.path],
            "values": {f.key: selectors.figure_value(f, found, c.path, day) for f in catalogue},
        }
        for c in children
    ]
    return rows, kids


def _label_of(figure: Figure | None, key: str) -> Callable[[], Any]:
    return lambda: figure.label if figure is not None else key


def _alerts(actor: Actor, area: Area, day: dt.date, catalogue: list[Figure]) -> dict[str, Any]:
    qs = selectors.alert_list(actor=actor, area=area, open_only=False).filter(day=day)
    found = list(qs.order_by("area_path", "rule__key", "pk")[: MAX_ROWS + 1])
    by_key = {f.key: f for f in catalogue}
    titles = _titles({a.area_path for a in found[:MAX_ROWS]})
    items = []
    for alert in found[:MAX_ROWS]:
        figure = by_key.get(alert.rule.key)
        items.append(
            {
                "place": titles.get(alert.area_path, {}),
                "label": in_languages(_label_of(figure, alert.rule.key)),
                "ratio": bool(figure and figure.is_ratio),
                "value": alert.value,
                "threshold": alert.rule.threshold,
                "comparison": alert.rule.comparison,
                "acknowledged": alert.acknowledged_at is not None,
            }
        )
    return {"items": items, "more": qs.count() - MAX_ROWS if len(found) > MAX_ROWS else 0}


def _problems(actor: Actor, area: Area, day: dt.date) -> dict[str, Any]:
    """Lifeline units' problems opened on the day, or opened before its end and still
    open, as far as the actor sees them (continuity's own selector)."""
    start, end = _day_bounds(day)
    qs = (
        continuity.problem_list(actor=actor)
        .filter(lifeline_unit__area_path__startswith=area.path, opened_at__lt=end)
        .filter(Q(opened_at__gte=start) | ~Q(work_order__status__in=SETTLED))
        .order_by("opened_at", "pk")
    )
    found = list(qs[: MAX_ROWS + 1])
    items = [
        {
            "title": p.title,
            "unit": unit_names(p.lifeline_unit.unit),
            "opened_at": local(p.opened_at),
            "new": p.opened_at >= start,
            "status": p.work_order.status,
            "number": p.work_order.number,
            "due": local(p.work_order.due_resolution_at),
        }
        for p in found[:MAX_ROWS]
    ]
    return {"items": items, "more": qs.count() - MAX_ROWS if len(found) > MAX_ROWS else 0}


def _actions(actor: Actor, area: Area, day: dt.date, cutoff: dt.datetime) -> dict[str, Any]:
    """The actions of the area's last review meeting before ``day``, with the status of
    each one's work order as it stands now (read through the work orders' selector)."""
    meeting = ReviewMeeting.objects.filter(area=area, day__lt=day).order_by("-day").first()
    if meeting is None:
        return {"meeting_day": "", "items": []}
    actions = list(meeting.actions.select_related("owner").order_by("due_at", "pk"))
    orders = selectors.action_orders(actor=actor, actions=actions)
    items = []
    for action in actions:
        order = orders.get(action.work_order_id)
        status = order.status if order else ""
        items.append(
            {
                "text": action.text,
                "owner": unit_names(action.owner),
                "due": local(action.due_at),
                "status": status,
                "number": order.number if order else "",
                "late": action.due_at < cutoff and status not in SETTLED,
            }
        )
    return {"meeting_day": meeting.day.isoformat(), "items": items}


def _revisions(area: Area, day: dt.date, catalogue: list[Figure]) -> dict[str, Any]:
    """Figures of the day before's signed report whose counter now differs (old -> new)."""
    before = day - dt.timedelta(days=1)
    signed = DailyReport.objects.filter(area=area, day=before, status=ReportStatus.SIGNED).first()
    if signed is None:
        return {"day": before.isoformat(), "signed": False, "items": []}
    old = json.loads(signed.content)
    rows = [(area.path, old["area"]["title"], {f["key"]: f["value"] for f in old["figures"]})]
    rows += [(c["path"], c["title"], c["values"]) for c in old.get("children", [])]
    found = selectors.figure_values([path for path, _t, _v in rows], [before])
    by_key = {f.key: f for f in catalogue}
    specs = {f["key"]: f for f in old["figures"]}
    order = {f.key: n for n, f in enumerate(catalogue)}
    items = []
    for path, title, values in rows:
        for key, was in sorted(values.items(), key=lambda kv: order.get(kv[0], len(order))):
            figure = by_key.get(key)
            now = selectors.figure_value(figure, found, path, before) if figure else was
            if now != was:
                spec = specs.get(key, {})
                items.append(
                    {
                        "place": title,
                        "key": key,
                        "label": spec.get("label", {}),
                        "ratio": bool(spec.get("ratio")),
                        "old": was,
                        "new": now,
                    }
                )
    return {"day": before.isoformat(), "signed": True, "items": items}


def take(*, actor: Actor, area: Area, day: dt.date) -> dict[str, Any]:
    """The snapshot of ``area`` for ``day`` as the actor sees it (no narrative)."""
    catalogue = figures()
    cutoff = cutoff_of(day)
    children = list(Area.objects.filter(parent=area).order_by("code"))
    rows, kids = _figures(area, children, day, catalogue)
    return {
        "format": FORMAT,
        "area": {
            "path": area.path,
            "code": area.code,
            "level": area.level,
            "title": _titles([area.path])[area.path],
        },
        "day": day.isoformat(),
        "cutoff": local(cutoff),
        "figures": rows,
        "children": kids,
        "alerts": _alerts(actor, area, day, catalogue),
        "problems": _problems(actor, area, day),
        "actions": _actions(actor, area, day, cutoff),
        "revisions": _revisions(area, day, catalogue),
    }


def with_sections(snapshot: dict[str, Any], sections: dict[str, str]) -> dict[str, Any]:
    return {**snapshot, "sections": {name: sections.get(name, "") for name in SECTIONS}}
