"""Notices rows of the scope matrix (run by ``tests/test_scope_matrix.py``), and the world
the notices API tests, idempotent-create examples and fuzzing share.

Community staff of grid A (``staff_a``) and of grid B (``staff_b``) draft notices for their
grid; a district officer with a membership over grid B (``approver_b``) approves them. Grid
B holds a draft, a submitted notice and a published must-reach notice; a published
must-reach notice over the whole community, 13 hours old, puts the unacknowledged
households of both grids on their grid workers' lists. Grid B's notices are refused to
``staff_a``, to the grid workers (no right to draft) and to a user with no membership.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

from lifeline.accounts.models import Role, User
from lifeline.core import clock
from lifeline.core.models import AuditRecord, OutboxMessage
from lifeline.notices.models import Notice, NoticeCategory, NoticeHousehold
from lifeline.notices.services import (
    notice_approve,
    notice_draft,
    notice_fanout,
    notice_submit,
)
from lifeline.registry.models import Area
from lifeline.testing.factories import SmallCity, make_user
from lifeline.testing.scope_matrix import Case, World, base_personas
from lifeline.workorders.models import WorkOrder

API = "/api/v1/notices"
DAY = dt.timedelta(days=1)


@dataclass
class NoticesWorld(World):
    staff_a: User
    staff_b: User
    approver_b: User
    draft_a: Notice
    draft_b: Notice
    submitted_b: Notice
    published_b: Notice
    community_notice: Notice
    row_b: NoticeHousehold

    denied: ClassVar[tuple[str, ...]] = ("worker_a", "worker_b", "outsider", "staff_a")
    controls: ClassVar[tuple[str, ...]] = ("staff_b",)
    viewers: ClassVar[tuple[str, ...]] = ("staff_a",)

    def snapshot(self) -> Any:
        notices = Notice.objects.order_by("pk").values_list(
            "pk", "status", "replaced_at", "title_zh", "edited_at"
        )
        rows = NoticeHousehold.objects.order_by("pk").values_list(
            "pk", "reached_at", "visit_requested_at"
        )
        return (
            list(notices),
            list(rows),
            OutboxMessage.objects.count(),
            AuditRecord.objects.count(),
        )


def notice_values(**extra: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "category": NoticeCategory.TESTING,
        "title_zh": "核酸检测通知",
        "title_en": "Testing notice",
        "body_zh": "明日采样时间 7:00-11:00，地点：社区广场。",
        "body_en": "Sampling tomorrow 7:00-11:00 at the community square.",
        "groups": ["households"],
        "must_reach": True,
        "expires_at": clock.now() + 3 * DAY,
    }
    values.update(extra)
    return values


def _published(drafter: User, approver: User, area: Area, hours_ago: int = 0) -> Notice:
    notice = notice_draft(actor=drafter, areas=[area], **notice_values())
    notice_submit(actor=drafter, notice=notice)
    notice = notice_approve(actor=approver, notice=notice)
    notice_fanout(notice_id=notice.pk)
    if hours_ago:
        Notice.objects.filter(pk=notice.pk).update(
            published_at=clock.now() - dt.timedelta(hours=hours_ago)
        )
    notice.refresh_from_db()
    return notice


def make_notices_world(city: SmallCity) -> NoticesWorld:
    staff_a = make_user("nt_staff_a", role=Role.COMMUNITY_STAFF, area=city.grid_a)
    staff_b = make_user("nt_staff_b", role=Role.COMMUNITY_STAFF, area=city.grid_b)
    approver_b = make_user("nt_approver_b", role=Role.DISTRICT_STAFF, area=city.grid_b)
    drafter = make_user("nt_drafter", role=Role.COMMUNITY_STAFF, area=city.community)
    approver = make_user("nt_approver", role=Role.DISTRICT_STAFF, area=city.district)
    draft_a = notice_draft(actor=staff_a, areas=[city.grid_a], **notice_values())
    draft_b = notice_draft(actor=staff_b, areas=[city.grid_b], **notice_values())
    submitted_b = notice_draft(actor=staff_b, areas=[city.grid_b], **notice_values())
    notice_submit(actor=staff_b, notice=submitted_b)
    published_b = _published(staff_b, approver_b, city.grid_b)
    community_notice = _published(drafter, approver, city.community, hours_ago=13)
    row_b = NoticeHousehold.objects.filter(
        notice=community_notice, area_path=city.grid_b.path
    ).first()
    assert row_b is not None
    return NoticesWorld(
        **base_personas(city),
        staff_a=staff_a,
        staff_b=staff_b,
        approver_b=approver_b,
        draft_a=draft_a,
        draft_b=draft_b,
        submitted_b=Notice.objects.get(pk=submitted_b.pk),
        published_b=published_b,
        community_notice=community_notice,
        row_b=row_b,
    )


def notice_body(w: NoticesWorld) -> dict[str, Any]:
    body = notice_values(expires_at=(clock.now() + 2 * DAY).isoformat())
    return {"area_ids": [w.grid_b.pk], **body}


def follow_up_body(w: NoticesWorld) -> dict[str, Any]:
    return {"msg_type": "Update", "body_zh": "采样时间改为 8:00-12:00。"}


def walk_params(city: SmallCity) -> dict[str, Any]:
    """A notice and a household row in grid A, for walks of every GET endpoint."""
    staff = make_user("nt_walk", role=Role.COMMUNITY_STAFF, area=city.grid_a)
    notice = notice_draft(actor=staff, areas=[city.grid_a], **notice_values())
    return {"notice_id": notice.pk}


def _notice(name: str) -> Any:
    return lambda w: {"notice_id": getattr(w, name).pk}


NOTICES_CASES = [
    Case("get", f"{API}/notices", "list"),
    Case(
        "post",
        f"{API}/notices",
        "create",
        label="grid B",
        created=Notice,
        body=notice_body,
    ),
    Case("get", f"{API}/notices/{{notice_id}}", "object", _notice("draft_b")),
    Case(
        "post",
        f"{API}/notices/{{notice_id}}/submit",
        "object",
        _notice("draft_b"),
        body=lambda w: {},
    ),
    Case(
        "post",
        f"{API}/notices/{{notice_id}}/approve",
        "object",
        _notice("submitted_b"),
        body=lambda w: {},
        controls=("approver_b",),
    ),
    Case(
        "patch",
        f"{API}/notices/{{notice_id}}",
        "object",
        _notice("submitted_b"),
        body=lambda w: {"title_zh": "核酸检测时间调整"},
    ),
    Case(
        "post",
        f"{API}/notices/{{notice_id}}/withdraw",
        "object",
        _notice("draft_b"),
        body=lambda w: {},
        controls=("staff_b", "approver_b"),
    ),
    Case(
        "post",
        f"{API}/notices/{{notice_id}}/follow-ups",
        "object",
        _notice("published_b"),
        body=follow_up_body,
    ),
    Case(
        "get",
        f"{API}/reach",
        "list",
        viewers=("worker_a",),
        controls=("worker_b",),
    ),
    Case(
        "post",
        f"{API}/reach/{{row_id}}/reached",
        "object",
        lambda w: {"row_id": w.row_b.pk},
        body=lambda w: {"note": "上门告知"},
        denied=("worker_a", "outsider", "staff_a"),
        controls=("worker_b",),
    ),
    Case(
        "post",
        f"{API}/reach/visits",
        "create",
        label="grid B",
        created=WorkOrder,
        body=lambda w: {"ids": [w.row_b.pk]},
        denied=("worker_a", "outsider", "staff_a"),
        controls=("worker_b",),
    ),
]
