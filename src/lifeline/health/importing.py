"""Status lists (CSV/XLSX upload, or the health-code system's bulk call): all or nothing.

Every row is checked first (person found in the actor's area, colour, quarantine, period,
not older than the status on record, not twice in the list); only a list without a single
error is written, in one transaction. Files are read with the registry importer's reader,
so encodings (UTF-8, GB18030) and broken files are handled the same way everywhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import Grant, scope_for, scoped
from lifeline.core.actors import Actor
from lifeline.core.errors import PermissionDenied, ServiceError
from lifeline.core.personal import id_number_is_valid, lookup_hash, normalise_id_number
from lifeline.core.spreadsheets import (
    FileProblem,
    cell_text,
    normalise_header,
    parse_date,
    sheet_rows,
)
from lifeline.health.models import HealthStatus
from lifeline.health.services.status import health_status_set
from lifeline.health.vocab import StatusSource
from lifeline.registry.models import Person

MAX_ROWS = 100_000
HEADERS = {
    "id_number": ("身份证号", "身份证号码", "证件号码", "id_number", "id number"),
    "person_id": ("人员编号", "person_id", "person id"),
    "colour": ("健康码", "码色", "健康码颜色", "colour", "color", "code"),
    "quarantine": ("管控状态", "隔离状态", "quarantine"),
    "valid_from": ("开始时间", "开始日期", "起始日期", "valid_from", "from"),
    "valid_to": ("结束时间", "结束日期", "valid_to", "to"),
    "reason": ("原因", "赋码原因", "reason"),
}
HEADER_INDEX = {normalise_header(h): key for key, names in HEADERS.items() for h in names}
COLOURS = {
    "红": "red",
    "红码": "red",
    "黄": "yellow",
    "黄码": "yellow",
    "绿": "green",
    "绿码": "green",
    "red": "red",
    "yellow": "yellow",
    "green": "green",
}
QUARANTINES = {
    "": "none",
    "无": "none",
    "none": "none",
    "居家健康监测": "home_monitoring",
    "home_monitoring": "home_monitoring",
    "居家隔离": "home_quarantine",
    "居家隔离医学观察": "home_quarantine",
    "home_quarantine": "home_quarantine",
    "集中隔离": "centralised",
    "centralised": "centralised",
}


@dataclass
class RowError:
    row: int
    field: str
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "field": self.field, "message": self.message}


@dataclass
class ImportReport:
    created: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Plan:
    person: Person
    values: dict[str, Any]


def read_status_file(content: bytes) -> list[tuple[int, dict[str, Any]]]:
    """Numbered rows (the header is row 1) keyed by column; ``FileProblem`` if unreadable."""
    raw = iter(sheet_rows(content))
    header = [normalise_header(c) for c in next(raw, [])]
    columns = {HEADER_INDEX[h]: i for i, h in enumerate(header) if h in HEADER_INDEX}
    if "colour" not in columns or not ({"id_number", "person_id"} & set(columns)):
        raise FileProblem(
            "missing_columns",
            _(
                "Required columns are missing: 健康码/colour and 身份证号/id_number "
                "(or 人员编号/person_id)."
            ),
        )
    rows: list[tuple[int, dict[str, Any]]] = []
    for number, values in enumerate(raw, start=2):
        cells = list(values)
        if not any(cell_text(v) for v in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise FileProblem("too_many_rows", _("The file has too many rows; split it."))
        rows.append((number, {k: cells[i] if i < len(cells) else None for k, i in columns.items()}))
    if not rows:
        raise FileProblem("no_rows", _("The file has a header but no rows."))
    return rows


def _moment(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    text = cell_text(value)
    try:
        parsed = dt.datetime.fromisoformat(text)
        return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
    except ValueError:
        day = parse_date(value)
    return timezone.make_aware(dt.datetime.combine(day, dt.time())) if day else None


def _find_person(
    actor: Actor, editable: Grant, data: dict[str, Any], errors: list[RowError], n: int
) -> Person | None:
    people = scoped(Person.objects.all(), actor)
    id_number = normalise_id_number(cell_text(data.get("id_number")))
    person_id = cell_text(data.get("person_id"))
    if id_number:
        if not id_number_is_valid(id_number):
            errors.append(RowError(n, "id_number", _("Not a valid ID number.")))
            return None
        person = people.filter(id_number_hash=lookup_hash(id_number)).first()
    elif person_id.isdigit():
        person = people.filter(pk=int(person_id)).first()
    else:
        errors.append(RowError(n, "id_number", _("Give an ID number or a person id.")))
        return None
    if person is None:
        errors.append(RowError(n, "id_number", _("No such person in your area.")))
    elif not editable.covers_path(person.area_path):
        # Seen through another membership (the registry), but none that sets statuses here.
        errors.append(
            RowError(n, "id_number", _("You may not change the health status of this person."))
        )
        return None
    return person


def _check_row(
    actor: Actor, editable: Grant, n: int, data: dict[str, Any], errors: list[RowError]
) -> _Plan | None:
    before = len(errors)
    person = _find_person(actor, editable, data, errors, n)
    colour = COLOURS.get(cell_text(data.get("colour")).lower())
    if colour is None:
        errors.append(RowError(n, "colour", _("Choose green, yellow or red.")))
    quarantine = QUARANTINES.get(cell_text(data.get("quarantine")).lower())
    if quarantine is None:
        errors.append(RowError(n, "quarantine", _("Unknown quarantine status.")))
    values: dict[str, Any] = {
        "colour": colour,
        "quarantine": quarantine,
        "reason": cell_text(data.get("reason"))[:255],
    }
    for key in ("valid_from", "valid_to"):
        values[key] = _moment(data.get(key)) if cell_text(data.get(key)) else None
        if cell_text(data.get(key)) and values[key] is None:
            errors.append(RowError(n, key, _("Enter a date as YYYY-MM-DD.")))
    if len(errors) > before or person is None:
        return None
    return _Plan(person, values)


def _check_against_records(
    plans: list[tuple[int, _Plan]], errors: list[RowError]
) -> dict[int, HealthStatus]:
    seen: dict[int, int] = {}
    current = {
        s.person_id: s
        for s in HealthStatus.objects.filter(
            current=True, person_id__in=[p.person.pk for _n, p in plans]
        )
    }
    for n, plan in plans:
        if plan.person.pk in seen:
            errors.append(
                RowError(
                    n,
                    "id_number",
                    _("This person is already in row %(row)d.") % {"row": seen[plan.person.pk]},
                )
            )
        seen.setdefault(plan.person.pk, n)
        last = current.get(plan.person.pk)
        start = plan.values["valid_from"]
        if last is not None and start is not None and start < last.valid_from:
            errors.append(
                RowError(n, "valid_from", _("A newer status is already recorded for this person."))
            )
    return current


def status_rows_import(
    *, actor: Actor, rows: list[tuple[int, dict[str, Any]]], source: str = StatusSource.IMPORT
) -> ImportReport:
    """Validate every row, then write all of them or none. Audited row by row.

    Each row's person must live where a membership of ``actor`` grants
    ``HEALTH_SET_STATUS``; a row naming anyone else is an error of that row.
    """
    editable = scope_for(actor).grant(Perm.HEALTH_SET_STATUS)
    if editable.is_empty:
        raise PermissionDenied(_("You may not change health status."))
    report = ImportReport()
    plans = [
        (n, p) for n, data in rows if (p := _check_row(actor, editable, n, data, report.errors))
    ]
    current = _check_against_records(plans, report.errors)
    if report.errors:
        return report
    try:
        with transaction.atomic():
            for n, plan in plans:
                try:
                    row = health_status_set(
                        actor=actor, person=plan.person, source=source, **plan.values
                    )
                except ServiceError as exc:
                    report.errors.append(RowError(n, "", str(exc.message)))
                    raise
                last = current.get(plan.person.pk)
                if last is not None and row.pk == last.pk:
                    report.unchanged += 1
                else:
                    report.created += 1
    except ServiceError:
        report.created = report.unchanged = 0  # rolled back: nothing was written
    return report


def status_file_import(*, actor: Actor, content: bytes) -> ImportReport:
    """An uploaded CSV/XLSX status list; a file that cannot be read is one error, row 0."""
    try:
        rows = read_status_file(content)
    except FileProblem as problem:
        return ImportReport(errors=[RowError(0, "", problem.message)])
    return status_rows_import(actor=actor, rows=rows, source=StatusSource.IMPORT)
