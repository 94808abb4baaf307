"""Reading an uploaded household list (CSV, XLSX, XLS or ODS, read by ``core.spreadsheets``) into
numbered rows keyed by column. Row numbers are the ones the user sees in the spreadsheet:
the header is row 1, so the first person is row 2.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lifeline.core.spreadsheets import FileProblem, cell_text, normalise_header, sheet_rows
from lifeline.registry.importing.columns import COLUMN_BY_KEY, REQUIRED_COLUMNS, header_index

MAX_ROWS = 100_000


@dataclass
class Table:
    columns: dict[str, int]  # column key -> position in the row
    headers: dict[str, str]  # column key -> header as written in the file
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def read_table(content: bytes) -> Table:
    """Parse the whole file; raise ``FileProblem`` when it is not a readable household list."""
    raw_rows = sheet_rows(content)
    header_row: list[Any] | None = None
    header_number = 0
    for header_number, raw in enumerate(raw_rows, start=1):  # noqa: B007
        if any(cell_text(v) for v in raw):
            header_row = list(raw)
            break
    if header_row is None:
        raise FileProblem("empty_file", _("The file is empty."))
    table = _map_header(header_row)
    width = len(header_row)
    for number, raw in enumerate(raw_rows, start=header_number + 1):
        values = list(raw)[:width]
        if not any(cell_text(v) for v in values):
            continue  # blank lines between blocks are common in hand-kept sheets
        if len(table.rows) >= MAX_ROWS:
            raise FileProblem(
                "too_many_rows",
                ngettext(
                    "The file has more than %(max)d row; split it into smaller files.",
                    "The file has more than %(max)d rows; split it into smaller files.",
                    MAX_ROWS,
                )
                % {"max": MAX_ROWS},
                {"max": MAX_ROWS},
            )
        values += [None] * (width - len(values))
        table.rows.append((number, {key: values[i] for key, i in table.columns.items()}))
    if not table.rows:
        raise FileProblem("no_rows", _("The file has a header but no rows."))
    return table


def _map_header(header_row: list[Any]) -> Table:
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    for position, cell in enumerate(header_row):
        key = header_index().get(normalise_header(cell))
        if key is None:
            continue  # extra columns (序号, 备注...) are allowed and ignored
        if key in columns:
            raise FileProblem(
                "duplicate_column",
                _("The column “%(column)s” appears twice.") % {"column": cell_text(cell)},
                {"column": cell_text(cell)},
            )
        columns[key] = position
        headers[key] = cell_text(cell)
    missing = [key for key in REQUIRED_COLUMNS if key not in columns]
    if missing:
        names = "、".join(f"{COLUMN_BY_KEY[k].zh}/{COLUMN_BY_KEY[k].en}" for k in missing)
        raise FileProblem(
            "missing_columns",
            _("Required columns are missing: %(columns)s.") % {"columns": names},
            {"columns": names},
        )
    return Table(columns=columns, headers=headers)
