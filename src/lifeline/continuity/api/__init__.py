"""The continuity API, mounted at /api/v1/continuity: lifeline units with their latest
figures, reports of figures and staff on site (with an Idempotency-Key), the problem list.
Views only translate: selectors read, services write."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.db import transaction
from ninja import Query, Router, Schema
from pydantic import Field

from lifeline.api.auth import AuthedRequest
from lifeline.api.creates import IdempotencyKey, create_once
from lifeline.api.pagination import PageParams, page_of, paginate
from lifeline.api.schemas import ERRORS, SAFE, Id, InSchema, bounded
from lifeline.continuity import selectors, services
from lifeline.continuity.api import exports, setup
from lifeline.continuity.models import FigureReport, Problem, Sector, StaffReport

router = Router(tags=["continuity"])
router.post("/units", response={201: setup.LifelineUnitMadeOut, **ERRORS})(setup.units_create)
for _part in (setup, exports):
    router.add_router("", _part.router)


class FigureOut(Schema):
    id: int
    name: str
    unit_label: str
    kind: str
    every_hours: int
    value: Decimal | None
    reported_at: dt.datetime | None
    overdue: bool
    days_of_cover: Decimal | None


class RoleOut(Schema):
    id: int
    name: str
    minimum: int
    on_site: int | None
    short: bool


class LifelineUnitOut(Schema):
    id: int
    name: str
    sector: str
    sector_label: str
    area_path: str
    figures: list[FigureOut]
    roles: list[RoleOut]
    open_problems: int


class LifelineUnitFilter(Schema):
    sector: str | None = Field(None, max_length=12)


class FigureReportIn(InSchema):
    figure_id: Id
    value: float = Field(ge=-1e15, le=1e15)
    note: Annotated[str, bounded(200), SAFE] = ""


class FigureReportOut(Schema):
    id: int
    figure_id: int
    value: Decimal
    reported_at: dt.datetime
    late: bool
    open_problems: int


class StaffReportIn(InSchema):
    role_id: Id
    on_site: int = Field(ge=-(2**31), le=2**31)


class StaffReportOut(Schema):
    id: int
    role_id: int
    on_site: int
    reported_at: dt.datetime
    short: bool
    open_problems: int


class ProblemOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    title: str
    guidance: str
    owner: str
    work_order_id: int
    work_order_number: str
    status: str
    status_label: str
    due_at: dt.datetime | None
    escalated: bool
    open: bool
    opened_at: dt.datetime


class ProblemPatchIn(InSchema):
    owner: Annotated[str, bounded(100), SAFE] | None = None
    guidance: Annotated[str, bounded(2000), SAFE] | None = None
    # Given: the problem's work order is resolved with this note (what was done).
    resolve_note: Annotated[str, bounded(2000), SAFE] | None = None


class ProblemFilter(Schema):
    unit_id: int | None = Field(None, ge=1, le=2**31)
    open: bool = False


def _unit_out(line: selectors.UnitStatus) -> dict[str, Any]:
    unit = line.unit
    return {
        "id": unit.pk,
        "name": unit.unit.name,
        "sector": unit.sector,
        "sector_label": str(Sector(unit.sector).label),
        "area_path": unit.area_path,
        "figures": [
            {
                "id": f.figure.pk,
                "name": f.figure.name,
                "unit_label": f.figure.unit_label,
                "kind": f.figure.kind,
                "every_hours": f.figure.every_hours,
                "value": f.value,
                "reported_at": f.reported_at,
                "overdue": f.overdue,
                "days_of_cover": f.days_of_cover,
            }
            for f in line.figures
        ],
        "roles": [
            {
                "id": r.role.pk,
                "name": r.role.name,
                "minimum": r.role.minimum,
                "on_site": r.on_site,
                "short": r.short,
            }
            for r in line.roles
        ],
        "open_problems": line.open_problems,
    }


def problem_out(problem: Problem) -> dict[str, Any]:
    order = problem.work_order
    return {
        "id": problem.pk,
        "unit_id": problem.lifeline_unit_id,
        "unit_name": problem.lifeline_unit.unit.name,
        "title": problem.title,
        "guidance": problem.guidance,
        "owner": problem.owner,
        "work_order_id": order.pk,
        "work_order_number": order.number,
        "status": order.status,
        "status_label": str(order.get_status_display()),
        "due_at": order.due_resolution_at,
        "escalated": order.escalated_at is not None,
        "open": problem.is_open,
        "opened_at": problem.opened_at,
    }


def _open_count(actor: Any, unit: Any) -> int:
    return selectors.problem_list(actor=actor, lifeline_unit=unit, open_only=True).count()


@router.get("/units", response={200: page_of(LifelineUnitOut), **ERRORS})
def units_list(
    request: AuthedRequest, filters: Query[LifelineUnitFilter], page: Query[PageParams]
) -> Any:
    """The lifeline units the caller may see, with their latest figures, days of cover,
    staff on site against the minimum of each critical role, and open problems."""
    qs = selectors.lifeline_unit_list(actor=request.auth, sector=filters.sector or "")
    answer = paginate(qs.order_by("pk"), page)
    answer["items"] = [_unit_out(line) for line in selectors.unit_status(units=answer["items"])]
    return answer


@router.post("/units/{int:unit_id}/reports", response={201: FigureReportOut, **ERRORS})
def units_report_figure(
    request: AuthedRequest, unit_id: Id, payload: FigureReportIn, key: IdempotencyKey
) -> Any:
    """One value of one of the unit's figures, by the unit's duty desk. A breached
    threshold opens the command centre's problem (once while open)."""
    actor = request.auth

    def make() -> dict[str, Any]:
        unit = selectors.lifeline_unit_get(actor=actor, unit_id=unit_id)
        report: FigureReport = services.figure_report(
            actor=actor,
            lifeline_unit=unit,
            figure_id=payload.figure_id,
            value=payload.value,
            note=payload.note,
        )
        return {
            "id": report.pk,
            "figure_id": report.figure_id,
            "value": report.value,
            "reported_at": report.reported_at,
            "late": report.late,
            "open_problems": _open_count(actor, unit),
        }

    return create_once(request, key=key, payload=payload, make=make, out=FigureReportOut)


@router.post("/units/{int:unit_id}/staff", response={201: StaffReportOut, **ERRORS})
def units_report_staff(
    request: AuthedRequest, unit_id: Id, payload: StaffReportIn, key: IdempotencyKey
) -> Any:
    """How many of a critical role are on site; below the minimum opens a problem."""
    actor = request.auth

    def make() -> dict[str, Any]:
        unit = selectors.lifeline_unit_get(actor=actor, unit_id=unit_id)
        report: StaffReport = services.staff_report(
            actor=actor, lifeline_unit=unit, role_id=payload.role_id, on_site=payload.on_site
        )
        return {
            "id": report.pk,
            "role_id": report.role_id,
            "on_site": report.on_site,
            "reported_at": report.reported_at,
            "short": report.on_site < report.role.minimum,
            "open_problems": _open_count(actor, unit),
        }

    return create_once(request, key=key, payload=payload, make=make, out=StaffReportOut)


@router.get("/problems", response={200: page_of(ProblemOut), **ERRORS})
def problems_list(
    request: AuthedRequest, filters: Query[ProblemFilter], page: Query[PageParams]
) -> Any:
    """The problem list of the units the caller may see: guidance, owner, and the work
    order that is its clock (due date, status, escalated)."""
    unit = None
    if filters.unit_id is not None:
        unit = selectors.lifeline_unit_get(actor=request.auth, unit_id=filters.unit_id)
    qs = selectors.problem_list(actor=request.auth, lifeline_unit=unit, open_only=filters.open)
    answer = paginate(qs.order_by("-opened_at", "-pk"), page)
    answer["items"] = [problem_out(p) for p in answer["items"]]
    return answer


@router.patch("/problems/{int:problem_id}", response={200: ProblemOut, **ERRORS})
def problems_update(request: AuthedRequest, problem_id: Id, payload: ProblemPatchIn) -> Any:
    """The command centre's owner and guidance of a problem; with ``resolve_note``, the
    problem is resolved (its work order, the clock, with it). All or nothing."""
    actor = request.auth
    problem = selectors.problem_get(actor=actor, problem_id=problem_id)
    with transaction.atomic():
        if payload.owner is not None or payload.guidance is not None:
            problem = services.problem_update(
                actor=actor, problem=problem, owner=payload.owner, guidance=payload.guidance
            )
        if payload.resolve_note is not None:
            problem = services.problem_resolve(
                actor=actor, problem=problem, note=payload.resolve_note
            )
    return problem_out(selectors.problem_get(actor=actor, problem_id=problem.pk))
