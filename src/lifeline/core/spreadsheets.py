"""Reading an uploaded sheet (CSV, XLSX, XLS or ODS) into rows of cells, for every importer.

The format is told by the bytes, not the file name: a renamed picture is refused as such.
CSV is read as UTF-8 (with or without BOM) and falls back to GB18030, the encoding Chinese
Excel uses when it saves "CSV". XLSX is streamed by openpyxl; old binary Excel (.xls) and
OpenDocument (.ods, LibreOffice and WPS) sheets are read by python-calamine.
Each importer (households, health statuses ...) maps the header row to its own columns.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from lifeline.core.exports import unquote_cell

_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"
# An OpenDocument file is a zip whose first, stored member names its type.
_ODS_MIMETYPE = b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet"


class FileProblem(Exception):
    """The file as a whole cannot be read; ``code`` is stable, the message translated, and
    ``params`` what an importer needs to say it again later in another language."""

    def __init__(self, code: str, message: str, params: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.params = params or {}


def sheet_rows(content: bytes) -> Iterator[Any]:
    """The rows of the first sheet (or of the CSV), each a sequence of cell values.

    Raises ``FileProblem`` for an empty file, or bytes that are neither a spreadsheet
    nor readable text; a file that breaks halfway raises it while iterating."""
    if not content or not content.strip():
        raise FileProblem("empty_file", _("The file is empty."))
    if content.startswith(_XLS_MAGIC):
        return _calamine_rows(content, _("This is not a readable Excel (.xls) file."), "xls")
    if content.startswith(_XLSX_MAGIC):
        if _ODS_MIMETYPE in content[:128]:
            return _calamine_rows(
                content, _("This is not a readable OpenDocument (.ods) spreadsheet."), "ods"
            )
        return _xlsx_rows(content)
    return _csv_rows(content)


def _calamine_rows(content: bytes, message: str, fmt: str) -> Iterator[Any]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # a damaged file is the uploader's, not a 500
        raise FileProblem("bad_file", message, {"format": fmt}) from exc
    return iter(rows)


def _xlsx_rows(content: bytes) -> Iterator[Any]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception as exc:  # any damage inside the zip is the uploader's file, not a 500
        raise FileProblem(
            "bad_file", _("This is not a readable Excel (.xlsx) file."), {"format": "xlsx"}
        ) from exc
    return _guarded(
        sheet.iter_rows(values_only=True),
        _("This is not a readable Excel (.xlsx) file."),
        "xlsx",
    )


def _guarded(rows: Iterator[Any], message: str, fmt: str) -> Iterator[Any]:
    try:
        yield from rows
    except Exception as exc:  # a file that breaks halfway is still the uploader's bad file
        raise FileProblem("bad_file", message, {"format": fmt}) from exc


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
    return _guarded(unquoted, _("This is not a readable CSV file."), "csv")


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not any(ch in text[:4096] for ch in "\ufffd\x01\x02\x03\x04\x05\x06\x07\x08"):
            return text
    raise FileProblem("bad_file", _("This is not a CSV or Excel (.xlsx) file."))


_HINT = re.compile(r"[(（].*?[)）]\s*$")


def normalise_header(text: object) -> str:
    """A header cell as a lookup key: no required-mark, no trailing hint in brackets,
    words joined by "_", lower case."""
    value = str(text or "").strip().lstrip("*＊").strip()
    value = _HINT.sub("", value).strip()
    return re.sub(r"[\s_-]+", "_", value).lower()


_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def parse_date(value: object) -> dt.date | None:
    """A date from a spreadsheet cell or text; None when it is not one."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    match = _DATE_RE.match(text)
    if match:
        parts = match.groups()
    elif re.fullmatch(r"\d{8}", text):
        parts = (text[:4], text[4:6], text[6:])
    else:
        return None
    try:
        return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None


def cell_text(value: object) -> str:
    """A cell as text. Whole numbers lose Excel's '.0' so phones read as typed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()
