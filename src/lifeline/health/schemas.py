"""Bodies and answers of the health API (``health.api`` and ``health.api_transfers``).

The answers keep the fields, their order and their JSON forms that the health API has
always given: times of decisions, transfers and standing needs are ISO strings built by
``health.api_common.decision_out`` and ``health.api_transfers``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Field, Schema

from lifeline.api.schemas import Id

# Requests ------------------------------------------------------------------------------


class StatusIn(Schema):
    colour: str = Field(..., max_length=20)
    quarantine: str = Field("none", max_length=20)
    reason: str = Field("", max_length=255)
    valid_from: dt.datetime | None = None
    valid_to: dt.datetime | None = None


class BulkItem(StatusIn):
    id_number: str | None = Field(None, max_length=20)
    person_id: Id | None = None


class BulkIn(Schema):
    items: list[BulkItem] = Field(..., min_length=1, max_length=10_000)


class DecideIn(Schema):
    urgency: str = Field(..., max_length=20)
    person_id: Id | None = None
    area_id: Id | None = None
    needs: list[str] = Field(default_factory=list, max_length=10)
    colour: str = Field("green", max_length=20)
    quarantine: str = Field("none", max_length=20)
    risk: str | None = Field(None, max_length=20)
    channel: str = Field("api", max_length=16)
    capabilities: list[Annotated[str, Field(max_length=20)]] = Field(
        default_factory=list, max_length=10
    )


class MedicalTransferIn(Schema):
    person_id: Id
    urgency: str = Field("necessary", max_length=20)
    needs: list[Annotated[str, Field(max_length=20)]] = Field(default_factory=list, max_length=10)
    note: str = Field("", max_length=2000)
    capabilities: list[Annotated[str, Field(max_length=20)]] = Field(
        default_factory=list, max_length=10
    )


class TimeIn(Schema):
    step: str = Field(..., max_length=20)
    at: dt.datetime | None = None
    hospital_id: Id | None = None


class StandingNeedIn(Schema):
    person_id: Id
    kind: str = Field(..., max_length=20)
    weekdays: list[int] = Field(default_factory=list, max_length=7)
    dates: list[dt.date] = Field(default_factory=list, max_length=200)
    time: dt.time
    hospital_id: Id | None = None
    active_from: dt.date | None = None
    active_to: dt.date | None = None
    lead_hours: int = Field(24, ge=1, le=168)
    note: str = Field("", max_length=200)


class EndIn(Schema):
    reason: str = Field(..., max_length=500)


# Answers -------------------------------------------------------------------------------


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


class StatusFeedOut(Schema):
    """What a status feed (the bulk list or a file) wrote: all its rows, or none."""

    created: int
    unchanged: int


class DecisionHospitalOut(Schema):
    name: str
    address: str
    phones: list[str]
    notes: str
    name_en: str = ""
    district: str = ""
    duty_phone: str = ""
    capabilities: list[str] = []


class DecisionOut(Schema):
    id: int
    rule_version: int
    rule: str
    inputs: dict[str, Any]
    where: str
    where_label: str
    hospital: DecisionHospitalOut | None
    how: str
    how_label: str
    notify: list[str]
    notify_labels: list[str]
    instructions: str  # in the request's language
    instructions_zh: str
    instructions_en: str
    created_at: str
    rule_label: str = ""
    capabilities: list[str] = []
    cross_district: bool = False


class TransferOrderOut(Schema):
    id: int
    number: str | None
    priority: int
    status: str
    emergency: bool


class TransferOut(Schema):
    id: int
    kind: str
    area_path: str
    person_id: int
    order: TransferOrderOut
    decision: DecisionOut
    hospital_name: str
    appointment_at: str | None
    standing_need_id: int | None
    times: dict[str, str | None]  # call, dispatch, arrival, handover
    hospital_told_at: str | None = None


class StandingNeedOut(Schema):
    id: int
    area_path: str
    person_id: int
    kind: str
    weekdays: list[int]
    dates: list[str]
    time: str
    hospital_id: int | None
    active_from: str | None
    active_to: str | None
    lead_hours: int
    active: bool
    last_error: str
