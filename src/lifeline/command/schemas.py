"""The command API's schemas (names start with "Command", unique across the apps)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from lifeline.api.schemas import InSchema


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
