"""Continuity's creates for ``tests/test_api_idempotent_creates.py``."""

from __future__ import annotations

from lifeline.continuity.models import FigureReport, StaffReport
from lifeline.continuity.tests.scope_cases import ContinuityWorld, make_continuity_world
from lifeline.testing.idempotent import Body, Example

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
}
