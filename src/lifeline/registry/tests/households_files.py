"""Household lists for import tests: valid rows with real checksums, as bytes of CSV/XLSX."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from lifeline.testing.factories import make_id_number

HEADER_ZH = [
    "网格编码",
    "楼栋",
    "地址",
    "房号",
    "户联系电话",
    "姓名",
    "性别",
    "出生日期",
    "手机",
    "身份证号",
    "与户主关系",
    "特殊人群",
    "燃气户号",
    "电户号",
    "水户号",
]


def person_row(i: int, *, grid_code: str, per_household: int = 4) -> list[str]:
    """Row ``i`` (0-based): 25 households to a building, ``per_household`` people each."""
    birth = dt.date(1991, 1, 1) + dt.timedelta(days=i % 300)
    id_number = make_id_number(region="430211", birth=birth, serial=i)
    household = i // per_household
    building = f"{household // 25 + 1}栋"
    unit_no = f"{household % 25 + 101}"
    return [
        grid_code,
        building,
        f"泰山路{household // 25 + 1}号",
        unit_no,
        f"0731-{2800000 + household}",
        f"居民{i}",
        "男" if int(id_number[16]) % 2 else "女",
        birth.isoformat(),
        f"139{i:08d}",
        id_number,
        "户主" if i % per_household == 0 else "家属",
        "独居老人、残疾" if i % 97 == 0 else "",
        f"G{household:06d}",
        "",
        "",
    ]


def rows_csv(rows: list[list[Any]], header: list[str] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header or HEADER_ZH)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def rows_xlsx(rows: list[list[Any]], header: list[str] | None = None) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header or HEADER_ZH)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def valid_rows(n: int, *, grid_code: str) -> list[list[str]]:
    return [person_row(i, grid_code=grid_code) for i in range(n)]


def with_bad_check_digit(id_number: str) -> str:
    wrong = "0" if id_number[-1] != "0" else "1"
    return id_number[:-1] + wrong
