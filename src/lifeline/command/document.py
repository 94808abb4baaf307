"""A daily report as it is read, in the active language: built from the stored content
alone (never the live counters), so the page, the printable page, the PDF and the XLSX
of a signed report always say what was signed."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from lifeline.command.models import DailyReport
from lifeline.command.pages.dashboard import app_title
from lifeline.workorders.models import Status


def section_titles() -> dict[str, str]:
    return {
        "methods": pgettext("report section", "Methods and results"),
        "problems": pgettext("report section", "Problems"),
        "plan": pgettext("report section", "Tomorrow's plan"),
    }


def pick(texts: Any) -> str:
    """The text of ``texts`` ({language: text}) in the active language, else any."""
    if not isinstance(texts, dict) or not texts:
        return str(texts or "")
    wanted = "en" if (get_language() or "").startswith("en") else "zh-hans"
    return str(texts.get(wanted) or next(iter(texts.values())))


def show(value: Any, ratio: bool) -> str:
    if value is None:
        return "–"
    return f"{value / 100:.1f}%" if ratio else str(value)


def number(value: Any, ratio: bool) -> float | int | None:
    if value is None:
        return None
    return round(value / 100, 2) if ratio else int(value)


def when(iso: str) -> str:
    if not iso:
        return "–"
    moment = timezone.localtime(dt.datetime.fromisoformat(iso))
    return formats.date_format(moment, "Y-m-d H:i")


def status_label(code: str) -> str:
    return str(Status(code).label) if code in Status.values else "–"


@dataclass(frozen=True)
class Line:
    label: str
    value: str
    before: str
    delta: str
    trend: str  # "up", "down", "same"
    verdict: str  # "good", "bad", ""
    number: float | int | None = None  # for spreadsheets: ratios in percent
    before_number: float | int | None = None


def _line(spec: dict[str, Any]) -> Line:
    value, before, ratio = spec.get("value"), spec.get("before"), bool(spec.get("ratio"))
    delta = None if value is None or before is None else value - before
    trend = "up" if (delta or 0) > 0 else "down" if (delta or 0) < 0 else "same"
    verdict = ""
    if trend != "same" and spec.get("better") is not None:
        verdict = "good" if (trend == "up") == bool(spec["better"]) else "bad"
    shown = ""
    if delta is not None:
        sign = "+" if delta > 0 else "−" if delta < 0 else "±"
        shown = sign + show(abs(delta), ratio)
    return Line(
        pick(spec["label"]),
        show(value, ratio),
        show(before, ratio),
        shown,
        trend,
        verdict,
        number(value, ratio),
        number(before, ratio),
    )


@dataclass
class Document:
    title: str
    level: str
    day: str
    cutoff: str
    groups: list[tuple[str, list[Line]]]
    labels: list[str]  # the figures' labels, in the children's rows' order
    children: list[tuple[str, list[str]]]
    children_numbers: list[tuple[str, list[Any]]]
    alerts: list[dict[str, Any]]
    alerts_more: int
    problems: list[dict[str, Any]]
    problems_more: int
    actions_day: str
    actions: list[dict[str, Any]]
    revisions_day: str
    revisions_signed: bool
    revisions: list[dict[str, Any]]
    sections: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def by_figure(self) -> list[tuple[str, list[str]]]:
        """The children's table turned: a row per figure, a column per child."""
        return [
            (label, [row[n] for _t, row in self.children]) for n, label in enumerate(self.labels)
        ]


def _alert(item: dict[str, Any]) -> dict[str, Any]:
    ratio = bool(item.get("ratio"))
    return {
        "place": pick(item.get("place")),
        "label": pick(item.get("label")),
        "value": show(item.get("value"), ratio),
        "comparison": _("below") if item.get("comparison") == "below" else _("above"),
        "threshold": show(item.get("threshold"), ratio),
        "acknowledged": bool(item.get("acknowledged")),
    }


def document_of(report: DailyReport) -> Document:
    """The report's stored content, ready to show in the active language."""
    content = json.loads(report.content)
    specs = content["figures"]
    groups = [
        (app_title(app), [_line(s) for s in rows])
        for app, rows in groupby(specs, lambda s: s.get("app", ""))
    ]
    ratios = {s["key"]: bool(s.get("ratio")) for s in specs}
    children = [
        (pick(c["title"]), [show(c["values"].get(s["key"]), ratios[s["key"]]) for s in specs])
        for c in content.get("children", [])
    ]
    numbers = [
        (pick(c["title"]), [number(c["values"].get(s["key"]), ratios[s["key"]]) for s in specs])
        for c in content.get("children", [])
    ]
    problems = [
        {
            **p,
            "unit": pick(p.get("unit")),
            "opened_at": when(p.get("opened_at", "")),
            "due": when(p.get("due", "")),
            "status": status_label(p.get("status", "")),
        }
        for p in content["problems"]["items"]
    ]
    actions = [
        {
            **a,
            "owner": pick(a.get("owner")),
            "due": when(a.get("due", "")),
            "status": status_label(a.get("status", "")),
        }
        for a in content["actions"]["items"]
    ]
    revisions = [
        {
            "place": pick(r.get("place")),
            "label": pick(r.get("label")),
            "old": show(r.get("old"), bool(r.get("ratio"))),
            "new": show(r.get("new"), bool(r.get("ratio"))),
        }
        for r in content["revisions"]["items"]
    ]
    titles = section_titles()
    stored = content.get("sections", {})
    return Document(
        title=pick(content["area"]["title"]),
        level=report.area.get_level_display() if report.area_id else "",
        day=content["day"],
        cutoff=when(content["cutoff"]),
        groups=groups,
        labels=[pick(s["label"]) for s in specs],
        children=children,
        children_numbers=numbers,
        alerts=[_alert(a) for a in content["alerts"]["items"]],
        alerts_more=int(content["alerts"].get("more", 0)),
        problems=problems,
        problems_more=int(content["problems"].get("more", 0)),
        actions_day=content["actions"].get("meeting_day", ""),
        actions=actions,
        revisions_day=content["revisions"]["day"],
        revisions_signed=bool(content["revisions"]["signed"]),
        revisions=revisions,
        sections=[(name, titles[name], stored.get(name, "")) for name in titles],
    )
