"""Command's creates for ``tests/test_api_idempotent_creates.py``."""

from __future__ import annotations

from typing import Any

from lifeline.command.models import AlertRule, DailyReport, ReviewAction, ReviewMeeting
from lifeline.command.tests.scope_cases import (
    action_body,
    make_command_world,
    meeting_body,
    rule_body,
)
from lifeline.testing.idempotent import Body, Example, text

API = "/api/v1/command"


def _other_threshold(body: Body) -> Body:
    return {**body, "threshold": "7"}


def _other_day(body: Body) -> Body:
    return {**body, "day": "2026-01-01"}


def _meeting_b(w: Any) -> dict[str, Any]:
    return {"meeting_id": w.reports.meeting_b.pk}


def _report_body(w: Any) -> Body:
    return {k: v for k, v in meeting_body(w).items() if k in ("area_id", "day")}


EXAMPLES: dict[str, Example] = {
    f"POST {API}/rules": Example(
        make_command_world, "command", AlertRule, rule_body, vary=_other_threshold
    ),
    f"POST {API}/reports": Example(
        make_command_world, "district_b", DailyReport, _report_body, vary=_other_day
    ),
    f"POST {API}/meetings": Example(
        make_command_world, "district_b", ReviewMeeting, meeting_body, vary=text("notes")
    ),
    f"POST {API}/meetings/{{meeting_id}}/actions": Example(
        make_command_world,
        "district_b",
        ReviewAction,
        action_body,
        vary=text("text"),
        path_params=_meeting_b,
    ),
}
