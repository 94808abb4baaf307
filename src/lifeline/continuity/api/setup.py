"""The continuity API's set-up, for the command centre (``continuity.manage`` over the
unit's area): a registry unit made a lifeline unit, its figures, thresholds and critical
roles (each create with an Idempotency-Key), and a problem's owner, guidance and
resolution. Views only translate: selectors read, services write."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from lifeline.accounts.permissions import Perm
from lifeline.api.auth import AuthedRequest
from lifeline.api.creates import IdempotencyKey, create_once
from lifeline.api.schemas import ERRORS, SAFE, Id, InSchema, bounded
from lifeline.continuity import selectors, services
from lifeline.continuity.models import Figure
from lifeline.core.errors import ServiceError
from lifeline.registry.tree import area_get

router = Router(tags=["continuity"])

Sectors = Literal["power", "water", "gas", "telecom", "hospital", "plant"]
Kinds = Literal["stock", "use", "output", "other"]
Measures = Literal["value", "days_of_cover"]


class LifelineUnitIn(InSchema):
    unit_id: Id  # a registry unit of the caller's area, not yet a lifeline unit
    area_id: Id  # the area it supplies
    sector: Sectors
    note: Annotated[str, bounded(300), SAFE] = ""


class LifelineUnitMadeOut(Schema):
    id: int
    unit_id: int
    name: str
    sector: str
    area_path: str


class ContinuityFigureIn(InSchema):
    name: Annotated[str, bounded(60), SAFE]
    unit_label: Annotated[str, bounded(20), SAFE] = ""
    kind: Kinds
    use_id: Id | None = None  # a reserve's daily use (a figure of kind "use" of the unit)
    every_hours: int = Field(24, ge=-(2**31), le=2**31)


class ContinuityFigureMadeOut(Schema):
    id: int
    unit_id: int
    name: str
    unit_label: str
    kind: str
    use_id: int | None
    every_hours: int


class ContinuityThresholdIn(InSchema):
    figure_id: Id
    measure: Measures
    below: float = Field(ge=-1e15, le=1e15)
    title: Annotated[str, bounded(150), SAFE]
    guidance: Annotated[str, bounded(2000), SAFE] = ""
    owner: Annotated[str, bounded(100), SAFE] = ""


class ContinuityThresholdOut(Schema):
    id: int
    figure_id: int
    measure: str
    below: Decimal
    title: str
    guidance: str
    owner: str


class ContinuityRoleIn(InSchema):
    name: Annotated[str, bounded(60), SAFE]
    minimum: int = Field(ge=-(2**31), le=2**31)
    guidance: Annotated[str, bounded(2000), SAFE] = ""


class ContinuityRoleMadeOut(Schema):
    id: int
    unit_id: int
    name: str
    minimum: int
    guidance: str


def _refuse(field: str, message: str) -> ServiceError:
    return ServiceError(message, fields={field: [message]})


# Registered on the parent router beside ``GET /units``: one path lives in one router.
def units_create(request: AuthedRequest, payload: LifelineUnitIn, key: IdempotencyKey) -> Any:
    """Make a registry unit of the caller's area a lifeline unit supplying ``area_id``."""
    actor = request.auth

    def make() -> dict[str, Any]:
        area = area_get(actor=actor, pk=payload.area_id, perm=Perm.CONTINUITY_MANAGE)
        unit = selectors.unit_choices(actor=actor).filter(pk=payload.unit_id).first()
        if unit is None:
            raise _refuse("unit_id", _("Choose a unit of your area that is not set up yet."))
        made = services.lifeline_unit_create(
            actor=actor, unit=unit, area=area, sector=payload.sector, note=payload.note
        )
        return {
            "id": made.pk,
            "unit_id": unit.pk,
            "name": unit.name,
            "sector": made.sector,
            "area_path": made.area_path,
        }

    return create_once(request, key=key, payload=payload, make=make, out=LifelineUnitMadeOut)


def _use_of(unit: Any, use_id: int | None) -> Figure | None:
    if use_id is None:
        return None
    found = unit.figures.filter(pk=use_id).first()
    if found is None:
        raise _refuse("use_id", _("Choose a daily use of the same unit."))
    return found  # type: ignore[no-any-return]


@router.post("/units/{int:unit_id}/figures", response={201: ContinuityFigureMadeOut, **ERRORS})
def units_figure_create(
    request: AuthedRequest, unit_id: Id, payload: ContinuityFigureIn, key: IdempotencyKey
) -> Any:
    """A figure the unit reports every ``every_hours``; a reserve may name its daily use."""
    actor = request.auth

    def make() -> dict[str, Any]:
        unit = selectors.lifeline_unit_get(actor=actor, unit_id=unit_id)
        figure = services.figure_create(
            actor=actor,
            lifeline_unit=unit,
            name=payload.name,
            kind=payload.kind,
            unit_label=payload.unit_label,
            every_hours=payload.every_hours,
            use=_use_of(unit, payload.use_id),
        )
        return {
            "id": figure.pk,
            "unit_id": unit.pk,
            "name": figure.name,
            "unit_label": figure.unit_label,
            "kind": figure.kind,
            "use_id": figure.use_id,
            "every_hours": figure.every_hours,
        }

    return create_once(request, key=key, payload=payload, make=make, out=ContinuityFigureMadeOut)


@router.post("/units/{int:unit_id}/thresholds", response={201: ContinuityThresholdOut, **ERRORS})
def units_threshold_create(
    request: AuthedRequest, unit_id: Id, payload: ContinuityThresholdIn, key: IdempotencyKey
) -> Any:
    """Below ``below`` (the figure's value, or its days of cover) opens a problem with
    this title, guidance and owner."""
    actor = request.auth

    def make() -> dict[str, Any]:
        unit = selectors.lifeline_unit_get(actor=actor, unit_id=unit_id)
        figure = unit.figures.filter(pk=payload.figure_id).first()
        if figure is None:
            raise _refuse("figure_id", _("Choose a figure of this unit."))
        made = services.threshold_create(
            actor=actor,
            figure=figure,
            measure=payload.measure,
            below=payload.below,
            title=payload.title,
            guidance=payload.guidance,
            owner=payload.owner,
        )
        return {
            "id": made.pk,
            "figure_id": figure.pk,
            "measure": made.measure,
            "below": made.below,
            "title": made.title,
            "guidance": made.guidance,
            "owner": made.owner,
        }

    return create_once(request, key=key, payload=payload, make=make, out=ContinuityThresholdOut)


@router.post("/units/{int:unit_id}/roles", response={201: ContinuityRoleMadeOut, **ERRORS})
def units_role_create(
    request: AuthedRequest, unit_id: Id, payload: ContinuityRoleIn, key: IdempotencyKey
) -> Any:
    """A role the unit cannot run without; fewer than ``minimum`` on site opens a problem."""
    actor = request.auth

    def make() -> dict[str, Any]:
        unit = selectors.lifeline_unit_get(actor=actor, unit_id=unit_id)
        role = services.critical_role_create(
            actor=actor,
            lifeline_unit=unit,
            name=payload.name,
            minimum=payload.minimum,
            guidance=payload.guidance,
        )
        return {
            "id": role.pk,
            "unit_id": unit.pk,
            "name": role.name,
            "minimum": role.minimum,
            "guidance": role.guidance,
        }

    return create_once(request, key=key, payload=payload, make=make, out=ContinuityRoleMadeOut)
