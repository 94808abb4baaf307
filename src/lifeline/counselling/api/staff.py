"""Counselling endpoints of the supervisor: the line's counsellors and its duty roster.
Creates take an Idempotency-Key."""

from __future__ import annotations

from typing import Any

from ninja import Query

from lifeline.accounts.permissions import Perm
from lifeline.api.auth import AuthedRequest
from lifeline.api.creates import IdempotencyKey, create_once
from lifeline.api.pagination import PageParams, page_of, paginate
from lifeline.api.schemas import ERRORS
from lifeline.counselling import selectors, services
from lifeline.counselling.api.endpoints import line_of, router
from lifeline.counselling.api.schemas import (
    CounsellingCounsellorIn,
    CounsellingCounsellorOut,
    CounsellingDutyFilter,
    CounsellingDutyIn,
    CounsellingDutyOut,
    CounsellingLineFilter,
    counsellor_out,
    duty_out,
)

SUPERVISE = Perm.COUNSELLING_SUPERVISE


@router.get("/counsellors", response={200: page_of(CounsellingCounsellorOut), **ERRORS})
def counsellors_list(
    request: AuthedRequest, filters: Query[CounsellingLineFilter], page: Query[PageParams]
) -> Any:
    """The counsellors of the lines the caller supervises."""
    qs = selectors.counsellor_list(actor=request.auth, perm=SUPERVISE)
    if filters.line_id is not None:
        qs = qs.filter(line_id=filters.line_id)
    answer = paginate(qs, page)
    answer["items"] = [counsellor_out(c) for c in answer["items"]]
    return answer


@router.post("/counsellors", response={201: CounsellingCounsellorOut, **ERRORS})
def counsellors_create(
    request: AuthedRequest, payload: CounsellingCounsellorIn, key: IdempotencyKey
) -> Any:
    """A counsellor of the line (the supervisor's): ``public_phone`` is published while
    they are on duty, so it must be the line's landline or extension."""
    actor = request.auth

    def make() -> dict[str, Any]:
        counsellor = services.counsellor_create(
            actor=actor,
            line=line_of(payload.line_id),
            display_name=payload.display_name,
            public_phone_number=payload.public_phone,
            languages=payload.languages,
            supervisor=payload.supervisor,
        )
        return counsellor_out(counsellor)

    return create_once(request, key=key, payload=payload, make=make, out=CounsellingCounsellorOut)


@router.get("/duty", response={200: page_of(CounsellingDutyOut), **ERRORS})
def duty_list(
    request: AuthedRequest, filters: Query[CounsellingDutyFilter], page: Query[PageParams]
) -> Any:
    """Duty windows of the caller's lines running now or to come, soonest first."""
    qs = selectors.duty_list(actor=request.auth)
    if filters.counsellor_id is not None:
        qs = qs.filter(counsellor_id=filters.counsellor_id)
    if filters.line_id is not None:
        qs = qs.filter(line_id=filters.line_id)
    answer = paginate(qs, page)
    answer["items"] = [duty_out(w) for w in answer["items"]]
    return answer


@router.post("/duty", response={201: CounsellingDutyOut, **ERRORS})
def duty_create(request: AuthedRequest, payload: CounsellingDutyIn, key: IdempotencyKey) -> Any:
    """A duty window on the roster (the supervisor's): at most 16 hours, not overlapping
    the counsellor's others (409 ``overlap``)."""
    actor = request.auth

    def make() -> dict[str, Any]:
        counsellor = selectors.counsellor_get(actor=actor, pk=payload.counsellor_id)
        window = services.duty_window_create(
            actor=actor,
            counsellor=counsellor,
            starts_at=payload.starts_at,
            ends_at=payload.ends_at,
        )
        return duty_out(window)

    return create_once(request, key=key, payload=payload, make=make, out=CounsellingDutyOut)
