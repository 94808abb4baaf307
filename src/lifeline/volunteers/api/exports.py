"""Volunteers API: exports as CSV or XLSX, of each volunteer's hours over a period and of
a shift's roll. They are POSTs because each export is recorded in the audit log (a GET
writes nothing); the answer is the file itself."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpResponse
from django.utils.translation import get_language
from ninja import Router

from lifeline.api.auth import AuthedRequest
from lifeline.api.schemas import ERRORS, Id, InSchema
from lifeline.volunteers import exports, selectors

router = Router(tags=["volunteers"])

FILE_ANSWER = {
    "responses": {
        200: {
            "description": "The file (CSV in UTF-8 with a byte-order mark, or XLSX).",
            "content": {
                exports.CONTENT_TYPES[fmt]: {"schema": {"type": "string", "format": "binary"}}
                for fmt in exports.FORMATS
            },
        }
    }
}


class HoursExportIn(InSchema):
    # Local days, both included; by default the last thirty days.
    since: dt.date | None = None
    until: dt.date | None = None
    format: Literal["csv", "xlsx"] = "csv"


class RollExportIn(InSchema):
    format: Literal["csv", "xlsx"] = "csv"


def _file(export: exports.ExportFile) -> HttpResponse:
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    return response


@router.post("/exports/hours", response={200: None, **ERRORS}, openapi_extra=FILE_ANSWER)
def exports_hours(request: AuthedRequest, payload: HoursExportIn) -> Any:
    """Each volunteer the caller sees: name, organisation, masked phone, shifts worked,
    minutes credited and no-shows from ``since`` to ``until``. Audited."""
    since, until = exports.period(payload.since, payload.until)
    export = exports.hours_export(
        actor=request.auth,
        since=since,
        until=until,
        fmt=payload.format,
        language=get_language() or "zh-hans",
    )
    return _file(export)


@router.post(
    "/shifts/{int:shift_id}/roll/export", response={200: None, **ERRORS}, openapi_extra=FILE_ANSWER
)
def exports_roll(request: AuthedRequest, shift_id: Id, payload: RollExportIn) -> Any:
    """The shift's roll: arrival, name, organisation, masked phone, status, check-in and
    check-out times, minutes credited, no-show. Audited."""
    actor = request.auth
    shift = selectors.shift_get(actor=actor, pk=shift_id)
    export = exports.roll_export(
        actor=actor, shift=shift, fmt=payload.format, language=get_language() or "zh-hans"
    )
    return _file(export)
