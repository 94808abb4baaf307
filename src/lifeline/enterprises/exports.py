"""Enterprises' exports as CSV or XLSX: the whitelist (each enterprise with its status,
loops, sealed staff and how many are behind on tests) and one enterprise's compliance list
(each sealed member, masked, with their tests in the policy's window).

Only what the actor may see (``enterprises.view``) goes in; names and phones are masked as
on the pages. Every export is recorded in the audit log (``enterprises.export_whitelist``,
``enterprises.export_compliance``) with its row count. Cells go through ``core.exports``,
so a name cannot smuggle a formula into a spreadsheet.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can_anywhere
from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.audit import audit_log
from lifeline.core.errors import NotFound, ServiceError
from lifeline.core.exports import csv_writer, xlsx_cell
from lifeline.enterprises import selectors
from lifeline.enterprises.models import Enterprise

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MAX_ROWS = 20_000

WHITELIST_COLUMNS = [
    gettext_lazy("Enterprise"),
    gettext_lazy("Kind"),
    gettext_lazy("Area"),
    gettext_lazy("Whitelist"),
    gettext_lazy("Status"),
    gettext_lazy("Contact (masked)"),
    gettext_lazy("Sealed staff"),
    gettext_lazy("Behind on tests"),
    gettext_lazy("Tested as required (%)"),
]
COMPLIANCE_COLUMNS = [
    gettext_lazy("Loop"),
    gettext_lazy("Name (masked)"),
    gettext_lazy("Critical role"),
    gettext_lazy("Tests in the window"),
    gettext_lazy("Tests required"),
    gettext_lazy("Window (days)"),
    gettext_lazy("Behind"),
    gettext_lazy("Linked to the registry"),
    gettext_lazy("Positive"),
]


@dataclass(frozen=True)
class ExportFile:
    file_name: str
    content_type: str
    content: bytes
    rows: int


def may_export(*, actor: Actor) -> bool:
    return can_anywhere(actor, Perm.ENTERPRISES_VIEW)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        message = _("Unknown format; use csv or xlsx.")
        raise ServiceError(message, fields={"format": [message]})


def _yes(value: bool) -> str:
    return str(_("yes")) if value else str(_("no"))


def whitelist_rows(*, actor: Actor) -> list[list[Any]]:
    enterprises = list(selectors.enterprise_list(actor=actor).order_by("name", "pk")[:MAX_ROWS])
    figures = selectors.compliance_many(actor=actor, enterprises=enterprises)
    rows = []
    for enterprise in enterprises:
        compliance = figures[enterprise.pk]
        percent = compliance.percent
        rows.append(
            [
                enterprise.name,
                str(enterprise.get_kind_display()),
                enterprise.area.name,
                str(enterprise.get_whitelist_display()),
                str(enterprise.get_status_display()),
                selectors.masked_contact(enterprise),
                len(compliance.members),
                len(compliance.behind),
                "" if percent is None else percent,
            ]
        )
    return rows


def compliance_rows(*, actor: Actor, enterprise: Enterprise) -> list[list[Any]]:
    compliance = selectors.compliance(actor=actor, enterprise=enterprise)
    return [
        [
            member.bubble,
            member.name,
            member.critical_role,
            member.tests,
            member.required,
            member.days,
            _yes(member.behind),
            _yes(member.linked),
            _yes(member.positive),
        ]
        for member in compliance.members[:MAX_ROWS]
    ]


def _render(fmt: str, title: str, columns: Sequence[Any], rows: list[list[Any]]) -> bytes:
    header = [str(column) for column in columns]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv_writer(out)  # formula-like text neutralised
        writer.writerow(header)
        writer.writerows(rows)
        return out.getvalue().encode("utf-8-sig")  # the BOM lets Chinese Excel read UTF-8
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append([xlsx_cell(sheet, name) for name in header])
    for row in rows:
        sheet.append([xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _file(
    *, fmt: str, stem: str, title: str, columns: Sequence[Any], rows: list[list[Any]]
) -> ExportFile:
    stamp = timezone.localtime(clock.now()).strftime("%Y%m%d-%H%M")
    return ExportFile(
        file_name=f"{stem}-{stamp}.{fmt}",
        content_type=CONTENT_TYPES[fmt],
        content=_render(fmt, title, columns, rows),
        rows=len(rows),
    )


def whitelist_export(*, actor: Actor, fmt: str, language: str) -> ExportFile:
    """The enterprises the actor sees, with status, staff and those behind. Audited."""
    _check_format(fmt)
    if not may_export(actor=actor):
        raise NotFound()
    with translation.override(language):
        rows = whitelist_rows(actor=actor)
        export = _file(
            fmt=fmt,
            stem="enterprises-whitelist",
            title=str(_("Enterprises in closed loop")),
            columns=WHITELIST_COLUMNS,
            rows=rows,
        )
    with transaction.atomic():
        audit_log(
            actor=actor,
            action="enterprises.export_whitelist",
            object_type="enterprises.enterprise",
            purpose=f"[rows={export.rows}]",
        )
    return export


def compliance_export(
    *, actor: Actor, enterprise: Enterprise, fmt: str, language: str
) -> ExportFile:
    """One enterprise's sealed staff (masked) against the testing policy. Audited."""
    _check_format(fmt)
    enterprise = selectors.enterprise_get(actor=actor, pk=enterprise.pk)
    with translation.override(language):
        rows = compliance_rows(actor=actor, enterprise=enterprise)
        export = _file(
            fmt=fmt,
            stem=f"enterprise-{enterprise.pk}-compliance",
            title=str(_("Testing compliance")),
            columns=COMPLIANCE_COLUMNS,
            rows=rows,
        )
    with transaction.atomic():
        audit_log(
            actor=actor,
            action="enterprises.export_compliance",
            obj=enterprise,
            area_path=enterprise.area_path,
            purpose=f"[rows={export.rows}]",
        )
    return export
