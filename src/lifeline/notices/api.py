"""The notices API, mounted at /api/v1/notices: notices (list, one, draft, edit, withdraw,
submit, approve by a second person, update and cancel drafts) with their delivery and
acknowledgement counters, and the households to reach (masked) with the visit recorded or
requested as a work order. Creates take an
Idempotency-Key. The CAP documents and the Atom index are public pages, not API
operations (``/notices/cap/...``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from lifeline.api.auth import AuthedRequest
from lifeline.api.creates import IdempotencyKey, create_once
from lifeline.api.pagination import PageParams, page_of, paginate
from lifeline.api.schemas import ERRORS, SAFE, Id, InSchema, bounded
from lifeline.core.errors import ServiceError
from lifeline.notices import selectors, services
from lifeline.notices.models import Notice

router = Router(tags=["notices"])

Code = Annotated[str, bounded(20), SAFE]


class NoticeFilter(Schema):
    status: str | None = Field(None, max_length=12)


class NoticeIn(InSchema):
    area_ids: list[Id] = Field(min_length=1, max_length=200)
    category: Code
    groups: list[Code] = Field(default_factory=lambda: ["households"], max_length=4)
    title_zh: Annotated[str, bounded(120, min_length=1), SAFE]
    title_en: Annotated[str, bounded(160, min_length=1), SAFE]
    body_zh: Annotated[str, bounded(1000, min_length=1), SAFE]
    body_en: Annotated[str, bounded(2000, min_length=1), SAFE]
    must_reach: bool = False
    reach_hours: int = Field(12, ge=-(2**31), le=2**31)
    cap_status: Code = "Actual"
    severity: Code = "Moderate"
    urgency: Code = "Expected"
    certainty: Code = "Likely"
    expires_at: dt.datetime


class FollowUpIn(InSchema):
    msg_type: Code
    title_zh: Annotated[str, bounded(120), SAFE] = ""
    title_en: Annotated[str, bounded(160), SAFE] = ""
    body_zh: Annotated[str, bounded(1000), SAFE] = ""
    body_en: Annotated[str, bounded(2000), SAFE] = ""
    expires_at: dt.datetime | None = None


class NoticeEditIn(InSchema):
    """What to change in a draft or waiting notice (fields left out keep their values)."""

    area_ids: list[Id] | None = Field(None, min_length=1, max_length=200)
    category: Code | None = None
    groups: list[Code] | None = Field(None, max_length=4)
    title_zh: Annotated[str, bounded(120, min_length=1), SAFE] | None = None
    title_en: Annotated[str, bounded(160, min_length=1), SAFE] | None = None
    body_zh: Annotated[str, bounded(1000, min_length=1), SAFE] | None = None
    body_en: Annotated[str, bounded(2000, min_length=1), SAFE] | None = None
    must_reach: bool | None = None
    reach_hours: int | None = Field(None, ge=-(2**31), le=2**31)
    cap_status: Code | None = None
    severity: Code | None = None
    urgency: Code | None = None
    certainty: Code | None = None
    expires_at: dt.datetime | None = None


class EmptyIn(InSchema):
    pass


class VisitsIn(InSchema):
    ids: list[Id] = Field(min_length=1, max_length=100)


class ReachedIn(InSchema):
    note: Annotated[str, bounded(200), SAFE] = ""


class NoticeOut(Schema):
    id: int
    identifier: str
    area_path: str
    target_paths: list[str]
    groups: list[str]
    category: str
    title_zh: str
    title_en: str
    body_zh: str
    body_en: str
    status: str
    msg_type: str
    cap_status: str
    severity: str
    urgency: str
    certainty: str
    must_reach: bool
    reach_hours: int
    expires_at: dt.datetime
    references_id: int | None
    published_at: dt.datetime | None
    replaced_at: dt.datetime | None
    households_count: int
    texts_count: int
    acknowledged_count: int
    reached_count: int
    cap_url: str


class ReachRowOut(Schema):
    id: int
    notice_id: int
    notice: str
    notice_en: str
    household_id: int
    area_path: str
    grid: str
    building: str
    unit_no_masked: str
    phone_masked: str
    visit_requested_at: dt.datetime | None
    visit_order_id: int | None
    visit_order_number: str


class VisitsOut(Schema):
    requested: list[ReachRowOut]
    skipped: list[int]


def notice_out(notice: Notice) -> dict[str, Any]:
    row = {name: getattr(notice, name) for name in NoticeOut.model_fields if name != "cap_url"}
    row["cap_url"] = (
        f"/notices/cap/{notice.identifier}.xml" if notice.published_at is not None else ""
    )
    return row


def _aware(moment: dt.datetime | None, field: str) -> dt.datetime | None:
    if moment is None:
        return None
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        message = _("This time is out of range.")
        raise ServiceError(message, fields={field: [message]}) from None


@router.get("/notices", response={200: page_of(NoticeOut), **ERRORS})
def notices_list(
    request: AuthedRequest, filters: Query[NoticeFilter], page: Query[PageParams]
) -> Any:
    """The notices over the caller's areas (draft or approve), newest first."""
    qs = selectors.notice_list(actor=request.auth, status=filters.status or "")
    answer = paginate(qs, page)
    answer["items"] = [notice_out(n) for n in answer["items"]]
    return answer


@router.post("/notices", response={201: NoticeOut, **ERRORS})
def notices_create(request: AuthedRequest, payload: NoticeIn, key: IdempotencyKey) -> Any:
    """A draft notice for the subtrees of ``area_ids``; submit it, then a second person
    approves it."""
    actor = request.auth

    def make() -> dict[str, Any]:
        values = payload.model_dump(exclude={"area_ids", "expires_at"})
        notice = services.notice_draft(
            actor=actor,
            areas=payload.area_ids,
            expires_at=_aware(payload.expires_at, "expires_at"),
            **values,
        )
        return notice_out(notice)

    return create_once(request, key=key, payload=payload, make=make, out=NoticeOut)


@router.get("/notices/{int:notice_id}", response={200: NoticeOut, **ERRORS})
def notices_get(request: AuthedRequest, notice_id: Id) -> Any:
    return notice_out(selectors.notice_get(actor=request.auth, pk=notice_id))


@router.post("/notices/{int:notice_id}/submit", response={200: NoticeOut, **ERRORS})
def notices_submit(request: AuthedRequest, notice_id: Id, payload: EmptyIn) -> Any:
    notice = selectors.notice_get(actor=request.auth, pk=notice_id)
    return notice_out(services.notice_submit(actor=request.auth, notice=notice))


@router.post("/notices/{int:notice_id}/approve", response={200: NoticeOut, **ERRORS})
def notices_approve(request: AuthedRequest, notice_id: Id, payload: EmptyIn) -> Any:
    """Publish a submitted notice: refused to its drafter (``same_person``) and to anyone
    without the right to approve over every target; a second approval is ``not_submitted``."""
    notice = selectors.notice_get(actor=request.auth, pk=notice_id)
    return notice_out(services.notice_approve(actor=request.auth, notice=notice))


@router.patch("/notices/{int:notice_id}", response={200: NoticeOut, **ERRORS})
def notices_edit(request: AuthedRequest, notice_id: Id, payload: NoticeEditIn) -> Any:
    """Change a draft or a notice waiting for approval: only its author (``not_author``);
    a waiting notice goes back to the drafts. A published or withdrawn notice is
    ``not_editable``; an update or cancellation keeps its notice's areas."""
    actor = request.auth
    notice = selectors.notice_get(actor=actor, pk=notice_id)
    values = payload.model_dump(exclude={"area_ids", "expires_at"}, exclude_none=True)
    if payload.expires_at is not None:
        values["expires_at"] = _aware(payload.expires_at, "expires_at")
    edited = services.notice_edit(actor=actor, notice=notice, areas=payload.area_ids, **values)
    return notice_out(edited)


@router.post("/notices/{int:notice_id}/withdraw", response={200: NoticeOut, **ERRORS})
def notices_withdraw(request: AuthedRequest, notice_id: Id, payload: EmptyIn) -> Any:
    """Withdraw a draft or waiting notice (its author, or whoever may approve it): kept on
    record, never published. Otherwise ``not_withdrawable``."""
    notice = selectors.notice_get(actor=request.auth, pk=notice_id)
    return notice_out(services.notice_withdraw(actor=request.auth, notice=notice))


@router.post("/notices/{int:notice_id}/follow-ups", response={201: NoticeOut, **ERRORS})
def notices_follow_up(
    request: AuthedRequest, notice_id: Id, payload: FollowUpIn, key: IdempotencyKey
) -> Any:
    """A draft Update (``msg_type`` "Update", new texts or expiry) or Cancel ("Cancel") of a
    published notice in force; it is submitted and approved like any notice."""
    actor = request.auth

    def make() -> dict[str, Any]:
        original = selectors.notice_get(actor=actor, pk=notice_id)
        values = payload.model_dump(exclude={"msg_type", "expires_at"})
        notice = services.notice_follow_up(
            actor=actor,
            original=original,
            msg_type=payload.msg_type,
            expires_at=_aware(payload.expires_at, "expires_at"),
            **values,
        )
        return notice_out(notice)

    return create_once(request, key=key, payload=payload, make=make, out=NoticeOut)


@router.get("/reach", response={200: page_of(ReachRowOut), **ERRORS})
def reach_list(request: AuthedRequest, page: Query[PageParams]) -> Any:
    """Households in the caller's area that have neither acknowledged a must-reach notice
    within its hours nor been reached in person (unit and phone masked)."""
    answer = paginate(selectors.reach_list(actor=request.auth), page)
    answer["items"] = selectors.reach_rows(list(answer["items"]))
    return answer


@router.post("/reach/{int:row_id}/reached", response={200: ReachRowOut, **ERRORS})
def reach_mark(request: AuthedRequest, row_id: Id, payload: ReachedIn) -> Any:
    """Record a household as reached in person (audited)."""
    row = services.household_mark_reached(actor=request.auth, pk=row_id, note=payload.note)
    return selectors.reach_rows([row])[0]


@router.post("/reach/visits", response={201: VisitsOut, **ERRORS})
def reach_visits(request: AuthedRequest, payload: VisitsIn, key: IdempotencyKey) -> Any:
    """Turn households of the caller's list into door-to-door visits: a work order each
    (category ``notice_visit``), all or none. Households already acknowledged, reached or
    with a visit requested are listed in ``skipped``."""
    actor = request.auth

    def make() -> dict[str, Any]:
        done = services.notice_visits_request(actor=actor, row_ids=list(payload.ids))
        return {
            "requested": selectors.reach_rows(done.requested),
            "skipped": [row.pk for row in done.skipped],
        }

    return create_once(request, key=key, payload=payload, make=make, out=VisitsOut)
