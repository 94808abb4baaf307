"""Counselling endpoints: one small schema in and one out per operation."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from lifeline.api.auth import AuthedRequest
from lifeline.api.creates import IdempotencyKey, create_once
from lifeline.api.pagination import PageParams, page_of, paginate
from lifeline.api.schemas import ERRORS, SAFE, Id, InSchema, bounded
from lifeline.core.errors import NotFound
from lifeline.core.personal import mask_phone
from lifeline.counselling import selectors, services
from lifeline.counselling.models import Callback, Contact, Risk
from lifeline.registry.models import Area, Unit

router = Router(tags=["counselling"])

Code = Annotated[str, bounded(20, min_length=1), SAFE]


class OnDutyOut(Schema):
    name: str
    phone: str
    languages: list[str]
    line: str
    until: dt.datetime


class OnDutyListOut(Schema):
    count: int
    items: list[OnDutyOut]


class ContactOut(Schema):
    id: int
    line_id: int
    started_at: dt.datetime
    minutes: int
    topic: str
    outcome: str
    risk: str
    high_risk: bool
    enterprise_id: int | None
    area_id: int | None
    anonymous: bool
    caller_phone_masked: str


class ContactIn(InSchema):
    line_id: Id
    topic: Code
    outcome: Code
    minutes: int = Field(ge=0, le=600)
    risk: Code = Risk.NONE
    started_at: dt.datetime | None = None
    enterprise_id: Id | None = None
    area_id: Id | None = None
    consent_contact: bool = False
    consent_referral: bool = False
    caller_name: Annotated[str, bounded(50), SAFE] = ""
    caller_phone: Annotated[str, bounded(20), SAFE] = ""
    note: Annotated[str, bounded(500), SAFE] = ""


class CallbackOut(Schema):
    id: int
    line_id: int
    phone_masked: str
    missed_at: dt.datetime
    due_at: dt.datetime
    status: str


class CallbackIn(InSchema):
    line_id: Id
    phone: Annotated[str, bounded(20, min_length=1), SAFE]
    missed_at: dt.datetime | None = None


class CallbackDoneIn(InSchema):
    reached: bool


class LineFilter(Schema):
    line_id: Id | None = None


def contact_out(c: Contact) -> dict[str, Any]:
    return {
        "id": c.pk,
        "line_id": c.line_id,
        "started_at": c.started_at,
        "minutes": c.minutes,
        "topic": c.topic,
        "outcome": c.outcome,
        "risk": c.risk,
        "high_risk": c.flagged_at is not None,
        "enterprise_id": c.enterprise_id,
        "area_id": c.area_id,
        "anonymous": not (c.caller_name or c.caller_phone),
        "caller_phone_masked": mask_phone(c.caller_phone),
    }


def callback_out(c: Callback) -> dict[str, Any]:
    return {
        "id": c.pk,
        "line_id": c.line_id,
        "phone_masked": c.phone_masked,
        "missed_at": c.missed_at,
        "due_at": c.due_at,
        "status": c.status,
    }


def _line(pk: int) -> Unit:
    # Whether the caller answers this line is the service's check (404 when not).
    line = Unit.objects.filter(pk=pk, kind=Unit.Kind.COUNSELLING_LINE).first()
    if line is None:
        raise NotFound()
    return line


def _optional(model: Any, pk: int | None) -> Any:
    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


@router.get("/on-duty", auth=None, response={200: OnDutyListOut, **ERRORS})
def on_duty(request: HttpRequest) -> Any:
    """Public: the counsellors on duty now with their published numbers, nobody else."""
    rows = selectors.on_duty_now()
    items = [
        {
            "name": r.name,
            "phone": r.phone,
            "languages": r.languages,
            "line": r.line,
            "until": r.until,
        }
        for r in rows
    ]
    return {"count": len(items), "items": items}


@router.get("/contacts", response={200: page_of(ContactOut), **ERRORS})
def contacts_list(
    request: AuthedRequest, filters: Query[LineFilter], page: Query[PageParams]
) -> Any:
    qs = selectors.contact_list(actor=request.auth)
    if filters.line_id is not None:
        qs = qs.filter(line_id=filters.line_id)
    answer = paginate(qs, page)
    answer["items"] = [contact_out(c) for c in answer["items"]]
    return answer


@router.post("/contacts", response={201: ContactOut, **ERRORS})
def contacts_create(request: AuthedRequest, payload: ContactIn, key: IdempotencyKey) -> Any:
    """Log a contact: anonymous unless ``consent_contact`` (then a name or phone may be
    kept). ``risk: "high"`` flags it and tells the supervisor at once."""
    actor = request.auth

    def make() -> dict[str, Any]:
        contact = services.contact_log(
            actor=actor,
            line=_line(payload.line_id),
            enterprise=_optional(Unit, payload.enterprise_id),
            area=_optional(Area, payload.area_id),
            **payload.model_dump(exclude={"line_id", "enterprise_id", "area_id"}),
        )
        return contact_out(contact)

    return create_once(request, key=key, payload=payload, make=make, out=ContactOut)


@router.post("/contacts/{contact_id}/flag", response={200: ContactOut, **ERRORS})
def contacts_flag(request: AuthedRequest, contact_id: Id) -> Any:
    """Flag a contact high-risk (self-harm): the supervisor is told now."""
    contact = selectors.contact_get(actor=request.auth, pk=contact_id)
    return contact_out(services.contact_flag_high_risk(actor=request.auth, contact=contact))


@router.get("/callbacks", response={200: page_of(CallbackOut), **ERRORS})
def callbacks_list(
    request: AuthedRequest, filters: Query[LineFilter], page: Query[PageParams]
) -> Any:
    """Waiting callbacks, oldest missed call first."""
    qs = selectors.callback_queue(actor=request.auth)
    if filters.line_id is not None:
        qs = qs.filter(line_id=filters.line_id)
    answer = paginate(qs, page)
    answer["items"] = [callback_out(c) for c in answer["items"]]
    return answer


@router.post("/callbacks", response={201: CallbackOut, **ERRORS})
def callbacks_create(request: AuthedRequest, payload: CallbackIn, key: IdempotencyKey) -> Any:
    """A missed call: owed a call back within 30 minutes (a number already waiting is
    not queued twice)."""
    actor = request.auth

    def make() -> dict[str, Any]:
        callback = services.callback_request(
            actor=actor,
            line=_line(payload.line_id),
            phone=payload.phone,
            missed_at=payload.missed_at,
        )
        return callback_out(callback)

    return create_once(request, key=key, payload=payload, make=make, out=CallbackOut)


@router.post("/callbacks/{callback_id}/complete", response={200: CallbackOut, **ERRORS})
def callbacks_complete(request: AuthedRequest, callback_id: Id, payload: CallbackDoneIn) -> Any:
    """Called back (``reached``) or not reachable; the number is erased."""
    callback = selectors.callback_get(actor=request.auth, pk=callback_id)
    done = services.callback_complete(
        actor=request.auth, callback=callback, reached=payload.reached
    )
    return callback_out(done)
