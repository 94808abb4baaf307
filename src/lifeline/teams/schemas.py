"""Field-team API shapes: one in and one out per operation. Times of day are local
(``HH:MM``); moments are ISO 8601 with the offset."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import AfterValidator

from lifeline.api.schemas import SAFE, Id, InSchema, bounded

Note = Annotated[str, bounded(500), SAFE]
SkillName = Annotated[str, bounded(16), SAFE]
Km = float | None
# A local time of day, "HH:MM" (JSON Schema's "time" format would demand an offset).
ClockTime = Annotated[str, Field(pattern=r"^\d{2}:\d{2}$")]


def _local(value: dt.time) -> dt.time:
    if value.tzinfo is not None:
        raise ValueError("a local time of day, without an offset")
    return value


# A time of day as sent: local, so no offset.
LocalTime = Annotated[dt.time, AfterValidator(_local)]


# In ------------------------------------------------------------------------------------


class TeamIn(InSchema):
    unit_id: Id
    name: Annotated[str, bounded(100, min_length=1), SAFE]
    area_ids: list[Id] = Field(..., min_length=1, max_length=200)
    helps_neighbours: bool = False


class VehicleIn(InSchema):
    name: Annotated[str, bounded(40, min_length=1), SAFE]
    depot_lat: float = Field(..., ge=-90, le=90)
    depot_lng: float = Field(..., ge=-180, le=180)
    capacity: int = Field(60, ge=1, le=100_000)
    shift_start: LocalTime = dt.time(8, 0)
    shift_end: LocalTime = dt.time(18, 0)
    cost_per_km: float = Field(1.0, ge=0, le=99_999)
    skills: list[SkillName] = Field(default_factory=list, max_length=10)
    serves: list[Id] = Field(default_factory=list, max_length=100)


class PlanIn(InSchema):
    team_id: Id | None = None
    unit_id: Id | None = None
    day: dt.date
    time_limit: float = Field(10.0, ge=0.1, le=60)
    help_neighbours: bool = False


class PlanVersionIn(InSchema):
    expected_version: int = Field(..., ge=1, le=2**31 - 1)


class UrgentIn(PlanVersionIn):
    kind: Literal["work_order", "delivery", "recheck", "home_sampling"]
    ref_id: Id


class MoveIn(PlanVersionIn):
    vehicle_id: Id
    position: int = Field(..., ge=1, le=100_000)


class ArriveIn(InSchema):
    km: Km = Field(None, ge=0, le=5000)
    note: Note = ""


class CompleteIn(ArriveIn):
    outcome: Literal["done", "nobody_home", "refused", "other"] = "done"


class AppointmentIn(InSchema):
    work_order_id: Id
    day: dt.date
    start: LocalTime
    end: LocalTime


class DeliveryIn(InSchema):
    household_id: Id
    unit_id: Id
    day: dt.date
    what: Annotated[str, bounded(100, min_length=1), SAFE]
    start: LocalTime = dt.time(8, 0)
    end: LocalTime = dt.time(20, 0)
    size: int = Field(1, ge=1, le=1000)
    skill: Literal["", "gas_topup", "sampling", "medicine", "meals", "heavy_goods"] = ""


class PlanFilter(Schema):
    day: dt.date | None = None
    team_id: Id | None = None


# Out -----------------------------------------------------------------------------------


class AreaRef(Schema):
    id: int
    name: str
    path: str


class VehicleOut(Schema):
    id: int
    team_id: int
    name: str
    capacity: int
    depot_lat: float
    depot_lng: float
    shift_start: ClockTime
    shift_end: ClockTime
    cost_per_km: float
    skills: list[str]
    serves: list[int]
    active: bool


class MemberOut(Schema):
    id: int
    user_id: int
    name: str
    vehicle_id: int | None
    skills: list[str]


class ShiftOut(Schema):
    weekday: int | None
    date: dt.date | None
    start: ClockTime
    end: ClockTime


class TeamOut(Schema):
    id: int
    name: str
    unit_id: int
    unit_name: str
    area_path: str
    helps_neighbours: bool
    active: bool


class TeamDetailOut(TeamOut):
    areas: list[AreaRef]
    vehicles: list[VehicleOut]
    members: list[MemberOut]
    shifts: list[ShiftOut]


class VisitOut(Schema):
    kind: str
    ref_id: int
    label: str
    address: str
    area_path: str
    lat: float
    lng: float
    window_from: dt.datetime
    window_until: dt.datetime | None
    service_minutes: float
    skill: str
    size: int
    priority: int


class PlanStopOut(VisitOut):
    id: int
    seq: int
    vehicle_id: int
    eta: dt.datetime
    planned_km: float
    arrived_at: dt.datetime | None
    arrived_km: float | None
    completed_at: dt.datetime | None
    outcome: str
    note: str
    late: bool


class UnservedOut(VisitOut):
    id: int
    reason: str
    detail: str


class RouteOut(Schema):
    id: int
    vehicle_id: int
    vehicle_name: str
    capacity: int
    load: int
    km: float
    leaves_at: dt.datetime
    back_at: dt.datetime
    stops: list[PlanStopOut]


class PlanOut(Schema):
    id: int
    unit_id: int
    team_id: int | None
    area_path: str
    day: dt.date
    version: int
    status: str
    help_neighbours: bool
    visits: int
    baseline_km: float
    baseline_missed: int
    optimised_km: float
    optimised_missed: int
    km_saved: float
    missed_saved: int
    solver_seconds: float
    time_limit: float
    created_at: dt.datetime
    published_at: dt.datetime | None


class PlanDetailOut(PlanOut):
    km: float
    routes: list[RouteOut]
    unserved: list[UnservedOut]


class MyRouteOut(Schema):
    day: dt.date
    done: int
    total: int
    next_stop: PlanStopOut | None
    routes: list[RouteOut]


class AppointmentOut(Schema):
    id: int
    work_order_id: int
    area_path: str
    day: dt.date
    start: ClockTime
    end: ClockTime


class DeliveryOut(Schema):
    id: int
    household_id: int | None
    address: str
    unit_id: int
    area_path: str
    day: dt.date
    start: ClockTime
    end: ClockTime
    what: str
    size: int
    skill: str
    status: str
