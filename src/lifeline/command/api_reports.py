"""Daily reports and review meetings in the command API (added to ``command.api``'s
router): reports listed, generated (``Idempotency-Key``), read with their frozen content,
their narrative written and signed; meetings listed, recorded and given actions (each a
work order filed to its owner unit; ``Idempotency-Key``)."""

from __future__ import annotations

import json
from typing import Any

from ninja import Query, Router

from lifeline.api.auth import AuthedRequest
from lifeline.api.creates import IdempotencyKey, create_once
from lifeline.api.pagination import PageParams, page_of, paginate
from lifeline.api.schemas import ERRORS, Id
from lifeline.command import selectors, services
from lifeline.command.models import DailyReport, ReviewMeeting
from lifeline.command.naming import area_titles
from lifeline.command.schemas import (
    CommandActionIn,
    CommandActionOut,
    CommandMeetingFilter,
    CommandMeetingIn,
    CommandMeetingOut,
    CommandReportFilter,
    CommandReportIn,
    CommandReportOut,
    CommandReportRowOut,
    CommandSectionsIn,
    CommandSignIn,
)
from lifeline.command.services.reports import verified
from lifeline.core.actors import Actor

router = Router(tags=["command"])


def _row(report: DailyReport, titles: dict[str, str]) -> dict[str, Any]:
    return {
        "id": report.pk,
        "area_id": report.area_id,
        "area_path": report.area_path,
        "title": titles.get(report.area_path, ""),
        "day": report.day,
        "status": report.status,
        "content_hash": report.content_hash,
        "taken_at": report.taken_at,
        "signer_name": report.signer_name,
        "signed_at": report.signed_at,
    }


def _report_out(report: DailyReport) -> dict[str, Any]:
    return {
        **_row(report, area_titles([report.area_path])),
        "version": report.version,
        "cutoff": report.cutoff,
        "verified": verified(report),
        "content": json.loads(report.content),
    }


@router.get("/reports", response={200: page_of(CommandReportRowOut), **ERRORS})
def reports_list(
    request: AuthedRequest, filters: Query[CommandReportFilter], page: Query[PageParams]
) -> Any:
    """Daily reports of the caller's areas (with ``area_id``: that area's and those below
    it), newest day first."""
    area = None
    if filters.area_id is not None:
        area = selectors.dashboard_area(actor=request.auth, pk=filters.area_id)
    qs = selectors.report_list(actor=request.auth, area=area, day=filters.day)
    answer = paginate(qs, page)
    titles = area_titles([r.area_path for r in answer["items"]])
    answer["items"] = [_row(r, titles) for r in answer["items"]]
    return answer


@router.post("/reports", response={201: CommandReportOut, **ERRORS})
def reports_generate(request: AuthedRequest, payload: CommandReportIn, key: IdempotencyKey) -> Any:
    """Open the report of the city or a district for a day (COMMAND_REPORT there): a new
    draft, a draft's figures taken again, or the signed report unchanged."""
    actor = request.auth

    def make() -> dict[str, Any]:
        area = selectors.dashboard_area(actor=actor, pk=payload.area_id)
        report = services.report_generate(actor=actor, area=area, day=payload.day)
        return _report_out(report)

    return create_once(request, key=key, payload=payload, make=make, out=CommandReportOut)


@router.get("/reports/{report_id}", response={200: CommandReportOut, **ERRORS})
def report_read(request: AuthedRequest, report_id: Id) -> Any:
    """One report with its frozen content (figures, children, alerts, problems, actions,
    revisions, narrative) and whether it still matches its hash."""
    return _report_out(selectors.report_get(actor=request.auth, pk=report_id))


@router.post("/reports/{report_id}/sections", response={200: CommandReportOut, **ERRORS})
def report_sections(request: AuthedRequest, report_id: Id, payload: CommandSectionsIn) -> Any:
    """Write the narrative sections given (the others are kept) of a draft; 409 once
    signed, or when ``expected_version`` is not the report's."""
    report = selectors.report_get(actor=request.auth, pk=report_id)
    sections = {
        name: value
        for name, value in payload.model_dump(exclude={"expected_version"}).items()
        if value is not None
    }
    report = services.report_sections_save(
        actor=request.auth,
        report=report,
        sections=sections,
        expected_version=payload.expected_version,
    )
    return _report_out(report)


@router.post("/reports/{report_id}/sign", response={200: CommandReportOut, **ERRORS})
def report_sign(request: AuthedRequest, report_id: Id, payload: CommandSignIn) -> Any:
    """Sign the draft (COMMAND_REPORT at its area); ``expected_hash`` guards against
    signing something else than what was read."""
    report = selectors.report_get(actor=request.auth, pk=report_id)
    report = services.report_sign(
        actor=request.auth, report=report, expected_hash=payload.expected_hash
    )
    return _report_out(report)


def _meeting_out(meeting: ReviewMeeting, actor: Actor, titles: dict[str, str]) -> dict[str, Any]:
    actions = selectors.meeting_actions(meeting=meeting)
    orders = selectors.action_orders(actor=actor, actions=actions)
    return {
        "id": meeting.pk,
        "area_id": meeting.area_id,
        "area_path": meeting.area_path,
        "title": titles.get(meeting.area_path, ""),
        "day": meeting.day,
        "attendees": meeting.attendees,
        "notes": meeting.notes,
        "actions": [
            {
                "id": a.pk,
                "text": a.text,
                "owner_id": a.owner_id,
                "owner": a.owner.name,
                "due_at": a.due_at,
                "work_order_id": a.work_order_id,
                "work_order_number": getattr(orders.get(a.work_order_id), "number", ""),
                "status": getattr(orders.get(a.work_order_id), "status", ""),
            }
            for a in actions
        ],
    }


@router.get("/meetings", response={200: page_of(CommandMeetingOut), **ERRORS})
def meetings_list(
    request: AuthedRequest, filters: Query[CommandMeetingFilter], page: Query[PageParams]
) -> Any:
    """Review meetings of the caller's areas, newest first, with their actions."""
    area = None
    if filters.area_id is not None:
        area = selectors.dashboard_area(actor=request.auth, pk=filters.area_id)
    answer = paginate(selectors.meeting_list(actor=request.auth, area=area, day=filters.day), page)
    titles = area_titles([m.area_path for m in answer["items"]])
    answer["items"] = [_meeting_out(m, request.auth, titles) for m in answer["items"]]
    return answer


@router.get("/meetings/{meeting_id}", response={200: CommandMeetingOut, **ERRORS})
def meeting_read(request: AuthedRequest, meeting_id: Id) -> Any:
    meeting = selectors.meeting_get(actor=request.auth, pk=meeting_id)
    return _meeting_out(meeting, request.auth, area_titles([meeting.area_path]))


@router.post("/meetings", response={201: CommandMeetingOut, **ERRORS})
def meetings_create(request: AuthedRequest, payload: CommandMeetingIn, key: IdempotencyKey) -> Any:
    """Record the review meeting of the city or a district for a day (COMMAND_REPORT
    there); a second one for the same day is a 409."""
    actor = request.auth

    def make() -> dict[str, Any]:
        area = selectors.dashboard_area(actor=actor, pk=payload.area_id)
        meeting = services.meeting_create(
            actor=actor,
            area=area,
            day=payload.day,
            attendees=payload.attendees,
            notes=payload.notes,
        )
        return _meeting_out(meeting, actor, area_titles([meeting.area_path]))

    return create_once(request, key=key, payload=payload, make=make, out=CommandMeetingOut)


@router.post("/meetings/{meeting_id}/actions", response={201: CommandActionOut, **ERRORS})
def meeting_action_add(
    request: AuthedRequest, meeting_id: Id, payload: CommandActionIn, key: IdempotencyKey
) -> Any:
    """An action of the meeting: a work order filed to the owner unit, due by ``due_at``
    (after now, within 60 days)."""
    actor = request.auth

    def make() -> dict[str, Any]:
        meeting = selectors.meeting_get(actor=actor, pk=meeting_id)
        action = services.review_action_add(
            actor=actor,
            meeting=meeting,
            text=payload.text,
            owner_id=payload.owner_id,
            due_at=payload.due_at,
        )
        out = _meeting_out(meeting, actor, {})["actions"]
        return next(a for a in out if a["id"] == action.pk)

    return create_once(request, key=key, payload=payload, make=make, out=CommandActionOut)
