"""Volunteers API: the volunteers of the caller's areas (phones masked), a volunteer
entered by a coordinator (with an Idempotency-Key), and approval or suspension of one who
signed up on their phone. Views only translate: selectors read, services write."""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Query, Router, Schema
from pydantic import Field

from lifeline.api.auth import AuthedRequest
from lifeline.api.creates import IdempotencyKey, create_once
from lifeline.api.pagination import PageParams, page_of, paginate
from lifeline.api.schemas import ERRORS, SAFE, Id, InSchema, bounded
from lifeline.core.errors import NotFound
from lifeline.registry.models import Area
from lifeline.volunteers import selectors, services
from lifeline.volunteers.api.outputs import VolunteerOut, volunteer_out
from lifeline.volunteers.models import OrgKind

router = Router(tags=["volunteers"])

Code = Annotated[str, bounded(20), SAFE]


class VolunteerFilter(Schema):
    status: str | None = Field(None, max_length=10)


class VolunteerIn(InSchema):
    area_id: Id
    name: Annotated[str, bounded(50, min_length=1), SAFE]
    phone: Annotated[str, bounded(20, min_length=1), SAFE]
    skills: list[Code] = Field(default_factory=list, max_length=10)
    org_kind: Code = OrgKind.COMMUNITY
    org_name: Annotated[str, bounded(100), SAFE] = ""
    max_day_hours: int = Field(12, ge=-(2**31), le=2**31)
    max_week_hours: int = Field(60, ge=-(2**31), le=2**31)
    sms_ok: bool = True


class VolunteerApproveIn(InSchema):
    # false: suspend the volunteer instead.
    approve: bool = True


@router.get("/people", response={200: page_of(VolunteerOut), **ERRORS})
def volunteers_list(
    request: AuthedRequest, filters: Query[VolunteerFilter], page: Query[PageParams]
) -> Any:
    """The volunteers where the caller may see them; ``status``: pending, active, suspended."""
    qs = selectors.volunteer_list(actor=request.auth, status=filters.status or "")
    answer = paginate(qs, page)
    answer["items"] = [volunteer_out(v) for v in answer["items"]]
    return answer


@router.post("/people", response={201: VolunteerOut, **ERRORS})
def volunteers_create(request: AuthedRequest, payload: VolunteerIn, key: IdempotencyKey) -> Any:
    """A volunteer entered by a coordinator of ``area_id``: active at once. The answer
    shows the phone masked."""
    actor = request.auth

    def make() -> dict[str, Any]:
        area = Area.objects.filter(pk=payload.area_id).first()
        if area is None:
            raise NotFound()
        volunteer = services.volunteer_create(
            actor=actor, area=area, **payload.model_dump(exclude={"area_id"})
        )
        return volunteer_out(volunteer)

    return create_once(request, key=key, payload=payload, make=make, out=VolunteerOut)


@router.post("/people/{int:volunteer_id}/approve", response={200: VolunteerOut, **ERRORS})
def volunteers_approve(
    request: AuthedRequest, volunteer_id: Id, payload: VolunteerApproveIn
) -> Any:
    """Approve a volunteer who signed up on their phone, or suspend one (``approve``: false)."""
    actor = request.auth
    volunteer = selectors.volunteer_get(actor=actor, pk=volunteer_id)
    done = services.volunteer_approve(actor=actor, volunteer=volunteer, approve=payload.approve)
    return volunteer_out(done)
