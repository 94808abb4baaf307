"""Continuity's exports as CSV or XLSX: the problem list (unit, problem, owner, guidance,
due, status; no personal data) and one unit's figure history over a period.

Only what the actor may see (``continuity.view``) goes in. Every export is recorded in the
audit log (``continuity.export_problems``, ``continuity.export_history``) with its row
count. Cells go through ``core.exports``, so a text cannot smuggle a formula into a
spreadsheet.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can, can_anywhere, scoped
from lifeline.continuity import selectors
from lifeline.continuity.models import FigureReport, LifelineUnit
from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.audit import audit_log
from lifeline.core.errors import NotFound, ServiceError
from lifeline.core.exports import csv_writer, xlsx_cell

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MAX_ROWS = 20_000
MAX_DAYS = 366
DEFAULT_DAYS = 30
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2099, 12, 31)

PROBLEM_COLUMNS = [
    gettext_lazy("Lifeline unit"),
    gettext_lazy("Problem"),
    gettext_lazy("Owner"),
    gettext_lazy("Guidance"),
    gettext_lazy("Due"),
    gettext_lazy("Status"),
    gettext_lazy("Opened at"),
]
HISTORY_COLUMNS = [
    gettext_lazy("Reported at"),
    gettext_lazy("Figure"),
    gettext_lazy("Value"),
    gettext_lazy("Measured in"),
    gettext_lazy("Reported late"),
]


@dataclass(frozen=True)
class ExportFile:
    file_name: str
    content_type: str
    content: bytes
    rows: int


def may_export(*, actor: Actor) -> bool:
    return can_anywhere(actor, Perm.CONTINUITY_VIEW)


def period(since: dt.date | None, until: dt.date | None) -> tuple[dt.date, dt.date]:
    """The days asked for; by default the last thirty days, today included."""
    if until is None:
        until = max(clock.today(), since) if since else clock.today()
    if since is None:
        since = max(until, FIRST_DAY) - dt.timedelta(days=DEFAULT_DAYS - 1)
    return since, until


def check_period(since: dt.date, until: dt.date) -> None:
    if not (FIRST_DAY <= since <= LAST_DAY and FIRST_DAY <= until <= LAST_DAY):
        message = _("Choose days between 2000 and 2099.")
        raise ServiceError(message, fields={"since": [message]})
    if since > until:
        message = _("The first day must not be after the last.")
        raise ServiceError(message, fields={"since": [message]})
    if (until - since).days >= MAX_DAYS:
        message = _("Choose at most 366 days.")
        raise ServiceError(message, fields={"until": [message]})


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        message = _("Unknown format; use csv or xlsx.")
        raise ServiceError(message, fields={"format": [message]})


def _local(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def problem_rows(*, actor: Actor, open_only: bool = False) -> list[list[Any]]:
    found = selectors.problem_list(actor=actor, open_only=open_only)
    rows = []
    for problem in found.order_by("-opened_at", "-pk")[:MAX_ROWS]:
        order = problem.work_order
        rows.append(
            [
                problem.lifeline_unit.unit.name,
                problem.title,
                problem.owner,
                problem.guidance,
                _local(order.due_resolution_at),
                str(order.get_status_display()),
                _local(problem.opened_at),
            ]
        )
    return rows


def problems_export(
    *, actor: Actor, fmt: str = "csv", open_only: bool = False, language: str = "zh-hans"
) -> ExportFile:
    """The problem list the actor sees as a file; audited."""
    _check_format(fmt)
    if not may_export(actor=actor):
        raise NotFound()
    with translation.override(language):
        header = [str(c) for c in PROBLEM_COLUMNS]
        rows = problem_rows(actor=actor, open_only=open_only)
    with transaction.atomic():
        audit_log(
            actor=actor,
            action="continuity.export_problems",
            object_type="continuity.problem",
            purpose=f"[rows={len(rows)}]",
        )
    name = f"lifeline-problems-{clock.today():%Y%m%d}.{fmt}"
    return ExportFile(name, CONTENT_TYPES[fmt], _content(fmt, "problems", header, rows), len(rows))


def history_rows(
    *, actor: Actor, lifeline_unit: LifelineUnit, since: dt.date, until: dt.date
) -> list[list[Any]]:
    found = scoped(FigureReport.objects.all(), actor).filter(
        figure__lifeline_unit=lifeline_unit,
        reported_at__gte=_day_start(since),
        reported_at__lt=_day_start(until + dt.timedelta(days=1)),
    )
    rows = []
    for report in found.select_related("figure").order_by("reported_at", "pk")[:MAX_ROWS]:
        rows.append(
            [
                _local(report.reported_at),
                report.figure.name,
                report.value,
                report.figure.unit_label,
                _("yes") if report.late else "",
            ]
        )
    return rows


def history_export(
    *,
    actor: Actor,
    lifeline_unit: LifelineUnit,
    since: dt.date,
    until: dt.date,
    fmt: str = "csv",
    language: str = "zh-hans",
) -> ExportFile:
    """The unit's reported figures over [``since``, ``until``] (local days) as a file;
    ``lifeline_unit`` read through ``selectors.lifeline_unit_get``; audited."""
    _check_format(fmt)
    if not can(
        actor, Perm.CONTINUITY_VIEW, path=lifeline_unit.area_path, unit_id=lifeline_unit.unit_id
    ):
        raise NotFound()
    check_period(since, until)
    with translation.override(language):
        header = [str(c) for c in HISTORY_COLUMNS]
        rows = history_rows(actor=actor, lifeline_unit=lifeline_unit, since=since, until=until)
    with transaction.atomic():
        audit_log(
            actor=actor,
            action="continuity.export_history",
            obj=lifeline_unit,
            area_path=lifeline_unit.area_path,
            purpose=f"{since.isoformat()}..{until.isoformat()} [rows={len(rows)}]",
        )
    name = f"lifeline-figures-{lifeline_unit.pk}-{since:%Y%m%d}-{until:%Y%m%d}.{fmt}"
    return ExportFile(name, CONTENT_TYPES[fmt], _content(fmt, "figures", header, rows), len(rows))


def _content(fmt: str, title: str, header: list[str], rows: Sequence[list[Any]]) -> bytes:
    if fmt == "xlsx":
        return _xlsx(title, header, rows)
    out = io.StringIO()
    writer = csv_writer(out)  # formula-like text neutralised
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")  # the BOM lets Chinese Excel read UTF-8


def _xlsx(title: str, header: list[str], rows: Sequence[list[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append([xlsx_cell(sheet, name) for name in header])
    for row in rows:
        sheet.append([xlsx_cell(sheet, value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
