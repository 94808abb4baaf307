"""Health endpoints (mounted at ``/health``): a person's status, the health-code system's
bulk feed and file import, and medical-access decisions; transfers and standing needs are
``health.api_transfers``, added to this router. Views only translate: selectors read,
services write; creates take an Idempotency-Key (``api.creates``).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from ninja import File, Router, Status
from ninja.files import UploadedFile

from lifeline.api.auth import AuthedRequest, api_auth
from lifeline.api.creates import IdempotencyKey, create_once, json_answer, once, render
from lifeline.api.schemas import ERRORS, Id
from lifeline.core.actors import Actor
from lifeline.health import api_transfers
from lifeline.health.api_common import decision_out
from lifeline.health.importing import status_file_import, status_rows_import
from lifeline.health.models import HealthStatus
from lifeline.health.schemas import (
    BulkIn,
    DecideIn,
    DecisionOut,
    StatusFeedOut,
    StatusIn,
    StatusOut,
    StatusRowOut,
)
from lifeline.health.selectors import decision_get, status_current, status_history
from lifeline.health.services import access_decide, health_status_set
from lifeline.health.vocab import StatusSource
from lifeline.registry.selectors import person_get
from lifeline.registry.tree import area_get

# The router carries the API's auth itself, so a test may mount it on an API of its own.
router = Router(auth=api_auth(), tags=["health"])


def build_router() -> Router:
    """The health router (with transfers), for tests that mount it on an API of their own."""
    return router


def _row(row: HealthStatus) -> dict[str, Any]:
    return {f: getattr(row, f) for f in StatusRowOut.model_fields}


def _status_body(actor: Actor, person_id: int) -> dict[str, Any]:
    person = person_get(actor=actor, pk=person_id)
    now = status_current(actor=actor, person=person)
    history = status_history(actor=actor, person=person)[:50]
    return {
        "person_id": person.pk,
        "colour": now.colour,
        "quarantine": now.quarantine,
        "known": now.known,
        "history": [_row(r) for r in history],
    }


def _invalid_rows(message: str, fields: dict[str, list[str]]) -> dict[str, Any]:
    return {"error": {"code": "invalid_rows", "message": message, "fields": fields}}


@router.get("/people/{person_id}/status", response={200: StatusOut, **ERRORS})
def status_get(request: AuthedRequest, person_id: Id) -> Any:
    return _status_body(request.auth, person_id)


@router.post("/people/{person_id}/status", response={201: StatusOut, **ERRORS})
def status_set(
    request: AuthedRequest, person_id: Id, payload: StatusIn, key: IdempotencyKey
) -> Any:
    actor = request.auth

    def make() -> dict[str, Any]:
        person = person_get(actor=actor, pk=person_id)
        health_status_set(actor=actor, person=person, source=StatusSource.API, **payload.dict())
        return _status_body(actor, person_id)

    return create_once(request, key=key, payload=payload, make=make, out=StatusOut)


@router.post("/status/bulk", response={200: StatusFeedOut, **ERRORS})
def status_bulk(request: AuthedRequest, payload: BulkIn, key: IdempotencyKey) -> Any:
    """The health-code system's feed: every item checked, all written or none. With an
    Idempotency-Key a retry gets the first answer, a refusal (422) included."""
    body = payload.dict()

    def run() -> tuple[int, Any]:
        rows = [(n, item) for n, item in enumerate(body["items"], start=1)]
        report = status_rows_import(actor=request.auth, rows=rows, source=StatusSource.API)
        if report.errors:
            fields: dict[str, list[str]] = {}
            for e in report.errors:
                fields.setdefault(f"items.{e.row - 1}.{e.field or 'item'}", []).append(e.message)
            message = _("Nothing was saved: correct the marked items and send the list again.")
            return 422, _invalid_rows(message, fields)
        feed = {"created": report.created, "unchanged": report.unchanged}
        return 200, render(StatusFeedOut, feed)

    return json_answer(*once(request, key=key, payload=payload, run=run))


@router.post("/status/import", response={200: StatusFeedOut, **ERRORS})
def status_import(request: AuthedRequest, file: File[UploadedFile]) -> Any:
    """A CSV/XLSX status list: every row checked, all written or none (re-sending the same
    list writes nothing new: its rows are unchanged)."""
    report = status_file_import(actor=request.auth, content=file.read())
    if report.errors:
        message = _("Nothing was saved: correct the listed rows and upload again.")
        rows = [f"{e.row}: {e.field} {e.message}".strip() for e in report.errors]
        return Status(422, _invalid_rows(message, {"rows": rows}))
    return Status(200, {"created": report.created, "unchanged": report.unchanged})


@router.post("/access/decide", response={201: DecisionOut, **ERRORS})
def decide(request: AuthedRequest, payload: DecideIn, key: IdempotencyKey) -> Any:
    """The medical-access decision for a person or an area; stored, so it is a create."""
    actor = request.auth

    def make() -> dict[str, Any]:
        person = person_get(actor=actor, pk=payload.person_id) if payload.person_id else None
        area = area_get(actor=actor, pk=payload.area_id) if payload.area_id else None
        decision = access_decide(
            actor=actor,
            person=person,
            area=area,
            needs=payload.needs,
            urgency=payload.urgency,
            colour=payload.colour,
            quarantine=payload.quarantine,
            risk=payload.risk,
            channel=payload.channel,
            capabilities=payload.capabilities,
        )
        return decision_out(decision)

    return create_once(request, key=key, payload=payload, make=make, out=DecisionOut)


@router.get("/access/decisions/{decision_id}", response={200: DecisionOut, **ERRORS})
def decision_read(request: AuthedRequest, decision_id: Id) -> Any:
    return decision_out(decision_get(actor=request.auth, pk=decision_id))


router.add_router("", api_transfers.router)
