"""Continuity rows of the scope matrix (run by ``tests/test_scope_matrix.py``), and the
world the idempotent-create examples share.

The power plant's duty desk and the water plant's: each unit (its figures, staff reports
and problems) is reached by its own desk only. The water plant's objects are refused to
the power desk, to grid workers (who hold no continuity permission) and to a user with no
membership; the water desk reaches them. The command centre sees both."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from lifeline.continuity.models import (
    CriticalRole,
    Figure,
    FigureKind,
    FigureReport,
    LifelineUnit,
    Problem,
    StaffReport,
)
from lifeline.continuity.services import figure_create, problem_open
from lifeline.continuity.tests.helpers import Plants, make_plants
from lifeline.core.models import AuditRecord
from lifeline.testing.factories import SmallCity
from lifeline.testing.scope_matrix import Case, World, base_personas

API = "/api/v1/continuity"


@dataclass
class ContinuityWorld(World):
    plants: Plants
    power_desk: Any
    water_desk: Any
    water: LifelineUnit
    water_figure: Figure
    operators: CriticalRole

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
            Problem.objects.count(),
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
    for unit, title in ((plants.power, "电煤运输受阻"), (plants.water, "滤料不足")):
        problem_open(actor=plants.command, lifeline_unit=unit, title=title, guidance="协调")
    return ContinuityWorld(
        **base_personas(city),
        plants=plants,
        power_desk=plants.power_desk,
        water_desk=plants.water_desk,
        water=plants.water,
        water_figure=water_figure,
        operators=plants.operators,
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
