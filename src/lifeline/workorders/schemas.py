"""Work-order API shapes: one in and one out per operation. Phones leave masked."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from lifeline.api.schemas import SAFE, Id, InSchema, bounded
from lifeline.workorders.models import WorkOrder, WorkOrderEvent

Text = Annotated[str, bounded(2000), SAFE]
ExtraValue = str | int | float | bool | None


class StopIn(InSchema):
    label: Annotated[str, bounded(150, min_length=1), SAFE]
    address: Annotated[str, bounded(255), SAFE] = ""
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)


class WorkOrderIn(InSchema):
    description: Annotated[str, bounded(4000, min_length=1), SAFE]
    category: Annotated[str, bounded(40), SAFE] = ""
    channel: Literal["api", "hotline", "staff", "open311"] = "api"
    area: Id | None = None
    household: Id | None = None
    person: Id | None = None
    contact_name: Annotated[str, bounded(50), SAFE] = ""
    contact_phone: Annotated[str, bounded(20), SAFE] = ""
    extra: dict[Annotated[str, bounded(40)], ExtraValue] = Field(
        default_factory=dict, max_length=30
    )
    address: Annotated[str, bounded(255), SAFE] = ""
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    stops: list[StopIn] = Field(default_factory=list, max_length=20)


class WorkOrderFilter(Schema):
    status: Annotated[str, bounded(20), SAFE] = ""
    category: Annotated[str, bounded(40), SAFE] = ""
    unit: Id | None = None
    area: Id | None = None
    open: bool = False
    overdue: bool = False
    priority: int | None = Field(None, ge=1, le=4)
    q: Annotated[str, bounded(100), SAFE] = ""


class WorkOrderOut(Schema):
    id: int
    number: str | None
    category: str = Field(..., alias="category.code")
    category_name: str = Field(..., alias="category.name")
    channel: str
    priority: int
    status: str
    emergency: bool
    area: int = Field(..., alias="area_id")
    area_path: str
    household: int | None = Field(None, alias="household_id")
    person: int | None = Field(None, alias="person_id")
    responsible_unit: int | None = Field(None, alias="responsible_unit_id")
    contact_phone: str = Field("", alias="contact_phone_masked")
    description: str
    extra: dict[str, Any]
    address: str
    lat: float | None
    lng: float | None
    due_response_at: dt.datetime | None
    due_resolution_at: dt.datetime | None
    responded_at: dt.datetime | None
    resolved_at: dt.datetime | None
    escalation_level: int
    duplicate_of: int | None = Field(None, alias="duplicate_of_id")
    claimed_by: int | None = Field(None, alias="claimed_by_id")
    satisfaction: int | None
    created_at: dt.datetime
    version: int


class ConfirmedOut(Schema):
    """What the holder of an order number and its code learns: only the outcome."""

    number: str | None
    status: str
    satisfaction: int | None


class WorkOrderCreatedOut(WorkOrderOut):
    call_120: bool = False


class EventOut(Schema):
    id: int
    at: dt.datetime
    kind: str
    actor: str = Field("", alias="actor_label")
    from_status: str
    to_status: str
    from_unit: int | None = Field(None, alias="from_unit_id")
    unit: int | None = Field(None, alias="unit_id")
    note: str
    data: dict[str, Any]


class StopOut(Schema):
    seq: int
    label: str
    address: str
    lat: float | None
    lng: float | None
    state: str
    done_at: dt.datetime | None
    note: str


class CategoryOut(Schema):
    code: str
    name: str
    name_en: str
    default_priority: int
    response_minutes: int
    resolution_minutes: int
    location_required: bool
    fields: list[dict[str, Any]]


class VersionIn(InSchema):
    expected_version: int | None = Field(None, ge=1)


class NoteIn(VersionIn):
    note: Text = ""


class ReasonIn(VersionIn):
    reason: Annotated[str, bounded(2000, min_length=2), SAFE]


class DispatchIn(NoteIn):
    unit: Id | None = None


class TransferIn(ReasonIn):
    unit: Id


class CloseIn(InSchema):
    satisfaction: int | None = Field(None, ge=1, le=5)
    note: Text = ""


class ConfirmIn(InSchema):
    number: Annotated[str, bounded(20, min_length=1), SAFE]
    code: Annotated[str, bounded(12, min_length=1), SAFE]
    satisfied: bool = True
    satisfaction: int | None = Field(None, ge=1, le=5)
    note: Text = ""


class HandoverIn(InSchema):
    to_user: Id | None = None
    note: Text = ""


class MergeIn(InSchema):
    into: Id
    note: Text = ""


class MetricsOut(Schema):
    key: Any
    total: int
    response_rate: float | None
    on_time_resolution_rate: float | None
    satisfaction: float | None


def order_out(order: WorkOrder, *, call_120: bool = False) -> dict[str, Any]:
    values = _attributes(WorkOrderCreatedOut, order)
    values["call_120"] = call_120
    return WorkOrderCreatedOut.model_validate(values).model_dump(mode="json")


_ALIAS_PATHS: dict[type[Schema], list[tuple[str, list[str]]]] = {}


def _attributes(schema: type[Schema], obj: Any) -> dict[str, Any]:
    """The values ``schema`` reads from ``obj``, by each field's (dotted) alias: what
    ``from_orm`` does, without its template-variable lookups (intake answers with this on
    every create)."""
    paths = _ALIAS_PATHS.get(schema)
    if paths is None:
        paths = _ALIAS_PATHS[schema] = [
            (field.alias or name, (field.alias or name).split("."))
            for name, field in schema.model_fields.items()
        ]
    values: dict[str, Any] = {}
    for alias, parts in paths:
        value = obj
        for part in parts:
            value = getattr(value, part, None)
            if value is None:
                break
        if value is not None or hasattr(obj, parts[0]):
            values[alias] = value
    return values


def events_out(events: list[WorkOrderEvent]) -> list[dict[str, Any]]:
    return [EventOut.from_orm(e).model_dump(mode="json") for e in events]
