"""Reads of the notices app. Staff reads take the actor and go through ``scoped``; the
public reads (the board, the CAP feed) hold only what a notice publishes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import scoped
from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.errors import NotFound
from lifeline.core.personal import mask_name, mask_phone
from lifeline.core.replica import reads_replica
from lifeline.notices.models import MsgType, Notice, NoticeHousehold, NoticeStatus
from lifeline.registry.models import Household

ACTIVE_LIMIT = 200
REACH_LIMIT = 500


@reads_replica
def notice_list(*, actor: Actor, status: str = "") -> QuerySet[Notice]:
    """The notices over areas where the actor may draft or approve."""
    qs = scoped(Notice.objects.all(), actor)
    return qs.filter(status=status) if status else qs


def notice_get(*, actor: Actor, pk: int) -> Notice:
    notice = notice_list(actor=actor).filter(pk=pk).first()
    if notice is None:
        raise NotFound()
    return notice


def notices_active(*, now: dt.datetime | None = None) -> QuerySet[Notice]:
    """Published notices in force: not expired, not updated or cancelled, not a Cancel."""
    moment = now or clock.now()
    return (
        Notice.objects.filter(
            status=NoticeStatus.PUBLISHED, replaced_at__isnull=True, expires_at__gt=moment
        )
        .exclude(msg_type=MsgType.CANCEL)
        .order_by("-published_at", "-pk")
    )


def notice_published(*, identifier: str) -> Notice:
    """A published notice by its CAP identifier (public), or NotFound."""
    notice = (
        Notice.objects.filter(identifier=identifier[:64], status=NoticeStatus.PUBLISHED)
        .select_related("references")
        .first()
    )
    if notice is None:
        raise NotFound()
    return notice


def notices_for_area(*, area_path: str, now: dt.datetime | None = None) -> list[Notice]:
    """The active notices a resident of ``area_path`` should see: those targeting the
    area, one of its ancestors, or a part of it."""
    found = []
    for notice in notices_active(now=now)[:ACTIVE_LIMIT]:
        if any(area_path.startswith(p) or p.startswith(area_path) for p in notice.target_paths):
            found.append(notice)
    return found


def _overdue_notice_ids(now: dt.datetime) -> list[int]:
    rows = Notice.objects.filter(
        status=NoticeStatus.PUBLISHED,
        must_reach=True,
        replaced_at__isnull=True,
        expires_at__gt=now,
    ).values_list("pk", "published_at", "reach_hours")
    return [
        pk
        for pk, published, hours in rows
        if published is not None and published + dt.timedelta(hours=hours) <= now
    ]


@reads_replica
def reach_list(
    *, actor: Actor, now: dt.datetime | None = None, notice_id: int | None = None
) -> QuerySet[NoticeHousehold]:
    """Households in the actor's ``NOTICES_REACH`` scope that have neither acknowledged a
    must-reach notice within its hours nor been reached in person (those with a visit
    requested stay, with their work order, until the visit is recorded)."""
    ids = _overdue_notice_ids(now or clock.now())
    if notice_id is not None:
        ids = [pk for pk in ids if pk == notice_id]
    return (
        scoped(NoticeHousehold.objects.all(), actor, Perm.NOTICES_REACH)
        .filter(notice_id__in=ids, acknowledged_at__isnull=True, reached_at__isnull=True)
        .select_related("notice", "visit_order")
        .order_by("area_path", "household_id", "notice_id")
    )


def reach_rows(rows: list[NoticeHousehold]) -> list[dict[str, Any]]:
    """The masked row of each household on a reach list."""
    households = {
        h.pk: h
        for h in Household.objects.filter(pk__in=[r.household_id for r in rows]).select_related(
            "building", "grid"
        )
    }
    out = []
    for row in rows:
        household = households.get(row.household_id)
        out.append(
            {
                "id": row.pk,
                "notice_id": row.notice_id,
                "notice": row.notice.title_zh,
                "notice_en": row.notice.title_en,
                "household_id": row.household_id,
                "area_path": row.area_path,
                "grid": household.grid.name if household else "",
                "building": household.building.name if household else "",
                "unit_no_masked": mask_name(household.unit_no) if household else "",
                "phone_masked": mask_phone(household.phone) if household else "",
                "visit_requested_at": row.visit_requested_at,
                "visit_order_id": row.visit_order_id,
                "visit_order_number": (row.visit_order.number or "") if row.visit_order else "",
            }
        )
    return out
