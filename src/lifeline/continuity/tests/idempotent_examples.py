"""Continuity's creates for ``tests/test_api_idempotent_creates.py``."""

from __future__ import annotations

from lifeline.continuity.models import (
    CriticalRole,
    Figure,
    FigureReport,
    LifelineUnit,
    StaffReport,
    Threshold,
)
from lifeline.continuity.tests.scope_cases import ContinuityWorld, make_continuity_world
from lifeline.testing.idempotent import Body, Example, text

API = "/api/v1/continuity"


def _more(field: str) -> object:
    def vary(body: Body) -> Body:
        return {**body, field: body[field] + 1}

    return vary


def _water(w: ContinuityWorld) -> dict[str, int]:
    return {"unit_id": w.water.pk}


EXAMPLES: dict[str, Example] = {
    f"POST {API}/units/{{unit_id}}/reports": Example(
        make_continuity_world,
        "water_desk",
        FigureReport,
        lambda w: {"figure_id": w.water_figure.pk, "value": 152000},
        vary=_more("value"),  # type: ignore[arg-type]
        path_params=_water,
    ),
    f"POST {API}/units/{{unit_id}}/staff": Example(
        make_continuity_world,
        "water_desk",
        StaffReport,
        lambda w: {"role_id": w.operators.pk, "on_site": 64},
        vary=_more("on_site"),  # type: ignore[arg-type]
        path_params=_water,
    ),
    f"POST {API}/units": Example(
        make_continuity_world,
        "command",
        LifelineUnit,
        lambda w: {
            "unit_id": w.spare.pk,
            "area_id": w.city.city.pk,
            "sector": "gas",
            "note": "管道燃气",
        },
        vary=text("note"),
    ),
    f"POST {API}/units/{{unit_id}}/figures": Example(
        make_continuity_world,
        "command",
        Figure,
        lambda w: {"name": "清水池水位", "unit_label": "m", "kind": "other"},
        vary=text("name"),
        path_params=_water,
    ),
    f"POST {API}/units/{{unit_id}}/thresholds": Example(
        make_continuity_world,
        "command",
        Threshold,
        lambda w: {
            "figure_id": w.water_figure.pk,
            "measure": "value",
            "below": 100000,
            "title": "日供水量不足",
        },
        vary=text("title"),
        path_params=_water,
    ),
    f"POST {API}/units/{{unit_id}}/roles": Example(
        make_continuity_world,
        "command",
        CriticalRole,
        lambda w: {"name": "化验员", "minimum": 4},
        vary=text("name"),
        path_params=_water,
    ),
}
