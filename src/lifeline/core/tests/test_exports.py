"""Spreadsheet cells are neutralised against formula injection: text that a spreadsheet
would run as a formula is written as text; numbers and dates stay what they are."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from lifeline.core.exports import csv_writer, safe_cell, unquote_cell, xlsx_cell

FORMULAS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_like_text_gets_a_quote_in_csv_and_reads_back_unquoted(text):
    assert safe_cell(text) == "'" + text
    assert unquote_cell(safe_cell(text)) == text


@pytest.mark.parametrize("value", [-5, -1.5, 3, "张三", "a=b", "", None, "'quoted"])
def test_numbers_and_harmless_text_are_left_alone(value):
    assert safe_cell(value) == value
    assert unquote_cell(value) == value


def test_csv_writer_writes_dates_as_iso_and_quotes_formulas():
    out = io.StringIO()
    csv_writer(out).writerow(["=1+2", -3, dt.date(2022, 11, 5)])
    assert out.getvalue() == "'=1+2,-3,2022-11-05\r\n"


def test_xlsx_cells_keep_formula_like_text_as_text_and_numbers_as_numbers():
    from openpyxl import Workbook, load_workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("x")
    sheet.append([xlsx_cell(sheet, v) for v in [*FORMULAS, -5, 2.5]])
    out = io.BytesIO()
    workbook.save(out)

    cells = list(load_workbook(io.BytesIO(out.getvalue())).worksheets[0][1])
    for cell, text in zip(cells, FORMULAS, strict=False):
        # XML reads a carriage return back as a line feed; the cell is text either way
        assert (cell.data_type, cell.value) == ("s", text.replace("\r", "\n"))
    assert (cells[-2].data_type, cells[-2].value) == ("n", -5)
    assert (cells[-1].data_type, cells[-1].value) == ("n", 2.5)
