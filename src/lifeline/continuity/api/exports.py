"""Continuity API: exports as CSV or XLSX, of the problem list and of a unit's figure
history over a period. They are POSTs because each export is recorded in the audit log (a
GET writes nothing); the answer is the file itself."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpResponse
from django.utils.translation import get_language
from ninja import Router

from lifeline.api.auth import AuthedRequest
from lifeline.api.schemas import ERRORS, Id, InSchema
from lifeline.continuity import exports, selectors

router = Router(tags=["continuity"])

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


class ProblemsExportIn(InSchema):
    format: Literal["csv", "xlsx"] = "csv"
    open_only: bool = False


class FigureHistoryExportIn(InSchema):
    # Local days, both included; by default the last thirty days.
    since: dt.date | None = None
    until: dt.date | None = None
    format: Literal["csv", "xlsx"] = "csv"


def _file(export: exports.ExportFile) -> HttpResponse:
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    return response


@router.post("/exports/problems", response={200: None, **ERRORS}, openapi_extra=FILE_ANSWER)
def exports_problems(request: AuthedRequest, payload: ProblemsExportIn) -> Any:
    """The problem list the caller sees: unit, problem, owner, guidance, due, status,
    opened at (no personal data). Audited."""
    export = exports.problems_export(
        actor=request.auth,
        fmt=payload.format,
        open_only=payload.open_only,
        language=get_language() or "zh-hans",
    )
    return _file(export)


@router.post(
    "/units/{int:unit_id}/history/export",
    response={200: None, **ERRORS},
    openapi_extra=FILE_ANSWER,
)
def exports_figure_history(
    request: AuthedRequest, unit_id: Id, payload: FigureHistoryExportIn
) -> Any:
    """The unit's reported figures from ``since`` to ``until``: reported at, figure,
    value, measured in, reported late. Audited."""
    actor = request.auth
    unit = selectors.lifeline_unit_get(actor=actor, unit_id=unit_id)
    since, until = exports.period(payload.since, payload.until)
    export = exports.history_export(
        actor=actor,
        lifeline_unit=unit,
        since=since,
        until=until,
        fmt=payload.format,
        language=get_language() or "zh-hans",
    )
    return _file(export)
