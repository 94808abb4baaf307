"""Reading an uploaded household list (CSV or XLSX) into numbered rows of text.

The format is told by the bytes, not the file name: a renamed picture is refused as such.
CSV is read as UTF-8 (with or without BOM) and falls back to GB18030, the encoding Chinese
Excel uses when it saves "CSV". Row numbers are the ones the user sees in the spreadsheet:
the header is row 1, so the first person is row 2.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lifeline.core.exports import unquote_cell
from lifeline.registry.importing.columns import (
    COLUMN_BY_KEY,
    HEADER_INDEX,
    REQUIRED_COLUMNS,
    cell_text,
    normalise_header,
)

MAX_ROWS = 100_000
_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"


class FileProblem(Exception):
    """The file as a whole cannot be read; ``code`` is stable, the message translated."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Table:
    columns: dict[str, int]  # column key -> position in the row
    headers: dict[str, str]  # column key -> header as written in the file
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def read_table(content: bytes) -> Table:
    """Parse the whole file; raise ``FileProblem`` when it is not a readable household list."""
    if not content or not content.strip():
        raise FileProblem("empty_file", _("The file is empty."))
    if content.startswith(_XLS_MAGIC):
        raise FileProblem(
            "old_excel",
            _(
                "Old Excel files (.xls) are not supported: "
                "save the sheet as .xlsx or CSV and upload it again."
            ),
        )
    raw_rows = _xlsx_rows(content) if content.startswith(_XLSX_MAGIC) else _csv_rows(content)
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
        key = HEADER_INDEX.get(normalise_header(cell))
        if key is None:
            continue  # extra columns (序号, 备注...) are allowed and ignored
        if key in columns:
            raise FileProblem(
                "duplicate_column",
                _("The column “%(column)s” appears twice.") % {"column": cell_text(cell)},
            )
        columns[key] = position
        headers[key] = cell_text(cell)
    missing = [key for key in REQUIRED_COLUMNS if key not in columns]
    if missing:
        names = "、".join(f"{COLUMN_BY_KEY[k].zh}/{COLUMN_BY_KEY[k].en}" for k in missing)
        raise FileProblem(
            "missing_columns", _("Required columns are missing: %(columns)s.") % {"columns": names}
        )
    return Table(columns=columns, headers=headers)


def _xlsx_rows(content: bytes) -> Iterator[Any]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception as exc:  # any damage inside the zip is the uploader's file, not a 500
        raise FileProblem("bad_file", _("This is not a readable Excel (.xlsx) file.")) from exc
    return _guarded(
        sheet.iter_rows(values_only=True), _("This is not a readable Excel (.xlsx) file.")
    )


def _guarded(rows: Iterator[Any], message: str) -> Iterator[Any]:
    try:
        yield from rows
    except Exception as exc:  # a file that breaks halfway is still the uploader's bad file
        raise FileProblem("bad_file", message) from exc


def _csv_rows(content: bytes) -> Iterator[Any]:
    if b"\x00" in content[:4096]:
        raise FileProblem("bad_file", _("This is not a CSV or Excel (.xlsx) file."))
    text = _decode(content)
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(
            sample.splitlines()[0] if sample else "", delimiters=",\t;"
        )
    except csv.Error:
        dialect = csv.excel
    # A header without quotes makes the sniffer guess doublequote=False, which splits a
    # quoted cell holding "" (a name with quotes); every spreadsheet writes "" for ".
    rows = csv.reader(io.StringIO(text, newline=""), dialect, doublequote=True)
    # Exports quote formula-like text ('=...); a re-imported export reads as it was.
    unquoted = ([unquote_cell(v) for v in row] for row in rows)
    return _guarded(unquoted, _("This is not a readable CSV file."))


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not any(ch in text[:4096] for ch in "\ufffd\x01\x02\x03\x04\x05\x06\x07\x08"):
            return text
    raise FileProblem("bad_file", _("This is not a CSV or Excel (.xlsx) file."))
