"""Enterprises API: exports as CSV or XLSX, of the whitelist and of one enterprise's
testing compliance (names masked). They are POSTs because each export is recorded in the
audit log (a GET writes nothing); the answer is the file itself."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpResponse
from django.utils.translation import get_language
from ninja import Router

from lifeline.api.auth import AuthedRequest
from lifeline.api.schemas import ERRORS, Id, InSchema
from lifeline.core.errors import NotFound
from lifeline.enterprises import exports, selectors

router = Router(tags=["enterprises"])

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


class EnterprisesExportIn(InSchema):
    format: Literal["csv", "xlsx"] = "csv"


def _file(export: exports.ExportFile) -> HttpResponse:
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    return response


@router.post("/exports/whitelist", response={200: None, **ERRORS}, openapi_extra=FILE_ANSWER)
def enterprises_export_whitelist(request: AuthedRequest, payload: EnterprisesExportIn) -> Any:
    """The enterprises the caller sees: kind, area, whitelist, status, contact (masked),
    sealed staff, those behind on tests and the share tested as required. Audited."""
    if not exports.may_export(actor=request.auth):
        raise NotFound()
    export = exports.whitelist_export(
        actor=request.auth, fmt=payload.format, language=get_language() or "zh-hans"
    )
    return _file(export)


@router.post(
    "/{int:enterprise_id}/compliance/export",
    response={200: None, **ERRORS},
    openapi_extra=FILE_ANSWER,
)
def enterprises_export_compliance(
    request: AuthedRequest, enterprise_id: Id, payload: EnterprisesExportIn
) -> Any:
    """The enterprise's sealed staff (names masked): loop, critical role, tests in the
    policy's window against those required, behind or not. Audited."""
    enterprise = selectors.enterprise_get(actor=request.auth, pk=enterprise_id)
    export = exports.compliance_export(
        actor=request.auth,
        enterprise=enterprise,
        fmt=payload.format,
        language=get_language() or "zh-hans",
    )
    return _file(export)
