"""Key-users exports as CSV or XLSX: the register (with the protection plans) and the
list of those an interruption affects.

Only what the actor sees goes in (``selectors``). Phones and names are masked as on the
pages; in the register, a reader who may export revealed lists there
(``REGISTRY_EXPORT_REVEALED``, the command centre) gets each contact's name and phone in
full, and the audit record says so. A person at home keeps a masked name and address in
every file. Every export is audited (``keyusers.export_register``,
``keyusers.export_affected``) with its row count. Cells go through ``core.exports``, so a
name cannot smuggle a formula into a spreadsheet.
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
from lifeline.accounts.scoping import can, can_anywhere
from lifeline.core.actors import Actor
from lifeline.core.audit import audit_log
from lifeline.core.errors import NotFound, ServiceError
from lifeline.core.exports import csv_writer, xlsx_cell
from lifeline.keyusers import selectors
from lifeline.keyusers.models import SEE, Interruption, KeyUser

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MAX_ROWS = 20_000

REGISTER_COLUMNS = [
    gettext_lazy("Name"),
    gettext_lazy("Kind"),
    gettext_lazy("Area"),
    gettext_lazy("Address"),
    gettext_lazy("Supply points"),
    gettext_lazy("Backup source"),
    gettext_lazy("Contact name"),
    gettext_lazy("Contact phone"),
    gettext_lazy("Response time (minutes)"),
    gettext_lazy("Special plan"),
]
AFFECTED_COLUMNS = [
    gettext_lazy("Affected"),
    gettext_lazy("Name or building"),
    gettext_lazy("Kind"),
    gettext_lazy("Unit"),
    gettext_lazy("Contact name"),
    gettext_lazy("Phone (masked)"),
    gettext_lazy("Backup source"),
    gettext_lazy("Needs"),
]


@dataclass(frozen=True)
class ExportFile:
    file_name: str
    content_type: str
    content: bytes
    rows: int


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        message = _("Unknown format; use csv or xlsx.")
        raise ServiceError(message, fields={"format": [message]})


def _area_name(key_user: KeyUser) -> str:
    area = key_user.area
    english = getattr(area, "name_en", "")
    if english and (translation.get_language() or "").startswith("en"):
        return str(english)
    return str(area.name)


def register_rows(*, actor: Actor, q: str = "", kind: str = "") -> tuple[list[list[Any]], int]:
    """The register's rows and how many show a contact in full."""
    found = (
        selectors.keyuser_list(actor=actor, q=q, kind=kind)
        .select_related("area")
        .prefetch_related("supply_points")[:MAX_ROWS]
    )
    rows, revealed = [], 0
    for key_user in found:
        row = selectors.keyuser_row(key_user)
        contact_name, contact_phone = row["contact_name"], row["contact_phone"]
        if can(actor, Perm.REGISTRY_EXPORT_REVEALED, path=key_user.area_path):
            contact_name, contact_phone = key_user.contact_name, key_user.contact_phone
            revealed += 1
        rows.append(
            [
                row["name"],
                row["kind_label"],
                _area_name(key_user),
                row["address"],
                ", ".join(p.code for p in key_user.supply_points.all()),
                row["backup_source"],
                contact_name,
                contact_phone,
                row["response_minutes"],
                row["special_plan"],
            ]
        )
    return rows, revealed


def register_export(
    *, actor: Actor, q: str = "", kind: str = "", fmt: str = "csv", language: str = "zh-hans"
) -> ExportFile:
    """The key users the actor sees (filters as in the register) as a file; audited."""
    _check_format(fmt)
    if not can_anywhere(actor, SEE):
        raise NotFound()
    with translation.override(language):
        header = [str(c) for c in REGISTER_COLUMNS]
        rows, revealed = register_rows(actor=actor, q=q, kind=kind)
        title = str(_("Key users"))
    with transaction.atomic():
        audit_log(
            actor=actor,
            action="keyusers.export_register",
            object_type="keyusers.keyuser",
            purpose=f"[rows={len(rows)}] [revealed={revealed}]",
            fields=["contact_phone"] if revealed else (),
        )
    name = f"key-users-{timezone.localdate():%Y%m%d}.{fmt}"
    return ExportFile(name, CONTENT_TYPES[fmt], _content(fmt, title, header, rows), len(rows))


def affected_rows(*, actor: Actor, interruption: Interruption) -> list[list[Any]]:
    """Those the interruption affects, masked as on its page: key users, then households."""
    impact = selectors.interruption_impact(actor=actor, interruption=interruption)
    key_user_label, household_label = str(_("Key user")), str(_("Household"))
    rows: list[list[Any]] = []
    for key_user in impact.key_users:
        row = selectors.keyuser_row(key_user)
        rows.append(
            [
                key_user_label,
                row["name"],
                row["kind_label"],
                "",
                row["contact_name"],
                row["contact_phone"],
                row["backup_source"],
                "",
            ]
        )
    for household in impact.households:
        shown = selectors.household_row(household)
        rows.append(
            [
                household_label,
                shown["building"],
                "",
                shown["unit_no_masked"],
                "",
                shown["phone_masked"],
                "",
                "、".join(shown["needs"]),
            ]
        )
    return rows


def affected_export(
    *, actor: Actor, interruption: Interruption, fmt: str = "csv", language: str = "zh-hans"
) -> ExportFile:
    """Those ``interruption`` (read through ``selectors.interruption_get``) affects as a
    file; audited."""
    _check_format(fmt)
    if not can(actor, SEE, path=interruption.area_path, unit_id=interruption.utility_id):
        raise NotFound()
    with translation.override(language):
        header = [str(c) for c in AFFECTED_COLUMNS]
        rows = affected_rows(actor=actor, interruption=interruption)
        title = str(_("Affected"))
    with transaction.atomic():
        audit_log(
            actor=actor,
            action="keyusers.export_affected",
            obj=interruption,
            area_path=interruption.area_path,
            purpose=f"[rows={len(rows)}]",
        )
    start = timezone.localtime(interruption.starts_at)
    name = f"interruption-{interruption.pk}-{start:%Y%m%d}-affected.{fmt}"
    return ExportFile(name, CONTENT_TYPES[fmt], _content(fmt, title, header, rows), len(rows))


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
    sheet = workbook.create_sheet(title[:31])
    sheet.append([xlsx_cell(sheet, name) for name in header])
    for row in rows:
        sheet.append([xlsx_cell(sheet, value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
