"""The enterprises API, mounted at /api/v1/enterprises: the enterprises of the caller's
areas (contacts masked), one put on the whitelist (with an Idempotency-Key), a member
sealed into a loop, the testing compliance of one (names masked) and a positive reported
in a loop. Views only translate: selectors read, services write."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Query, Router, Schema
from pydantic import Field

from lifeline.api.auth import AuthedRequest
from lifeline.api.creates import IdempotencyKey, create_once
from lifeline.api.pagination import PageParams, page_of, paginate
from lifeline.api.schemas import ERRORS, SAFE, Id, InSchema, bounded
from lifeline.core.errors import NotFound
from lifeline.core.personal import mask_name, mask_phone
from lifeline.enterprises import selectors, services
from lifeline.enterprises.models import Bubble, Enterprise, EnterpriseKind, SealedStaff
from lifeline.registry.models import Area
from lifeline.registry.selectors import person_get

router = Router(tags=["enterprises"])


class EnterpriseFilter(Schema):
    status: str | None = Field(None, max_length=10)


class EnterpriseIn(InSchema):
    area_id: Id
    name: Annotated[str, bounded(100, min_length=1), SAFE]
    kind: Annotated[str, bounded(12), SAFE] = EnterpriseKind.ENTERPRISE
    contact_name: Annotated[str, bounded(50, min_length=1), SAFE]
    contact_phone: Annotated[str, bounded(20, min_length=1), SAFE]


class EnterpriseOut(Schema):
    id: int
    area_id: int
    area_path: str
    name: str
    kind: str
    contact_name: str  # masked
    contact_phone: str  # masked
    whitelist: str
    status: str
    status_label: str
    created_at: dt.datetime


class StaffIn(InSchema):
    # A registry resident (their tests count), or a name and a phone.
    person_id: Id | None = None
    name: Annotated[str, bounded(50), SAFE] = ""
    phone: Annotated[str, bounded(20), SAFE] = ""
    critical_role: Annotated[str, bounded(50), SAFE] = ""


class StaffOut(Schema):
    id: int
    bubble_id: int
    name: str  # masked
    critical_role: str
    linked: bool


class SealedMemberOut(Schema):
    staff_id: int
    bubble_id: int
    name: str  # masked
    critical_role: str
    tests: int
    required: int
    days: int
    behind: bool
    linked: bool
    positive: bool


class ComplianceOut(Schema):
    enterprise_id: int
    required: int
    days: int
    due_by: dt.datetime
    percent: int | None
    behind: list[SealedMemberOut]
    members: list[SealedMemberOut]


class PositiveIn(InSchema):
    staff_id: Id | None = None
    note: Annotated[str, bounded(200), SAFE] = ""


class BubbleOut(Schema):
    id: int
    enterprise_id: int
    name: str
    status: str


def enterprise_out(e: Enterprise) -> dict[str, Any]:
    return {
        "id": e.pk,
        "area_id": e.area_id,
        "area_path": e.area_path,
        "name": e.name,
        "kind": e.kind,
        "contact_name": mask_name(e.contact_name),
        "contact_phone": mask_phone(e.contact_phone),
        "whitelist": e.whitelist,
        "status": e.status,
        "status_label": str(e.get_status_display()),
        "created_at": e.created_at,
    }


def _staff_out(s: SealedStaff) -> dict[str, Any]:
    return {
        "id": s.pk,
        "bubble_id": s.bubble_id,
        "name": mask_name(s.name),
        "critical_role": s.critical_role,
        "linked": s.person_id is not None,
    }


def _bubble_out(b: Bubble) -> dict[str, Any]:
    return {"id": b.pk, "enterprise_id": b.enterprise_id, "name": b.name, "status": b.status}


@router.get("", response={200: page_of(EnterpriseOut), **ERRORS})
def enterprises_list(
    request: AuthedRequest, filters: Query[EnterpriseFilter], page: Query[PageParams]
) -> Any:
    """Enterprises in closed loop where the caller may see them; ``status``: active,
    suspended, closed."""
    qs = selectors.enterprise_list(actor=request.auth, status=filters.status or "")
    answer = paginate(qs, page)
    answer["items"] = [enterprise_out(e) for e in answer["items"]]
    return answer


@router.post("", response={201: EnterpriseOut, **ERRORS})
def enterprises_create(request: AuthedRequest, payload: EnterpriseIn, key: IdempotencyKey) -> Any:
    """Put an enterprise or a construction site (``kind``: construction) of ``area_id`` on
    the whitelist; the contact is shown masked."""
    actor = request.auth

    def make() -> dict[str, Any]:
        area = Area.objects.filter(pk=payload.area_id).first()
        if area is None:
            raise NotFound()
        enterprise = services.enterprise_create(
            actor=actor, area=area, **payload.model_dump(exclude={"area_id"})
        )
        return enterprise_out(enterprise)

    return create_once(request, key=key, payload=payload, make=make, out=EnterpriseOut)


@router.get("/{int:enterprise_id}/compliance", response={200: ComplianceOut, **ERRORS})
def enterprises_compliance(request: AuthedRequest, enterprise_id: Id) -> Any:
    """Each sealed member's tests in the policy's window (5 in 7 unless screening sets a
    workers' policy), those behind first to be tested by ``due_by`` (20:00 today)."""
    enterprise = selectors.enterprise_get(actor=request.auth, pk=enterprise_id)
    figures = selectors.compliance(actor=request.auth, enterprise=enterprise)

    def member(m: selectors.MemberCompliance) -> dict[str, Any]:
        return {**m.__dict__, "behind": m.behind}

    return {
        "enterprise_id": figures.enterprise_id,
        "required": figures.required,
        "days": figures.days,
        "due_by": figures.due_by,
        "percent": figures.percent,
        "behind": [member(m) for m in figures.behind],
        "members": [member(m) for m in figures.members],
    }


@router.post("/loops/{int:bubble_id}/staff", response={201: StaffOut, **ERRORS})
def enterprises_staff_add(
    request: AuthedRequest, bubble_id: Id, payload: StaffIn, key: IdempotencyKey
) -> Any:
    """Seal a member into a loop: a registry resident (``person_id``, who must be visible
    to the caller in the registry) or a name and a phone. The name is shown masked."""
    actor = request.auth

    def make() -> dict[str, Any]:
        bubble = selectors.bubble_get(actor=actor, pk=bubble_id)
        person = person_get(actor=actor, pk=payload.person_id) if payload.person_id else None
        member = services.staff_add(
            actor=actor,
            bubble=bubble,
            person=person,
            name=payload.name,
            phone=payload.phone,
            critical_role=payload.critical_role,
        )
        return _staff_out(member)

    return create_once(request, key=key, payload=payload, make=make, out=StaffOut)


@router.post("/loops/{int:bubble_id}/positive", response={200: BubbleOut, **ERRORS})
def enterprises_positive(request: AuthedRequest, bubble_id: Id, payload: PositiveIn) -> Any:
    """A positive in the loop: it is suspended, the contact and the district are told, and
    its vehicles' passes are stopped."""
    actor = request.auth
    bubble = selectors.bubble_get(actor=actor, pk=bubble_id)
    staff = selectors.staff_get(actor=actor, pk=payload.staff_id) if payload.staff_id else None
    done = services.positive_report(actor=actor, bubble=bubble, staff=staff, note=payload.note)
    return _bubble_out(done)


# The exports (POSTs answering with the file) live beside this module.
from lifeline.enterprises import api_exports  # noqa: E402

router.add_router("", api_exports.router)
