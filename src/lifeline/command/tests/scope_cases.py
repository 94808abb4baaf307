"""Command rows of the scope matrix (run by ``tests/test_scope_matrix.py``), and the
world the command API tests and idempotent-create examples share.

Grid workers see the dashboard of their own grid (COMMAND_VIEW) but set no rules and
acknowledge nothing (COMMAND_ALERTS is district and command staff's); the command staff
of the city reach everything. Grid B holds an alert rule and an alert; so does grid A,
for grid A's worker's own lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from lifeline.accounts.models import Role, User
from lifeline.command.models import Alert, AlertRule
from lifeline.command.services import alert_rule_create, figures_refresh
from lifeline.core import clock
from lifeline.core.models import AuditRecord
from lifeline.testing.factories import SmallCity, make_user
from lifeline.testing.scope_matrix import Case, World, base_personas

API = "/api/v1/command"


@dataclass
class CommandWorld(World):
    command: User
    rule_a: AlertRule
    rule_b: AlertRule
    alert_a: Alert
    alert_b: Alert

    denied: ClassVar[tuple[str, ...]] = ("worker_a", "outsider")
    controls: ClassVar[tuple[str, ...]] = ("worker_b", "command")
    viewers: ClassVar[tuple[str, ...]] = ("worker_a",)

    def snapshot(self) -> Any:
        alerts = Alert.objects.order_by("pk").values_list("pk", "acknowledged_at")
        rules = AlertRule.objects.order_by("pk").values_list("pk", "active")
        return list(alerts), list(rules), AuditRecord.objects.count()


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
    return CommandWorld(
        **base_personas(city),
        command=command,
        rule_a=rule_a,
        rule_b=rule_b,
        alert_a=_alert(rule_a, city.grid_a.path),
        alert_b=_alert(rule_b, city.grid_b.path),
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
