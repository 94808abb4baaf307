"""Health endpoints: a person's status, the health-code system's bulk feed, access decisions.

Mounted by the API assembly (``api.add_router("/health", health_router)``). ``build_router``
makes a fresh router so tests can mount one on their own API instance.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Header, Router, Schema, Status
from ninja.files import UploadedFile

from lifeline.api.auth import api_auth
from lifeline.api.schemas import Id
from lifeline.core.idempotency import MAX_KEY_LENGTH, idempotent
from lifeline.health.api_common import decision_out
from lifeline.health.api_transfers import add_transfer_routes
from lifeline.health.importing import status_file_import, status_rows_import
from lifeline.health.models import HealthStatus
from lifeline.health.selectors import decision_get, status_current, status_history
from lifeline.health.services import access_decide, health_status_set
from lifeline.health.vocab import StatusSource
from lifeline.registry.selectors import area_get, person_get

Code = Field(..., max_length=20)


class StatusIn(Schema):
    colour: str = Code
    quarantine: str = Field("none", max_length=20)
    reason: str = Field("", max_length=255)
    valid_from: dt.datetime | None = None
    valid_to: dt.datetime | None = None


class StatusRowOut(Schema):
    colour: str
    quarantine: str
    reason: str
    source: str
    valid_from: dt.datetime
    valid_to: dt.datetime | None


class StatusOut(Schema):
    person_id: int
    colour: str
    quarantine: str
    known: bool
    history: list[StatusRowOut]


class BulkItem(StatusIn):
    id_number: str | None = Field(None, max_length=20)
    person_id: Id | None = None


class BulkIn(Schema):
    items: list[BulkItem] = Field(..., min_length=1, max_length=10_000)


class DecideIn(Schema):
    urgency: str = Code
    person_id: Id | None = None
    area_id: Id | None = None
    needs: list[str] = Field(default_factory=list, max_length=10)
    colour: str = Field("green", max_length=20)
    quarantine: str = Field("none", max_length=20)
    risk: str | None = Field(None, max_length=20)
    channel: str = Field("api", max_length=16)


def _row(row: HealthStatus) -> dict[str, Any]:
    return {f: getattr(row, f) for f in StatusRowOut.model_fields}


def _status_body(actor: Any, person_id: int) -> dict[str, Any]:
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


def build_router() -> Router:
    router = Router(auth=api_auth(), tags=["health"])

    @router.get("/people/{person_id}/status", response=StatusOut)
    def status_get(request: HttpRequest, person_id: Id) -> dict[str, Any]:
        return _status_body(request.user, person_id)

    @router.post("/people/{person_id}/status", response={201: StatusOut})
    def status_set(request: HttpRequest, person_id: Id, payload: StatusIn) -> Any:
        person = person_get(actor=request.user, pk=person_id)
        health_status_set(
            actor=request.user, person=person, source=StatusSource.API, **payload.dict()
        )
        return Status(201, _status_body(request.user, person_id))

    @router.post("/status/bulk", response={200: dict, 422: dict})
    def status_bulk(
        request: HttpRequest,
        payload: BulkIn,
        idempotency_key: str | None = Header(
            None, alias="Idempotency-Key", max_length=MAX_KEY_LENGTH
        ),
    ) -> Any:
        """The health-code system's feed: every item checked, all written or none."""
        body = payload.dict()

        def work() -> tuple[int, Any]:
            rows = [(n, item) for n, item in enumerate(body["items"], start=1)]
            report = status_rows_import(actor=request.user, rows=rows, source=StatusSource.API)
            if report.errors:
                fields: dict[str, list[str]] = {}
                for e in report.errors:
                    fields.setdefault(f"items.{e.row - 1}.{e.field or 'item'}", []).append(
                        e.message
                    )
                return 422, {
                    "error": {
                        "code": "invalid_rows",
                        "message": _(
                            "Nothing was saved: correct the marked items and send the list again."
                        ),
                        "fields": fields,
                    }
                }
            return 200, {"created": report.created, "unchanged": report.unchanged}

        status, answer = idempotent(
            owner=str(request.user.pk),
            key=idempotency_key,
            endpoint="health.status_bulk",
            payload=body,
            create=work,
        )
        return Status(status, answer)

    @router.post("/status/import", response={200: dict, 422: dict})
    def status_import(request: HttpRequest, file: File[UploadedFile]) -> Any:
        """A CSV/XLSX status list: every row checked, all written or none."""
        report = status_file_import(actor=request.user, content=file.read())
        if report.errors:
            return Status(
                422,
                {
                    "error": {
                        "code": "invalid_rows",
                        "message": _(
                            "Nothing was saved: correct the listed rows and upload again."
                        ),
                        "fields": {
                            "rows": [
                                f"{e.row}: {e.field} {e.message}".strip() for e in report.errors
                            ]
                        },
                    }
                },
            )
        return Status(200, {"created": report.created, "unchanged": report.unchanged})

    @router.post("/access/decide", response={201: dict})
    def decide(request: HttpRequest, payload: DecideIn) -> Any:
        person = person_get(actor=request.user, pk=payload.person_id) if payload.person_id else None
        area = area_get(actor=request.user, pk=payload.area_id) if payload.area_id else None
        decision = access_decide(
            actor=request.user,
            person=person,
            area=area,
            needs=payload.needs,
            urgency=payload.urgency,
            colour=payload.colour,
            quarantine=payload.quarantine,
            risk=payload.risk,
            channel=payload.channel,
        )
        return Status(201, decision_out(decision))

    @router.get("/access/decisions/{decision_id}", response=dict)
    def decision_read(request: HttpRequest, decision_id: Id) -> dict[str, Any]:
        return decision_out(decision_get(actor=request.user, pk=decision_id))

    add_transfer_routes(router)
    return router


router = build_router()
