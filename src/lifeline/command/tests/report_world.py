"""Daily reports and review meetings in the scope matrix's world: grid A and grid B lie in
district A (天元区); a second district B (荷塘区) holds the objects the matrix aims at.
District A's officer sees district A's report and meeting, never district B's; district
B's officer and the city's command staff reach them. Also the walk's parameters for the
PII scan of every GET endpoint."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from lifeline.accounts.models import Role, User
from lifeline.command.models import DailyReport, ReviewMeeting
from lifeline.command.services import (
    meeting_create,
    report_generate,
    review_action_add,
)
from lifeline.core import clock
from lifeline.registry.models import Area, AreaLevel, Unit
from lifeline.testing.factories import SmallCity, make_area, make_user


@dataclass
class ReportParts:
    district_a: User
    district_b: User
    area_b: Area
    bureau_b: Unit
    report_a: DailyReport
    report_b: DailyReport
    meeting_a: ReviewMeeting
    meeting_b: ReviewMeeting


def _bureau(code: str, name: str, area: Area) -> Unit:
    unit = Unit.objects.create(code=code, name=name, kind=Unit.Kind.DISTRICT_BUREAU)
    unit.areas.set([area])
    return unit


def make_report_parts(city: SmallCity) -> ReportParts:
    """Yesterday's draft report and meeting (with one action) of district A and B."""
    area_b = make_area(parent=city.city, level=AreaLevel.DISTRICT, code="430202", name="荷塘区")
    bureau_a = _bureau("U-TY", "天元区防控办", city.district)
    bureau_b = _bureau("U-HT", "荷塘区防控办", area_b)
    district_a = make_user("matrix_district_a", role=Role.DISTRICT_STAFF, area=city.district)
    district_b = make_user("matrix_district_b", role=Role.DISTRICT_STAFF, area=area_b)
    yesterday = clock.today() - dt.timedelta(days=1)
    due = clock.now() + dt.timedelta(days=1)
    made: dict[str, Any] = {}
    for name, user, area, unit in (
        ("a", district_a, city.district, bureau_a),
        ("b", district_b, area_b, bureau_b),
    ):
        made[f"report_{name}"] = report_generate(actor=user, area=area, day=yesterday)
        meeting = meeting_create(actor=user, area=area, day=yesterday, attendees="各街道")
        review_action_add(
            actor=user, meeting=meeting, text="加开采样点", owner_id=unit.pk, due_at=due
        )
        made[f"meeting_{name}"] = meeting
    return ReportParts(
        district_a=district_a, district_b=district_b, area_b=area_b, bureau_b=bureau_b, **made
    )


def report_walk_params(city: SmallCity) -> dict[str, Any]:
    """``report_id`` and ``meeting_id`` for the walk of every GET endpoint."""
    parts = make_report_parts(city)
    return {"report_id": parts.report_a.pk, "meeting_id": parts.meeting_a.pk}
