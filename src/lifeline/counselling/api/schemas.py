"""The counselling API's schemas, one in and one out per operation, all named
``Counselling...`` (OpenAPI names schemas by class name, unique across the project).
Contacts go out with the least data: ids to count by, never a name, a phone masked."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

from lifeline.api.schemas import SAFE, Id, InSchema, bounded
from lifeline.core.personal import mask_phone
from lifeline.counselling.models import Callback, Contact, Counsellor, DutyWindow, Referral, Risk

Code = Annotated[str, bounded(20, min_length=1), SAFE]


class CounsellingOnDutyOut(Schema):
    name: str
    phone: str
    languages: list[str]
    line: str
    until: dt.datetime


class CounsellingOnDutyListOut(Schema):
    count: int
    items: list[CounsellingOnDutyOut]


class CounsellingContactOut(Schema):
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


class CounsellingContactIn(InSchema):
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


class CounsellingCallbackOut(Schema):
    id: int
    line_id: int
    phone_masked: str
    missed_at: dt.datetime
    due_at: dt.datetime
    status: str
    taken_by_me: bool
    taken: bool


class CounsellingCallbackIn(InSchema):
    line_id: Id
    phone: Annotated[str, bounded(20, min_length=1), SAFE]
    missed_at: dt.datetime | None = None


class CounsellingCallbackDoneIn(InSchema):
    reached: bool


class CounsellingLineFilter(Schema):
    line_id: Id | None = None


class CounsellingReferralIn(InSchema):
    to: Code
    basis: Code
    reason: Annotated[str, bounded(300), SAFE] = ""


class CounsellingReferralOut(Schema):
    id: int
    line_id: int
    contact_id: int
    to: str
    basis: str
    made_at: dt.datetime
    status: str
    order_number: str
    order_status: str


class CounsellingCounsellorOut(Schema):
    id: int
    line_id: int
    display_name: str
    public_phone: str
    languages: list[str]
    supervisor: bool
    active: bool


class CounsellingCounsellorIn(InSchema):
    line_id: Id
    display_name: Annotated[str, bounded(50, min_length=1), SAFE]
    public_phone: Annotated[str, bounded(24, min_length=1), SAFE]
    languages: list[Code] = Field(default_factory=lambda: ["zh"], max_length=5)
    supervisor: bool = False


class CounsellingDutyOut(Schema):
    id: int
    line_id: int
    counsellor_id: int
    counsellor: str
    starts_at: dt.datetime
    ends_at: dt.datetime


class CounsellingDutyIn(InSchema):
    counsellor_id: Id
    starts_at: dt.datetime
    ends_at: dt.datetime


class CounsellingDutyFilter(Schema):
    counsellor_id: Id | None = None
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


def callback_out(c: Callback, me: Any) -> dict[str, Any]:
    return {
        "id": c.pk,
        "line_id": c.line_id,
        "phone_masked": c.phone_masked,
        "missed_at": c.missed_at,
        "due_at": c.due_at,
        "status": c.status,
        "taken": c.taken_by_id is not None,
        "taken_by_me": c.taken_by_id is not None and c.taken_by_id == getattr(me, "pk", None),
    }


def referral_out(r: Referral, order_status: str = "") -> dict[str, Any]:
    return {
        "id": r.pk,
        "line_id": r.line_id,
        "contact_id": r.contact_id,
        "to": r.to,
        "basis": r.basis,
        "made_at": r.made_at,
        "status": r.status,
        "order_number": r.order_number,
        "order_status": order_status,
    }


def counsellor_out(c: Counsellor) -> dict[str, Any]:
    return {
        "id": c.pk,
        "line_id": c.line_id,
        "display_name": c.display_name,
        "public_phone": c.public_phone,
        "languages": list(c.languages or []),
        "supervisor": c.supervisor,
        "active": c.active,
    }


def duty_out(w: DutyWindow) -> dict[str, Any]:
    return {
        "id": w.pk,
        "line_id": w.line_id,
        "counsellor_id": w.counsellor_id,
        "counsellor": w.counsellor.display_name,
        "starts_at": w.starts_at,
        "ends_at": w.ends_at,
    }
