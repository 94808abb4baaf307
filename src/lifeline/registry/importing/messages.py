"""What each import error code says, rendered in the reader's language when it is shown.

A job stores its errors as ``{"row", "column", "code", "params"}``; the text is made here at
display time, so a list uploaded in Chinese reads in English for an English reader. Rows
stored before codes carried their parameters hold ``message`` (text rendered at upload):
a code whose text needs no parameters is still translated, any other shows that text.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

# Keyed by code, or by "code:variant" where one code has several texts (the variant is
# the column, or the file format for ``bad_file``).
MESSAGES: dict[str, Promise] = {
    "required": _("“%(column)s” is required."),
    "too_long": _("“%(column)s” is too long (at most %(max)d characters)."),
    "unknown_grid": _("No grid has the code “%(code)s”."),
    "grid_out_of_scope": _("The grid “%(code)s” is outside your area."),
    "bad_phone": _("“%(column)s” is not a valid phone number."),
    "bad_id_number": _("The ID number is not valid (length, birth date or check digit)."),
    "unknown_vulnerability": _("Unknown special group: %(labels)s."),
    "unknown_relation": _("Unknown relation to the household: %(value)s."),
    "bad_date": _("“%(column)s” is not a date (use YYYY-MM-DD)."),
    "birth_date_mismatch": _("The birth date does not match the ID number."),
    "bad_sex": _("Sex must be 男/女 or M/F."),
    "household_conflict": _("“%(column)s” differs from row %(row)d of the same household."),
    "duplicate_in_file:id_number": _("This person is already in row %(row)d (same ID number)."),
    "duplicate_in_file:name": _(
        "This person is already in row %(row)d (same name, same household)."
    ),
    "already_registered:id_number": _("A person with this ID number is already registered."),
    "registered_elsewhere": _(
        "A person with this ID number is registered in another household; "
        "move them in the registry first."
    ),
    "id_differs": _(
        "This household's “%(name)s” is registered with another ID number; "
        "correct the row or the registry."
    ),
    "ambiguous_name": _(
        "This household has several people named “%(name)s”; give the ID number to say which."
    ),
    "already_registered:name": _("This household already has a person of this name."),
    "forbidden": _("Your role may not change the registry."),
    "empty_file": _("The file is empty."),
    "no_rows": _("The file has a header but no rows."),
    "duplicate_column": _("The column “%(column)s” appears twice."),
    "missing_columns": _("Required columns are missing: %(columns)s."),
    "bad_file": _("This is not a CSV or Excel (.xlsx) file."),
    "bad_file:xlsx": _("This is not a readable Excel (.xlsx) file."),
    "bad_file:xls": _("This is not a readable Excel (.xls) file."),
    "bad_file:ods": _("This is not a readable OpenDocument (.ods) spreadsheet."),
    "bad_file:csv": _("This is not a readable CSV file."),
    "internal": _("The import failed unexpectedly. Nothing was saved; please try again."),
    "conflict": _(
        "Someone registered some of these people or households while the file was being "
        "imported. Nothing was saved; upload the file again to see which rows."
    ),
}


def error_text(code: str, column: str = "", params: dict[str, Any] | None = None) -> str:
    """The text of one error in the active language."""
    params = params or {}
    if code == "too_many_rows":
        count = int(params.get("max", 0))
        return ngettext(
            "The file has more than %(max)d row; split it into smaller files.",
            "The file has more than %(max)d rows; split it into smaller files.",
            count,
        ) % {"max": count}
    variant = str(params.get("format", "")) if code == "bad_file" else column
    template = MESSAGES.get(f"{code}:{variant}") or MESSAGES.get(code)
    if template is None:
        return code
    try:
        return str(template) % params if params else str(template).replace("%%", "%")
    except (KeyError, TypeError, ValueError):
        return str(template)


def stored_error_text(error: dict[str, Any]) -> str:
    """The text of an error as a job stored it (old rows: see the module's docstring)."""
    code = str(error.get("code", ""))
    column = str(error.get("column", ""))
    if "params" not in error:
        template = MESSAGES.get(f"{code}:{column}") or MESSAGES.get(code)
        needs_params = template is None or "%(" in str(template)
        if needs_params or code == "too_many_rows":
            return str(error.get("message", "")) or code
        return str(template)
    return error_text(code, column, error.get("params") or {})
