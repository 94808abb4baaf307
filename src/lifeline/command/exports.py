"""An area's children with every figure of one day, as CSV or XLSX with a row of HXL
hashtags under the header (the Humanitarian Exchange Language, so HXL tools read the
columns whatever their titles): the child's code and name as its admin level (#adm3
for a district ... #adm5 for a community, as in the supplies exports; #loc+grid for a
grid), the day as #date, each figure as #indicator+num (counts) or #indicator+pct
(ratios, in percent) with the figure's key as an attribute. Cells pass through
``core.exports`` (formula-safe); every export is audited with its row count."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import require
from lifeline.command import selectors
from lifeline.command.catalogue import Figure, figures
from lifeline.command.naming import area_titles
from lifeline.core.actors import Actor
from lifeline.core.audit import audit_log
from lifeline.core.errors import ServiceError
from lifeline.core.exports import csv_writer, xlsx_cell
from lifeline.registry.models import LEVEL_ORDER, Area, AreaLevel

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class ExportFile:
    file_name: str
    content_type: str
    content: bytes
    rows: int


def hxl_tag(figure: Figure) -> str:
    kind = "pct" if figure.is_ratio else "num"
    return f"#indicator+{kind}+{figure.key.replace('.', '_').lower()}"


def _adm(area: Area) -> str:
    # As in the supplies exports: city #adm2, district #adm3, street #adm4, community
    # #adm5; HXL has no admin level below, so a grid is a #loc.
    if area.level == AreaLevel.GRID:
        return "#loc+grid"
    return f"#adm{[str(v) for v in LEVEL_ORDER].index(area.level) + 2}"


def _cell(figure: Figure, value: int | None) -> Any:
    if value is None:
        return ""
    return round(value / 100, 2) if figure.is_ratio else value


def figures_export(*, actor: Actor, area: Area, day: dt.date, fmt: str) -> ExportFile:
    """The children of ``area`` with their figures of ``day`` (COMMAND_VIEW there)."""
    if fmt not in FORMATS:
        raise ServiceError(_("Unknown format; use csv or xlsx."), fields={"format": []})
    require(actor, Perm.COMMAND_VIEW, path=area.path)
    children, table = selectors.children_table(area=area, day=day)
    titles = area_titles([c.path for c in children])
    shown = figures()
    adm = _adm(children[0]) if children else "#adm"
    header = [_("Code"), _("Area"), _("Day"), *[str(f.label) for f in shown]]
    tags = [f"{adm}+code", f"{adm}+name", "#date", *[hxl_tag(f) for f in shown]]
    rows = [
        [
            child.code,
            titles.get(child.path, child.name),
            day.isoformat(),
            *[_cell(f, table[child.path][f.key]) for f in shown],
        ]
        for child in children
    ]
    content = _xlsx(header, tags, rows) if fmt == "xlsx" else _csv(header, tags, rows)
    audit_log(
        actor=actor,
        action="command.export_figures",
        object_type="registry.area",
        object_id=area.pk,
        area_path=area.path,
        purpose=f"{day.isoformat()} rows={len(rows)}",
    )
    return ExportFile(
        f"figures-{area.code}-{day.isoformat()}.{fmt}", CONTENT_TYPES[fmt], content, len(rows)
    )


def _csv(header: list[str], tags: list[str], rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(header)
    writer.writerow(tags)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def _xlsx(header: list[str], tags: list[str], rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Figures")[:31])
    for row in (header, tags, *rows):
        sheet.append([xlsx_cell(sheet, value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
