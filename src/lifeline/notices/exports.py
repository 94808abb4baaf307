"""Export of the households a must-reach notice has not reached yet, as CSV or XLSX, for the
actor's ``NOTICES_REACH`` scope: unit numbers and phones masked, cells formula-safe
(``core.exports``), each export audited (``notices.export_unreached``) with its row count."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from lifeline.core.actors import Actor
from lifeline.core.audit import audit_log
from lifeline.core.errors import ServiceError
from lifeline.core.exports import csv_writer, xlsx_cell
from lifeline.notices import selectors

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MAX_ROWS = 20_000
COLUMNS = [
    pgettext_lazy("public notice", "Notice"),
    gettext_lazy("Grid"),
    gettext_lazy("Building"),
    gettext_lazy("Unit (masked)"),
    gettext_lazy("Phone (masked)"),
]


@dataclass(frozen=True)
class ExportFile:
    file_name: str
    content_type: str
    content: bytes
    rows: int


def unreached_export(*, actor: Actor, notice_id: int, fmt: str) -> ExportFile:
    if fmt not in FORMATS:
        message = _("Choose one of the offered values.")
        raise ServiceError(message, fields={"format": [message]})
    rows = selectors.reach_rows(
        list(selectors.reach_list(actor=actor, notice_id=notice_id)[:MAX_ROWS])
    )
    table = [
        [r["notice"], r["grid"], r["building"], r["unit_no_masked"], r["phone_masked"]]
        for r in rows
    ]
    header = [str(c) for c in COLUMNS]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv_writer(out)
        writer.writerow(header)
        for line in table:
            writer.writerow(line)
        content = ("\ufeff" + out.getvalue()).encode()
    else:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append([xlsx_cell(sheet, c) for c in header])
        for line in table:
            sheet.append([xlsx_cell(sheet, c) for c in line])
        buffer = io.BytesIO()
        book.save(buffer)
        content = buffer.getvalue()
    with transaction.atomic():
        audit_log(
            actor=actor,
            action="notices.export_unreached",
            object_type="notices.notice",
            object_id=notice_id,
            purpose=f"rows={len(table)}",
        )
    return ExportFile(f"unreached-{notice_id}.{fmt}", CONTENT_TYPES[fmt], content, len(table))
