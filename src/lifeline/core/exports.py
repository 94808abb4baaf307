"""Cells of exported spreadsheets, neutralised against formula injection.

A text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel, LibreOffice and WPS as a formula (``=HYPERLINK(...)`` in a resident's name becomes a
link, or worse, a command). Every CSV and XLSX file Lifeline writes goes through this module:

- CSV: such a string gets a leading single quote, which spreadsheets show as text;
- XLSX: such a string is written as a string cell (never a formula) with the quote prefix
  style, so editing the cell in Excel keeps it text.

Only strings are touched: a negative number is a number, and stays one.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def safe_cell(value: Any) -> Any:
    """``value`` for a CSV cell: formula-like strings prefixed with ``'``, others as they are
    (dates as ISO text)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if looks_like_formula(value):
        return "'" + value
    return value


def unquote_cell(value: Any) -> Any:
    """The reverse of ``safe_cell`` for files read back in (a re-imported export)."""
    if isinstance(value, str) and value.startswith("'") and looks_like_formula(value[1:]):
        return value[1:]
    return value


def csv_writer(out: Any) -> SafeCsvWriter:
    """A ``csv.writer`` on ``out`` whose rows are neutralised cell by cell."""
    return SafeCsvWriter(out)


class SafeCsvWriter:
    def __init__(self, out: Any) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def xlsx_cell(sheet: Any, value: Any, *, number_format: str | None = None) -> Any:
    """A write-only openpyxl cell holding ``value``; a formula-like string stays text."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    if looks_like_formula(value):
        # openpyxl binds a string starting with "=" as a formula: force a string cell.
        cell.data_type = "s"
        cell.quotePrefix = True
    if number_format:
        cell.number_format = number_format
    return cell
