"""The supervisor's export of contact counts as CSV or XLSX: contacts per day, per
workplace or area (``by``), per topic and per risk, over a period, on the lines the actor
supervises. Never a caller's name or number, nor a counsellor's: only counts and the names
of the places counted by. Every export is audited with its row count. Cells go through
``core.exports``, so a workplace's name cannot smuggle a formula into a spreadsheet."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can_anywhere, scoped
from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.audit import audit_log
from lifeline.core.errors import NotFound, ServiceError
from lifeline.core.exports import csv_writer, xlsx_cell
from lifeline.counselling.models import Contact, Risk, Topic

FORMATS = ("csv", "xlsx")
BY = ("enterprise", "area")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MAX_DAYS = 366
# A count below this is written "<5": a workplace's one high-risk caller on one day is a
# person, not a figure (the small-cell rule of health statistics).
SMALL_COUNT = 5
DEFAULT_DAYS = 7
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2099, 12, 31)
SUPERVISE = Perm.COUNSELLING_SUPERVISE


@dataclass(frozen=True)
class ExportFile:
    file_name: str
    content_type: str
    content: bytes
    rows: int


def may_export(*, actor: Actor) -> bool:
    return can_anywhere(actor, SUPERVISE)


def period(since: dt.date | None, until: dt.date | None) -> tuple[dt.date, dt.date]:
    """The days asked for; by default the last seven days, today included."""
    if until is None:
        until = max(clock.today(), since) if since else clock.today()
    if since is None:
        since = max(until, FIRST_DAY) - dt.timedelta(days=DEFAULT_DAYS - 1)
    return since, until


def _check(since: dt.date, until: dt.date, fmt: str, by: str) -> None:
    fields: dict[str, list[str]] = {}
    if fmt not in FORMATS:
        fields["format"] = [_("Unknown format; use csv or xlsx.")]
    if by not in BY:
        fields["by"] = [_("Count by workplace or by area.")]
    if not (FIRST_DAY <= since <= LAST_DAY and FIRST_DAY <= until <= LAST_DAY):
        fields["since"] = [_("Choose days between 2000 and 2099.")]
    elif since > until:
        fields["since"] = [_("The first day must not be after the last.")]
    elif (until - since).days >= MAX_DAYS:
        fields["until"] = [_("Choose at most 366 days.")]
    if fields:
        first = next(iter(fields.values()))[0]
        raise ServiceError(first, fields=fields)


def _columns(by: str) -> list[Any]:
    return [
        gettext_lazy("Day"),
        gettext_lazy("Workplace") if by == "enterprise" else gettext_lazy("Area"),
        gettext_lazy("Topic"),
        gettext_lazy("Risk"),
        gettext_lazy("Contacts"),
    ]


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def count_rows(*, actor: Actor, since: dt.date, until: dt.date, by: str) -> list[list[Any]]:
    """One row per day, place, topic and risk with its number of contacts, on the lines
    the actor supervises (local days, both included). Labels only, no ids; a count under
    ``SMALL_COUNT`` is written ``<5``, never its value."""
    qs = scoped(Contact.objects.all(), actor, SUPERVISE).filter(
        started_at__gte=_day_start(since), started_at__lt=_day_start(until + dt.timedelta(days=1))
    )
    place = "enterprise__name" if by == "enterprise" else "area__name"
    counted: Counter[tuple[dt.date, str, str, str]] = Counter()
    for started, name, topic, risk in qs.values_list(
        "started_at", place, "topic", "risk"
    ).iterator():
        counted[(timezone.localdate(started), name or "", topic, risk)] += 1
    topics, risks = dict(Topic.choices), dict(Risk.choices)
    not_given = _("Not given")
    return [
        [day.isoformat(), name or not_given, str(topics[topic]), str(risks[risk]), _shown(n)]
        for (day, name, topic, risk), n in sorted(counted.items())
    ]


def _shown(n: int) -> int | str:
    return n if n >= SMALL_COUNT else f"<{SMALL_COUNT}"


def contacts_export(
    *,
    actor: Actor,
    since: dt.date,
    until: dt.date,
    by: str = "enterprise",
    fmt: str = "csv",
    language: str = "zh-hans",
) -> ExportFile:
    """Contact counts over [``since``, ``until``] as a file; audited
    (``counselling.export_counts``)."""
    if not may_export(actor=actor):
        raise NotFound()
    _check(since, until, fmt, by)
    with translation.override(language):
        header = [str(c) for c in _columns(by)]
        rows = count_rows(actor=actor, since=since, until=until, by=by)
    with transaction.atomic():
        audit_log(
            actor=actor,
            action="counselling.export_counts",
            object_type="counselling.contact",
            purpose=f"{since.isoformat()}..{until.isoformat()} by {by} [rows={len(rows)}]",
        )
    name = f"counselling-contacts-{by}-{since:%Y%m%d}-{until:%Y%m%d}.{fmt}"
    return ExportFile(name, CONTENT_TYPES[fmt], _content(fmt, header, rows), len(rows))


def _content(fmt: str, header: list[str], rows: Sequence[list[Any]]) -> bytes:
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("contacts")
        sheet.append([xlsx_cell(sheet, name) for name in header])
        for row in rows:
            sheet.append([xlsx_cell(sheet, value) for value in row])
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()
    text = io.StringIO()
    writer = csv_writer(text)  # formula-like text neutralised
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8-sig")  # the BOM lets Chinese Excel read UTF-8
