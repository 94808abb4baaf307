"""The command API's schemas (names start with "Command", unique across the apps)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from lifeline.api.schemas import SAFE, Id, InSchema, bounded


class CommandAreaOut(Schema):
    id: int
    code: str
    level: str
    title: str


class CommandFigureOut(Schema):
    key: str
    label: str
    unit: str
    higher_is_better: bool | None
    ratio: bool
    value: float | None = Field(description="Percent for ratios, else a count.")
    yesterday: float | None
    delta: float | None


class CommandFiguresOut(Schema):
    area: CommandAreaOut
    day: dt.date
    yesterday: dt.date
    figures: list[CommandFigureOut]


class CommandChildOut(Schema):
    area: CommandAreaOut
    value: float | None


class CommandChildrenOut(Schema):
    figure: str
    day: dt.date
    children: list[CommandChildOut]


class CommandPointOut(Schema):
    day: dt.date
    value: float | None


class CommandSeriesOut(Schema):
    figure: str
    points: list[CommandPointOut]


class CommandDayFilter(Schema):
    day: dt.date | None = None


class CommandFigureFilter(Schema):
    day: dt.date | None = None
    figure: str = Field("workorders.open", max_length=64)


class CommandAlertFilter(Schema):
    area_id: int | None = None
    open: bool = True


class CommandAlertOut(Schema):
    id: int
    rule_id: int
    figure: str
    area_path: str
    place: str
    day: dt.date
    value: float
    raised_at: dt.datetime
    acknowledged_at: dt.datetime | None


class CommandRuleFilter(Schema):
    area_id: int | None = None


class CommandRuleIn(InSchema):
    area_id: int
    figure: str = Field(max_length=64)
    level: Literal["city", "district", "street", "community", "grid"]
    comparison: Literal["below", "above"]
    threshold: Decimal = Field(ge=0, le=10**9, max_digits=14, decimal_places=2)
    unit_id: int


class CommandRuleOut(Schema):
    id: int
    area_path: str
    figure: str
    level: str
    comparison: str
    threshold: float
    unit_id: int
    active: bool


class CommandReportFilter(Schema):
    area_id: int | None = None
    day: dt.date | None = None


class CommandReportIn(InSchema):
    area_id: Id
    day: dt.date


class CommandReportRowOut(Schema):
    id: int
    area_id: int
    area_path: str
    title: str
    day: dt.date
    status: str
    content_hash: str
    taken_at: dt.datetime
    signer_name: str
    signed_at: dt.datetime | None


class CommandReportOut(CommandReportRowOut):
    version: int
    cutoff: dt.datetime
    verified: bool = Field(description="The stored content still hashes to content_hash.")
    content: dict[str, Any] = Field(
        description="The frozen snapshot and the narrative; content_hash is the SHA-256 of "
        "its canonical JSON (sorted keys, no spaces, UTF-8)."
    )


class CommandSectionsIn(InSchema):
    methods: Annotated[str, bounded(4000), SAFE] | None = None
    problems: Annotated[str, bounded(4000), SAFE] | None = None
    plan: Annotated[str, bounded(4000), SAFE] | None = None
    expected_version: int | None = Field(None, ge=1, le=2**31)


class CommandSignIn(InSchema):
    expected_hash: Annotated[str, bounded(64), SAFE] = ""


class CommandMeetingFilter(Schema):
    area_id: int | None = None
    day: dt.date | None = None


class CommandMeetingIn(InSchema):
    area_id: Id
    day: dt.date
    attendees: Annotated[str, bounded(4000), SAFE] = ""
    notes: Annotated[str, bounded(4000), SAFE] = ""


class CommandActionIn(InSchema):
    text: Annotated[str, bounded(500, min_length=1), SAFE]
    owner_id: Id
    due_at: dt.datetime


class CommandActionOut(Schema):
    id: int
    text: str
    owner_id: int
    owner: str
    due_at: dt.datetime
    work_order_id: int
    work_order_number: str
    status: str = Field(description="The work order's status now; empty when out of sight.")


class CommandMeetingOut(Schema):
    id: int
    area_id: int
    area_path: str
    title: str
    day: dt.date
    attendees: str
    notes: str
    actions: list[CommandActionOut]
