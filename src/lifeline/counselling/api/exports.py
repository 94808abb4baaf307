"""Counselling API: the supervisor's contact counts as CSV or XLSX. A POST, since each
export is recorded in the audit log (a GET writes nothing); the answer is the file."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpResponse
from django.utils.translation import get_language

from lifeline.api.auth import AuthedRequest
from lifeline.api.schemas import ERRORS, InSchema
from lifeline.counselling import exports
from lifeline.counselling.api.endpoints import router

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


class CounsellingCountsExportIn(InSchema):
    # Local days, both included; by default the last seven days.
    since: dt.date | None = None
    until: dt.date | None = None
    by: Literal["enterprise", "area"] = "enterprise"
    format: Literal["csv", "xlsx"] = "csv"


@router.post("/exports/contacts", response={200: None, **ERRORS}, openapi_extra=FILE_ANSWER)
def exports_contacts(request: AuthedRequest, payload: CounsellingCountsExportIn) -> Any:
    """Contacts per day, workplace or area (``by``), topic and risk on the lines the caller
    supervises; counts only, no names or numbers. Audited."""
    since, until = exports.period(payload.since, payload.until)
    export = exports.contacts_export(
        actor=request.auth,
        since=since,
        until=until,
        by=payload.by,
        fmt=payload.format,
        language=get_language() or "zh-hans",
    )
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    return response
