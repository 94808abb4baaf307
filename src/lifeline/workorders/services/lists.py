"""List intake: a community's daily spreadsheet (e.g. households with gas under 10 m³)
becomes one order per row. Every row is checked first; any error rejects the whole list
with a row-by-row report, and nothing is written."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import scoped
from lifeline.core.actors import Actor
from lifeline.core.errors import ServiceError
from lifeline.registry.models import Household
from lifeline.workorders.models import Category, Channel, WorkOrder
from lifeline.workorders.services.extra_fields import validate_extra
from lifeline.workorders.services.intake import workorder_create

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
# The registry column an "account" cell is matched against, per utility category.
ACCOUNT_FIELDS = {"gas": "gas_account", "power": "power_account", "water": "water_account"}
HEADER_ALIASES = {
    "household_id": "household_id",
    "户id": "household_id",
    "building": "building",
    "楼栋": "building",
    "unit_no": "unit_no",
    "门牌": "unit_no",
    "房号": "unit_no",
    "description": "description",
    "说明": "description",
    "备注": "description",
    "note": "description",
}


def workorder_list_import(
    *, actor: Actor, category_code: str, file_name: str, content: bytes
) -> list[WorkOrder]:
    """One order per row of a CSV or XLSX list, all or nothing.

    A row names its household by ``household_id``, by the category's account number
    (``account``, for gas, power and water), or by ``building`` and ``unit_no``; the other
    columns are the category's extra fields, by name or by label. Raises ``ServiceError``
    whose ``fields`` are keyed ``row N`` (N as in the spreadsheet, header = row 1).
    """
    category = Category.objects.filter(code=category_code, active=True).first()
    if category is None:
        raise ServiceError(_("Unknown category."), fields={"category": [_("Unknown.")]})
    if len(content) > MAX_BYTES:
        raise ServiceError(_("The file is too large."), code="too_large")
    rows = _read_rows(file_name, content)
    if not rows:
        raise ServiceError(_("The list is empty."), code="empty")
    if len(rows) > MAX_ROWS:
        raise ServiceError(_("At most %(n)s rows per list.") % {"n": MAX_ROWS})
    columns = _column_map(category)
    # A row may name only a household the actor both sees in the registry and may file
    # for; any other is "no such household", like one that does not exist.
    households = scoped(
        scoped(Household.objects.select_related("building"), actor, Perm.REGISTRY_VIEW),
        actor,
        Perm.WORKORDER_FILE,
    )
    errors: dict[str, list[str]] = {}
    planned: list[tuple[int, Household, dict[str, Any], str]] = []
    for number, raw in enumerate(rows, start=2):
        row = {columns.get(_norm(k), _norm(k)): (v or "").strip() for k, v in raw.items() if k}
        if not any(row.values()):
            continue
        problems: list[str] = []
        household = _find_household(households, category, row, problems)
        extra = {k: v for k, v in row.items() if k not in set(HEADER_ALIASES.values())}
        clean, field_errors = validate_extra(category, extra)
        problems += [msg for msgs in field_errors.values() for msg in msgs]
        if problems or household is None:
            errors[f"row {number}"] = problems
        else:
            planned.append((number, household, clean, row.get("description", "")))
    if errors:
        raise ServiceError(
            _("The list has errors; nothing was imported."), code="invalid_list", fields=errors
        )
    created: list[WorkOrder] = []
    with transaction.atomic():
        for number, household, clean, description in planned:
            try:
                intake = workorder_create(
                    actor=actor,
                    category_code=category.code,
                    channel=Channel.LIST,
                    household=household,
                    extra=clean,
                    description=description
                    or _("%(category)s (from list %(file)s)")
                    % {"category": category.name, "file": file_name[:80]},
                )
            except ServiceError as exc:
                raise ServiceError(
                    _("The list has errors; nothing was imported."),
                    code="invalid_list",
                    fields={f"row {number}": [str(exc.message)]},
                ) from exc
            created.append(intake.order)
    return created


def _norm(header: str) -> str:
    return str(header).strip().lower()


def _column_map(category: Category) -> dict[str, str]:
    columns = dict(HEADER_ALIASES)
    for definition in category.fields or []:
        for alias in (definition.get("name"), definition.get("label"), definition.get("label_en")):
            if alias:
                columns[_norm(alias)] = definition["name"]
    return columns


def _find_household(
    households: Any, category: Category, row: dict[str, str], problems: list[str]
) -> Household | None:
    found: list[Household] = []
    if row.get("household_id"):
        if row["household_id"].isdigit():
            found = list(households.filter(pk=int(row["household_id"]))[:2])
    elif row.get("account") and category.code in ACCOUNT_FIELDS:
        found = list(households.filter(**{ACCOUNT_FIELDS[category.code]: row["account"]})[:2])
    elif row.get("building") and row.get("unit_no"):
        found = list(households.filter(building__name=row["building"], unit_no=row["unit_no"])[:2])
    else:
        problems.append(_("Name the household: household_id, account, or building and unit."))
        return None
    if not found:
        problems.append(_("No such household in your area."))
        return None
    if len(found) > 1:
        problems.append(_("More than one household matches; use household_id."))
        return None
    return found[0]


def _read_rows(file_name: str, content: bytes) -> list[dict[str, str]]:
    name = (file_name or "").lower()
    if name.endswith(".xlsx"):
        return _read_xlsx(content)
    if name.endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = content.decode("gb18030")  # lists saved by Excel on Chinese Windows
            except UnicodeDecodeError:
                raise ServiceError(_("The file is not readable text."), code="bad_file") from None
        return list(csv.DictReader(io.StringIO(text)))
    raise ServiceError(_("Upload a .csv or .xlsx file."), code="bad_file")


def _read_xlsx(content: bytes) -> list[dict[str, str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        raise ServiceError(_("The spreadsheet cannot be read."), code="bad_file") from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(h or "").strip() for h in next(rows, ())]
    result = []
    for values in rows:
        cells = ["" if v is None else str(v) for v in values]
        result.append(dict(zip(header, cells, strict=False)))
    book.close()
    return result
