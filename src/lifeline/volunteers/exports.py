"""Volunteers' exports as CSV or XLSX: the hours of each volunteer over a period (shifts
worked, minutes credited, no-shows) and one shift's roll.

Only what the actor may see (``VOLUNTEERS_VIEW``) goes in: the volunteers of their areas,
counted over the bookings of their areas. Phones are masked. Every export is recorded in
the audit log (``volunteers.export_hours``, ``volunteers.export_roll``) with its row count:
a list of people leaving the system is a fact worth keeping. Cells go through
``core.exports``, so a name cannot smuggle a formula into a spreadsheet.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can, can_anywhere, scoped
from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.audit import audit_log
from lifeline.core.errors import NotFound, ServiceError
from lifeline.core.exports import csv_writer, xlsx_cell
from lifeline.core.personal import mask_phone
from lifeline.volunteers import selectors
from lifeline.volunteers.models import Booking, OrgKind, Shift

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MAX_ROWS = 20_000
MAX_DAYS = 366
DEFAULT_DAYS = 30
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2099, 12, 31)

HOURS_COLUMNS = [
    gettext_lazy("Name"),
    gettext_lazy("Organisation"),
    gettext_lazy("Phone (masked)"),
    gettext_lazy("Shifts worked"),
    gettext_lazy("Minutes credited"),
    gettext_lazy("No-shows"),
]
ROLL_COLUMNS = [
    gettext_lazy("Arrival"),
    gettext_lazy("Name"),
    gettext_lazy("Organisation"),
    gettext_lazy("Phone (masked)"),
    gettext_lazy("Status"),
    gettext_lazy("Checked in"),
    gettext_lazy("Checked out"),
    gettext_lazy("Minutes credited"),
    gettext_lazy("No-show"),
]


@dataclass(frozen=True)
class ExportFile:
    file_name: str
    content_type: str
    content: bytes
    rows: int


def may_export(*, actor: Actor) -> bool:
    return can_anywhere(actor, Perm.VOLUNTEERS_VIEW)


def period(since: dt.date | None, until: dt.date | None) -> tuple[dt.date, dt.date]:
    """The days asked for, the missing end filled in: thirty days up to ``until``, from
    ``since`` up to today; by default the last thirty days, today included."""
    if until is None:
        until = max(clock.today(), since) if since else clock.today()
    if since is None:
        since = max(until, FIRST_DAY) - dt.timedelta(days=DEFAULT_DAYS - 1)
    return since, until


def check_period(since: dt.date, until: dt.date) -> None:
    if not (FIRST_DAY <= since <= LAST_DAY and FIRST_DAY <= until <= LAST_DAY):
        message = _("Choose days between 2000 and 2099.")
        raise ServiceError(message, fields={"since": [message]})
    if since > until:
        message = _("The first day must not be after the last.")
        raise ServiceError(message, fields={"since": [message]})
    if (until - since).days >= MAX_DAYS:
        message = _("Choose at most 366 days.")
        raise ServiceError(message, fields={"until": [message]})


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        message = _("Unknown format; use csv or xlsx.")
        raise ServiceError(message, fields={"format": [message]})


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _organisation(volunteer: Any) -> str:
    return str(volunteer.org_name or dict(OrgKind.choices).get(volunteer.org_kind, ""))


def hours_rows(*, actor: Actor, since: dt.date, until: dt.date) -> list[list[Any]]:
    """One row per volunteer the actor sees (by name): shifts worked (checked in),
    minutes credited and no-shows over the bookings of the actor's areas that start
    between ``since`` and ``until`` (local days, both included)."""
    bookings = scoped(Booking.objects.all(), actor, Perm.VOLUNTEERS_VIEW).filter(
        starts_at__gte=_day_start(since), starts_at__lt=_day_start(until + dt.timedelta(days=1))
    )
    totals: dict[int, dict[str, Any]] = {
        row["volunteer_id"]: dict(row)
        for row in bookings.values("volunteer_id")
        .annotate(
            worked=Count("pk", filter=Q(checked_in_at__isnull=False)),
            minutes=Sum("minutes_credited"),
            no_shows=Count("pk", filter=Q(no_show=True)),
        )
        .order_by()
    }
    people = selectors.volunteer_list(actor=actor).order_by("name", "pk")[:MAX_ROWS]
    rows = []
    for person in people:
        done = totals.get(person.pk, {})
        rows.append(
            [
                person.name,
                _organisation(person),
                mask_phone(person.phone),
                done.get("worked", 0),
                done.get("minutes") or 0,
                done.get("no_shows", 0),
            ]
        )
    return rows


def hours_export(
    *,
    actor: Actor,
    since: dt.date,
    until: dt.date,
    fmt: str = "csv",
    language: str = "zh-hans",
) -> ExportFile:
    """Each volunteer's hours over [``since``, ``until``] as a file; audited."""
    _check_format(fmt)
    if not may_export(actor=actor):
        raise NotFound()
    check_period(since, until)
    with translation.override(language):
        header = [str(c) for c in HOURS_COLUMNS]
        rows = hours_rows(actor=actor, since=since, until=until)
    with transaction.atomic():
        audit_log(
            actor=actor,
            action="volunteers.export_hours",
            object_type="volunteers.volunteer",
            purpose=f"{since.isoformat()}..{until.isoformat()} [rows={len(rows)}]",
        )
    name = f"volunteer-hours-{since:%Y%m%d}-{until:%Y%m%d}.{fmt}"
    return ExportFile(name, CONTENT_TYPES[fmt], _content(fmt, "hours", header, rows), len(rows))


def _local(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def roll_rows(*, actor: Actor, shift: Shift) -> list[list[Any]]:
    """The shift's roll: confirmed, then waiting in arrival order."""
    rows = []
    for booking in selectors.shift_roll(actor=actor, shift=shift):
        person = booking.volunteer
        rows.append(
            [
                booking.position,
                person.name,
                _organisation(person),
                mask_phone(person.phone),
                str(booking.get_status_display()),
                _local(booking.checked_in_at),
                _local(booking.checked_out_at),
                booking.minutes_credited,
                _("yes") if booking.no_show else "",
            ]
        )
    return rows


def roll_export(
    *, actor: Actor, shift: Shift, fmt: str = "csv", language: str = "zh-hans"
) -> ExportFile:
    """A shift's roll (``shift`` read through ``selectors.shift_get``) as a file; audited."""
    _check_format(fmt)
    if not can(actor, Perm.VOLUNTEERS_VIEW, path=shift.area_path):
        raise NotFound()
    with translation.override(language):
        header = [str(c) for c in ROLL_COLUMNS]
        rows = roll_rows(actor=actor, shift=shift)
    with transaction.atomic():
        audit_log(
            actor=actor,
            action="volunteers.export_roll",
            obj=shift,
            area_path=shift.area_path,
            purpose=f"[rows={len(rows)}]",
        )
    start = timezone.localtime(shift.starts_at)
    name = f"shift-roll-{shift.pk}-{start:%Y%m%d-%H%M}.{fmt}"
    return ExportFile(name, CONTENT_TYPES[fmt], _content(fmt, "roll", header, rows), len(rows))


def _content(fmt: str, title: str, header: list[str], rows: Sequence[list[Any]]) -> bytes:
    if fmt == "xlsx":
        return _xlsx(title, header, rows)
    out = io.StringIO()
    writer = csv_writer(out)  # formula-like text neutralised
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")  # the BOM lets Chinese Excel read UTF-8


def _xlsx(title: str, header: list[str], rows: Sequence[list[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append([xlsx_cell(sheet, name) for name in header])
    for row in rows:
        sheet.append([xlsx_cell(sheet, value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
