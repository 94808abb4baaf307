"""Continuity rows of the scope matrix (run by ``tests/test_scope_matrix.py``), and the
world the idempotent-create examples share.

The power plant's duty desk and the water plant's: each unit (its figures, staff reports
and problems) is reached by its own desk only. The water plant's objects are refused to
the power desk, to grid workers (who hold no continuity permission) and to a user with no
membership; the water desk reaches them. The command centre sees both.

Set-up (units, figures, thresholds, roles, problem edits) is the command centre's: the
city's command centre reaches the water plant; both duty desks, the grid workers, the
outsider and a command-centre member of grid A only (``remote_command``) are refused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from lifeline.accounts.models import Role
from lifeline.continuity.models import (
    CriticalRole,
    Figure,
    FigureKind,
    FigureReport,
    LifelineUnit,
    Problem,
    StaffReport,
    Threshold,
)
from lifeline.continuity.services import figure_create, problem_open
from lifeline.continuity.tests.helpers import Plants, make_plants
from lifeline.core.models import AuditRecord
from lifeline.registry.models import Unit
from lifeline.testing.factories import SmallCity, make_user
from lifeline.testing.scope_matrix import DENIED, Case, World, base_personas, call

API = "/api/v1/continuity"


@dataclass
class ContinuityWorld(World):
    plants: Plants
    power_desk: Any
    water_desk: Any
    water: LifelineUnit
    water_figure: Figure
    operators: CriticalRole
    command: Any
    remote_command: Any  # command-centre staff of grid A only
    spare: Unit  # a registry utility of the city, not yet a lifeline unit
    water_problem: Problem

    denied: ClassVar[tuple[str, ...]] = ("worker_a", "worker_b", "outsider", "power_desk")
    controls: ClassVar[tuple[str, ...]] = ("water_desk",)
    viewers: ClassVar[tuple[str, ...]] = ("power_desk",)

    def may_see(self, viewer: str, row: dict[str, Any]) -> bool:
        """The power desk sees rows of the power plant only."""
        unit_id = row.get("unit_id", row.get("id"))
        return bool(viewer == "power_desk" and unit_id == self.plants.power.pk)

    def snapshot(self) -> Any:
        return (
            list(FigureReport.objects.order_by("pk").values_list("pk", "value")),
            list(StaffReport.objects.order_by("pk").values_list("pk", "on_site")),
            list(Problem.objects.order_by("pk").values_list("pk", "owner", "guidance")),
            LifelineUnit.objects.count(),
            Figure.objects.count(),
            Threshold.objects.count(),
            CriticalRole.objects.count(),
            AuditRecord.objects.count(),
        )


def make_continuity_world(city: SmallCity) -> ContinuityWorld:
    plants = make_plants(city)
    water_figure = figure_create(
        actor=plants.command,
        lifeline_unit=plants.water,
        name="日供水量",
        kind=FigureKind.OUTPUT,
        unit_label="m³",
    )
    problems = [
        problem_open(actor=plants.command, lifeline_unit=unit, title=title, guidance="协调")
        for unit, title in ((plants.power, "电煤运输受阻"), (plants.water, "滤料不足"))
    ]
    spare = Unit.objects.create(code="GAS", name="株洲燃气公司", kind=Unit.Kind.UTILITY)
    spare.areas.set([city.city])
    remote = make_user("cont_remote", role=Role.COMMAND_STAFF, area=city.grid_a)
    return ContinuityWorld(
        **base_personas(city),
        plants=plants,
        power_desk=plants.power_desk,
        water_desk=plants.water_desk,
        water=plants.water,
        water_figure=water_figure,
        operators=plants.operators,
        command=plants.command,
        remote_command=remote,
        spare=spare,
        water_problem=problems[1],
    )


def _water(w: ContinuityWorld) -> dict[str, Any]:
    return {"unit_id": w.water.pk}


CONTINUITY_CASES = [
    Case("get", f"{API}/units", "list", foreign=(lambda w: {"sector": "water"},)),
    Case(
        "post",
        f"{API}/units/{{unit_id}}/reports",
        "create",
        _water,
        label="water plant",
        created=FigureReport,
        body=lambda w: {"figure_id": w.water_figure.pk, "value": 152000},
    ),
    Case(
        "post",
        f"{API}/units/{{unit_id}}/staff",
        "create",
        _water,
        label="water plant",
        created=StaffReport,
        body=lambda w: {"role_id": w.operators.pk, "on_site": 64},
    ),
    Case("get", f"{API}/problems", "list", foreign=(lambda w: {"unit_id": w.water.pk},)),
]


SET_UP_DENIED = ("worker_a", "worker_b", "outsider", "power_desk", "water_desk", "remote_command")


def _set_up(path: str, created: type[Any], body: Any, params: Any = _water) -> Case:
    return Case(
        "post",
        f"{API}{path}",
        "create",
        params,
        label="water plant",
        created=created,
        body=body,
        denied=SET_UP_DENIED,
        controls=("command",),
    )


def _check_problems_export(w: ContinuityWorld) -> None:
    """Each desk's file holds its own unit's problems; grid workers and the outsider get
    no file and leave no audit record."""
    case = PROBLEMS_EXPORT
    before = AuditRecord.objects.count()
    for name in ("worker_a", "worker_b", "outsider"):
        response = call(w.persona(name), case, w)
        assert response.status_code in DENIED, (name, response.content[:200])
        assert set(response.json()) == {"error"}
    assert AuditRecord.objects.count() == before, "a refused export was recorded"
    power = call(w.power_desk, case, w).content.decode("utf-8-sig")
    assert "电煤运输受阻" in power and "滤料不足" not in power
    water = call(w.water_desk, case, w).content.decode("utf-8-sig")
    assert "滤料不足" in water and "电煤运输受阻" not in water
    remote = call(w.remote_command, case, w).content.decode("utf-8-sig")
    assert remote.count("\n") == 1, remote  # the header only: no unit in grid A
    assert AuditRecord.objects.count() == before + 3


PROBLEMS_EXPORT = Case(
    "post",
    f"{API}/exports/problems",
    "custom",
    body=lambda w: {"format": "csv"},
    check=lambda w: _check_problems_export(w),
)

CONTINUITY_CASES += [
    _set_up(
        "/units",
        LifelineUnit,
        lambda w: {"unit_id": w.spare.pk, "area_id": w.city.city.pk, "sector": "gas"},
        params=lambda w: {},
    ),
    _set_up(
        "/units/{unit_id}/figures",
        Figure,
        lambda w: {"name": "清水池水位", "unit_label": "m", "kind": "other"},
    ),
    _set_up(
        "/units/{unit_id}/thresholds",
        Threshold,
        lambda w: {
            "figure_id": w.water_figure.pk,
            "measure": "value",
            "below": 100000,
            "title": "日供水量不足",
            "owner": "市水务局",
        },
    ),
    _set_up(
        "/units/{unit_id}/roles",
        CriticalRole,
        lambda w: {"name": "化验员", "minimum": 4, "guidance": "从二水厂借调"},
    ),
    Case(
        "patch",
        f"{API}/problems/{{problem_id}}",
        "object",
        lambda w: {"problem_id": w.water_problem.pk},
        body=lambda w: {"owner": "市水务局"},
        denied=SET_UP_DENIED,
        controls=("command",),
    ),
    PROBLEMS_EXPORT,
    Case(
        "post",
        f"{API}/units/{{unit_id}}/history/export",
        "object",
        _water,
        body=lambda w: {"format": "xlsx"},
    ),
]
