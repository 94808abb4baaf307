"""The demo's notices: a published hygiene notice for a district (its texts are queued by
the worker's sweep) and a testing-times notice waiting for a second person's approval.
Synthetic data only. Called by ``lifeline.demo``."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from lifeline.accounts.models import Membership, Role
from lifeline.core import clock
from lifeline.notices.models import Notice, NoticeCategory, NoticeGroup
from lifeline.notices.services import notice_approve, notice_draft, notice_submit, template_for


def _membership(role: str) -> Membership | None:
    return (
        Membership.objects.filter(role=role, area__isnull=False)
        .select_related("user", "area")
        .order_by("pk")
        .first()
    )


def seed_demo_notices() -> str:
    """Seed once (nothing when notices exist or the district and command logins are
    missing). Returns a line for the demo's summary."""
    if Notice.objects.exists():
        return ""
    district = _membership(Role.DISTRICT_STAFF)
    command = _membership(Role.COMMAND_STAFF)
    if district is None or command is None or district.area is None:
        return ""
    drafter, approver, area = district.user, command.user, district.area
    expires = clock.now() + dt.timedelta(days=7)
    with transaction.atomic():
        hygiene = notice_draft(
            actor=drafter,
            areas=[area],
            groups=[NoticeGroup.HOUSEHOLDS],
            expires_at=expires,
            **template_for(NoticeCategory.HYGIENE),
        )
        notice_submit(actor=drafter, notice=hygiene)
        notice_approve(actor=approver, notice=hygiene)
        place, place_en = (
            f"{area.name}各社区广场",
            f"the community squares of {area.name_en or area.name}",
        )
        testing = notice_draft(
            actor=drafter,
            areas=[area],
            groups=[NoticeGroup.HOUSEHOLDS],
            expires_at=clock.now() + dt.timedelta(days=2),
            **template_for(NoticeCategory.TESTING, place=place, place_en=place_en),
        )
        notice_submit(actor=drafter, notice=testing)
    return f"notices: 1 published in {area.name} (texts queued by the worker), 1 awaiting approval"
