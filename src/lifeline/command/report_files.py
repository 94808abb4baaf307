"""The daily report's downloads: PDF (``command.pdf``) and XLSX (openpyxl; one sheet for
the area's figures, one for the areas below, one for the lists and one for the
narrative). Both are made from the stored content only; each download is audited."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from lifeline.command.document import Document, document_of
from lifeline.command.models import DailyReport
from lifeline.command.pdf import report_pdf
from lifeline.core.actors import Actor
from lifeline.core.audit import audit_log
from lifeline.core.errors import ServiceError
from lifeline.core.exports import xlsx_cell

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class ReportFile:
    file_name: str
    content_type: str
    content: bytes


def _sheet(workbook: Any, title: str, rows: Iterable[Iterable[Any]]) -> None:
    sheet = workbook.create_sheet(title[:31])
    for row in rows:
        sheet.append([xlsx_cell(sheet, value) for value in row])


def _figures_rows(report: DailyReport, doc: Document) -> list[list[Any]]:
    status = _("Signed") if report.is_signed else _("Draft")
    rows: list[list[Any]] = [
        [_("Area"), doc.title],
        [_("Day"), doc.day],
        [_("Cut-off"), doc.cutoff],
        [_("Status"), status, report.signer_name],
        ["SHA-256", report.content_hash],
        [],
        [
            _("Figure"),
            pgettext("report column", "Day"),
            pgettext("report column", "Day before"),
            pgettext("report column", "Change"),
        ],
    ]
    for group, lines in doc.groups:
        rows.append([group])
        rows.extend([ln.label, ln.number, ln.before_number, ln.delta] for ln in lines)
    return rows


def _lists_rows(doc: Document) -> list[list[Any]]:
    rows: list[list[Any]] = [[_("Alerts of the day")]]
    rows.append([_("Where"), _("Figure"), _("Value"), _("Threshold"), _("Acknowledged")])
    rows += [
        [
            a["place"],
            a["label"],
            a["value"],
            f"{a['comparison']} {a['threshold']}",
            _("yes") if a["acknowledged"] else _("no"),
        ]
        for a in doc.alerts
    ]
    rows += [[], [_("Problems of the lifeline units")]]
    rows.append(
        [_("Problem"), pgettext("lifeline unit", "Unit"), _("Opened"), _("Status"), _("Due")]
    )
    rows += [[p["title"], p["unit"], p["opened_at"], p["status"], p["due"]] for p in doc.problems]
    rows += [[], [_("Actions from the last review")]]
    rows.append([_("Action"), _("Owner"), _("Due"), _("Status")])
    rows += [[a["text"], a["owner"], a["due"], a["status"]] for a in doc.actions]
    rows += [[], [_("Revisions of the day before")]]
    rows.append(
        [
            _("Where"),
            _("Figure"),
            pgettext("report column", "Signed"),
            pgettext("report column", "Now"),
        ]
    )
    rows += [[r["place"], r["label"], r["old"], r["new"]] for r in doc.revisions]
    return rows


def report_xlsx(report: DailyReport) -> bytes:
    from openpyxl import Workbook

    doc = document_of(report)
    workbook = Workbook(write_only=True)
    _sheet(workbook, _("Figures"), _figures_rows(report, doc))
    if doc.children:
        _sheet(
            workbook,
            _("Areas below"),
            [
                [_("Area"), *doc.labels],
                *[[title, *values] for title, values in doc.children_numbers],
            ],
        )
    _sheet(workbook, _("Alerts, problems and actions"), _lists_rows(doc))
    _sheet(workbook, _("Narrative"), [[heading, text] for _n, heading, text in doc.sections])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def report_file(*, actor: Actor, report: DailyReport, fmt: str) -> ReportFile:
    """The report as ``fmt`` ("pdf" or "xlsx") for an actor who may read it (the caller
    got it through ``selectors.report_get``); audited."""
    if fmt not in CONTENT_TYPES:
        raise ServiceError(_("Unknown format; use pdf or xlsx."), fields={"format": []})
    content = report_pdf(report) if fmt == "pdf" else report_xlsx(report)
    audit_log(
        actor=actor,
        action=f"command.report.download_{fmt}",
        obj=report,
        area_path=report.area_path,
        purpose=f"sha256={report.content_hash}",
    )
    name = f"daily-report-{report.area.code}-{report.day.isoformat()}.{fmt}"
    return ReportFile(name, CONTENT_TYPES[fmt], content)
