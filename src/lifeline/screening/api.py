"""Screening endpoints: sample registration (console sync), tube close, lab results (JSON
and CSV), screening lists and counts, recheck tasks, the daily review, and a special
session from a list. Mounted at ``/screening`` by the API assembly."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile

from lifeline.api.auth import AuthedRequest, api_auth
from lifeline.api.creates import IdempotencyKey, create_once, json_answer, once, render
from lifeline.api.pagination import PageParams, page_of, paginate
from lifeline.api.schemas import ERRORS, SAFE, Id, bounded
from lifeline.core.personal import mask_phone
from lifeline.screening import selectors
from lifeline.screening.services import (
    results_import,
    results_import_csv,
    sample_register,
    session_create_from_list,
    tube_close,
)
from lifeline.screening.services.results import ImportSummary, ResultRow


class SampleIn(Schema):
    client_id: str
    barcode: str
    person_id: Id
    pool_size: int = 10
    per_household: bool = False
    session_id: Id | None = None
    sampled_at: dt.datetime | None = None


class SampleOut(Schema):
    id: int
    client_id: str
    barcode: str
    person_id: int
    members: int
    tube_status: str


class TubeOut(Schema):
    barcode: str
    status: str
    members: int
    pool_size: int


class ResultIn(Schema):
    barcode: str
    result: str
    reported_at: dt.datetime | None = None


class ResultsIn(Schema):
    lab: str = ""
    results: list[ResultIn]


class ImportOut(Schema):
    rows: int
    imported: int
    unchanged: int
    person_results: int
    positives: int


class ListPersonOut(Schema):
    id: int
    name: str
    phone: str
    grid_id: int


class CountOut(Schema):
    area_id: int
    name: str
    level: str
    people: int
    tested_today: int
    compliant: int
    pending_recheck: int
    not_tested_today: int
    not_compliant: int


class RecheckOut(Schema):
    id: int
    person_id: int
    grid_id: int
    source_tube: str
    status: str
    created_at: dt.datetime


class FromListIn(Schema):
    area_id: Id
    list_kind: str
    site_id: Id
    starts_at: dt.datetime
    ends_at: dt.datetime
    kind: str = "special"


class SessionOut(Schema):
    id: int
    name: str
    kind: str
    invited: int


def _summary(summary: ImportSummary) -> dict[str, int]:
    return {
        "rows": summary.rows,
        "imported": summary.imported,
        "unchanged": summary.unchanged,
        "person_results": summary.person_results,
        "positives": summary.positives,
    }


router = Router(auth=api_auth(), tags=["screening"])


def build_router() -> Router:
    """The screening router, for tests that mount it on an API of their own."""
    return router


@router.post("/samples", response={200: SampleOut, 201: SampleOut, **ERRORS})
def samples_register(request: AuthedRequest, payload: SampleIn, key: IdempotencyKey) -> Any:
    """Idempotent by ``client_id``: a replay answers 200 with the first sample. With an
    Idempotency-Key, a retry gets the first answer itself (201 if it created)."""

    def run() -> tuple[int, Any]:
        sample, created = sample_register(actor=request.auth, **payload.dict())
        body = {
            "id": sample.pk,
            "client_id": sample.client_id,
            "barcode": sample.tube.barcode,
            "person_id": sample.person_id,
            "members": sample.tube.members,
            "tube_status": sample.tube.status,
        }
        return (201 if created else 200), render(SampleOut, body)

    return json_answer(*once(request, key=key, payload=payload, run=run))


@router.post("/tubes/{barcode}/close", response={200: TubeOut, **ERRORS})
def tubes_close(request: AuthedRequest, barcode: str) -> Any:
    return tube_close(actor=request.auth, barcode=barcode)


@router.post("/results", response={200: ImportOut, **ERRORS})
def results_post(request: AuthedRequest, payload: ResultsIn) -> Any:
    """A lab's results, all or none; re-sending the same results changes nothing."""
    rows = [
        ResultRow(r.barcode.strip(), r.result.strip().lower(), payload.lab, r.reported_at)
        for r in payload.results
    ]
    return _summary(results_import(actor=request.auth, rows=rows))


@router.post("/results/csv", response={200: ImportOut, **ERRORS})
def results_csv(request: AuthedRequest, file: File[UploadedFile], lab: str = "") -> Any:
    content = file.read()
    return _summary(results_import_csv(actor=request.auth, content=content, lab=lab))


@router.get("/areas/{area_id}/lists/{kind}", response={200: page_of(ListPersonOut), **ERRORS})
def lists_read(request: AuthedRequest, area_id: Id, kind: str, page: Query[PageParams]) -> Any:
    people = selectors.screening_list(actor=request.auth, area_id=area_id, kind=kind)
    body = paginate(people.values("id", "name", "phone", "grid_id"), page)
    body["items"] = [{**r, "phone": mask_phone(r["phone"])} for r in body["items"]]
    return body


@router.get("/areas/{area_id}/counts", response={200: list[CountOut], **ERRORS})
def counts_read(request: AuthedRequest, area_id: Id) -> Any:
    return selectors.screening_counts(actor=request.auth, area_id=area_id)


@router.get("/areas/{area_id}/rechecks", response={200: page_of(RecheckOut), **ERRORS})
def rechecks_read(
    request: AuthedRequest,
    area_id: Id,
    page: Query[PageParams],
    status: Annotated[str, bounded(20), SAFE] = "",
) -> Any:
    tasks = selectors.recheck_list(actor=request.auth, area_id=area_id, status=status)
    body = paginate(tasks, page)
    body["items"] = [
        {
            "id": t.pk,
            "person_id": t.person_id,
            "grid_id": t.grid_id,
            "source_tube": t.source_tube.barcode,
            "status": t.status,
            "created_at": t.created_at,
        }
        for t in body["items"]
    ]
    return body


@router.get("/grids/{grid_id}/door-to-door", response={200: page_of(ListPersonOut), **ERRORS})
def door_to_door_read(request: AuthedRequest, grid_id: Id, page: Query[PageParams]) -> Any:
    """Bedridden and disabled people of a grid, for the door-to-door team."""
    people = selectors.door_to_door_list(actor=request.auth, grid_id=grid_id)
    body = paginate(people.values("id", "name", "phone", "grid_id"), page)
    body["items"] = [{**r, "phone": mask_phone(r["phone"])} for r in body["items"]]
    return body


@router.get("/review", response={200: dict, **ERRORS})
def review_read(request: AuthedRequest, day: dt.date | None = None) -> Any:
    return selectors.daily_review(actor=request.auth, day=day)


@router.post("/sessions/from-list", response={201: SessionOut, **ERRORS})
def sessions_from_list(request: AuthedRequest, payload: FromListIn, key: IdempotencyKey) -> Any:
    """One action: a screening list becomes a special session (Idempotency-Key)."""

    def make() -> dict[str, Any]:
        session = session_create_from_list(actor=request.auth, **payload.dict())
        return {
            "id": session.pk,
            "name": session.name,
            "kind": session.kind,
            "invited": session.invited.count(),
        }

    return create_once(request, key=key, payload=payload, make=make, out=SessionOut)
