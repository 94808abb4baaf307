"""Command rows of the scope matrix (run by ``tests/test_scope_matrix.py``), and the
world the command API tests and idempotent-create examples share.

Grid workers see the dashboard of their own grid (COMMAND_VIEW) but set no rules and
acknowledge nothing (COMMAND_ALERTS is district and command staff's); the command staff
of the city reach everything. Grid B holds an alert rule and an alert; so does grid A,
for grid A's worker's own lists.

Daily reports and review meetings are kept for the city and its districts: their rows
aim at a second district B (``report_world``), refused to district A's officer and to
the grid workers, reached by district B's officer and the command staff.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from lifeline.accounts.models import Role, User
from lifeline.command.models import Alert, AlertRule, DailyReport, ReviewAction, ReviewMeeting
from lifeline.command.services import alert_rule_create, figures_refresh
from lifeline.command.tests.report_world import ReportParts, make_report_parts
from lifeline.core import clock
from lifeline.core.models import AuditRecord
from lifeline.testing.factories import SmallCity, make_user
from lifeline.testing.scope_matrix import Case, World, base_personas, row_path

API = "/api/v1/command"


@dataclass
class CommandWorld(World):
    command: User
    rule_a: AlertRule
    rule_b: AlertRule
    alert_a: Alert
    alert_b: Alert
    reports: ReportParts

    denied: ClassVar[tuple[str, ...]] = ("worker_a", "outsider")
    controls: ClassVar[tuple[str, ...]] = ("worker_b", "command")
    viewers: ClassVar[tuple[str, ...]] = ("worker_a",)

    @property
    def district_a(self) -> User:
        return self.reports.district_a

    @property
    def district_b(self) -> User:
        return self.reports.district_b

    def may_see(self, viewer: str, row: dict[str, Any]) -> bool:
        if viewer == "district_a":
            return row_path(row).startswith(self.city.district.path)
        return super().may_see(viewer, row)

    def snapshot(self) -> Any:
        alerts = Alert.objects.order_by("pk").values_list("pk", "acknowledged_at")
        rules = AlertRule.objects.order_by("pk").values_list("pk", "active")
        reports = DailyReport.objects.order_by("pk").values_list("pk", "content_hash", "status")
        meetings = ReviewMeeting.objects.order_by("pk").values_list("pk", "attendees", "notes")
        return (
            list(alerts),
            list(rules),
            list(reports),
            list(meetings),
            ReviewAction.objects.count(),
            AuditRecord.objects.count(),
        )


def _alert(rule: AlertRule, path: str) -> Alert:
    return Alert.objects.create(
        rule=rule, area_path=path, day=clock.today(), value=3, raised_at=clock.now()
    )


def make_command_world(city: SmallCity) -> CommandWorld:
    command = make_user("matrix_command", role=Role.COMMAND_STAFF, area=city.city)
    committee = city.units["committee"]
    committee.phone = "13900030001"
    committee.save(update_fields=["phone"])

    def rule(grid: Any) -> AlertRule:
        return alert_rule_create(
            actor=command,
            area=grid,
            key="workorders.open",
            level="grid",
            comparison="above",
            threshold=5,
            unit_id=committee.pk,
        )

    figures_refresh(day=clock.today())
    rule_a, rule_b = rule(city.grid_a), rule(city.grid_b)
    reports = make_report_parts(city)
    return CommandWorld(
        **base_personas(city),
        command=command,
        rule_a=rule_a,
        rule_b=rule_b,
        alert_a=_alert(rule_a, city.grid_a.path),
        alert_b=_alert(rule_b, city.grid_b.path),
        reports=reports,
    )


def _grid_b(w: CommandWorld) -> dict[str, Any]:
    return {"area_id": w.grid_b.pk}


def rule_body(w: CommandWorld) -> dict[str, Any]:
    return {
        "area_id": w.grid_b.pk,
        "figure": "workorders.overdue",
        "level": "grid",
        "comparison": "above",
        "threshold": "2",
        "unit_id": w.city.units["committee"].pk,
    }


def _area_b(w: CommandWorld) -> dict[str, Any]:
    return {"area_id": w.grid_b.pk}


COMMAND_CASES = [
    Case("get", f"{API}/areas/{{area_id}}/figures", "object", _area_b),
    Case("get", f"{API}/areas/{{area_id}}/children", "object", _area_b),
    Case("get", f"{API}/areas/{{area_id}}/series", "object", _area_b),
    Case("get", f"{API}/alerts", "list", foreign=(_grid_b,)),
    Case(
        "post",
        f"{API}/alerts/{{alert_id}}/acknowledge",
        "object",
        lambda w: {"alert_id": w.alert_b.pk},
        denied=("worker_a", "outsider", "worker_b"),
        controls=("command",),
    ),
    Case("get", f"{API}/rules", "list", foreign=(_grid_b,)),
    Case(
        "post",
        f"{API}/rules",
        "create",
        label="grid B",
        created=AlertRule,
        body=rule_body,
        denied=("worker_a", "outsider", "worker_b"),
        controls=("command",),
    ),
]


# Daily reports and review meetings: district B's, out of district A's reach.
DISTRICT_DENIED = ("worker_a", "worker_b", "outsider", "district_a")
DISTRICT_CONTROLS = ("district_b", "command")


def _district_b(w: CommandWorld) -> dict[str, Any]:
    return {"area_id": w.reports.area_b.pk}


def _report_b(w: CommandWorld) -> dict[str, Any]:
    return {"report_id": w.reports.report_b.pk}


def _meeting_b(w: CommandWorld) -> dict[str, Any]:
    return {"meeting_id": w.reports.meeting_b.pk}


def report_body(w: CommandWorld) -> dict[str, Any]:
    return {"area_id": w.reports.area_b.pk, "day": str(clock.today() - dt.timedelta(days=2))}


def meeting_body(w: CommandWorld) -> dict[str, Any]:
    return {**report_body(w), "attendees": "区指挥部", "notes": "复盘"}


def action_body(w: CommandWorld) -> dict[str, Any]:
    due = clock.now() + dt.timedelta(days=2)
    return {"text": "协调配送车辆", "owner_id": w.reports.bureau_b.pk, "due_at": due.isoformat()}


def _district(case: Case) -> Case:
    return replace(case, denied=DISTRICT_DENIED, controls=DISTRICT_CONTROLS)


REPORT_CASES = [
    Case(
        "get",
        f"{API}/reports",
        "list",
        foreign=(_district_b,),
        viewers=("district_a",),
        controls=DISTRICT_CONTROLS,
    ),
    _district(Case("get", f"{API}/reports/{{report_id}}", "object", _report_b)),
    _district(
        Case(
            "post",
            f"{API}/reports",
            "create",
            label="district B",
            created=DailyReport,
            body=report_body,
        )
    ),
    _district(
        Case(
            "post",
            f"{API}/reports/{{report_id}}/sections",
            "object",
            _report_b,
            body=lambda w: {"plan": "明日复核"},
        )
    ),
    _district(Case("post", f"{API}/reports/{{report_id}}/sign", "object", _report_b)),
    Case(
        "get",
        f"{API}/meetings",
        "list",
        foreign=(_district_b,),
        viewers=("district_a",),
        controls=DISTRICT_CONTROLS,
    ),
    _district(Case("get", f"{API}/meetings/{{meeting_id}}", "object", _meeting_b)),
    _district(
        Case(
            "post",
            f"{API}/meetings",
            "create",
            label="district B",
            created=ReviewMeeting,
            body=meeting_body,
        )
    ),
    _district(
        Case(
            "post",
            f"{API}/meetings/{{meeting_id}}/actions",
            "create",
            _meeting_b,
            label="district B",
            created=ReviewAction,
            body=action_body,
        )
    ),
]
COMMAND_CASES += REPORT_CASES
