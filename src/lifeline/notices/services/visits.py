"""Door-to-door visits for households that did not acknowledge a must-reach notice in
time: the worker picks one or several from the reach list and each becomes a work order
for the household (category ``notice_visit``, filed through the work orders' own intake,
which routes it and starts its clock). The household's row is marked "visit requested"
with its order, under the row's lock, so that two clicks at once file one order; a
household already acknowledged, reached or with a visit requested is left as it is."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import scoped
from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.audit import AuditEntry, audit_log_many
from lifeline.core.errors import NotFound, ServiceError
from lifeline.notices.models import NoticeHousehold, NoticeStatus
from lifeline.registry.models import Household
from lifeline.workorders.models import Channel
from lifeline.workorders.services import workorder_create

VISIT_CATEGORY = "notice_visit"
MAX_VISITS = 100


@dataclass
class VisitsRequested:
    requested: list[NoticeHousehold] = field(default_factory=list)
    skipped: list[NoticeHousehold] = field(default_factory=list)


def _description(row: NoticeHousehold) -> str:
    from django.conf import settings

    notice = row.notice
    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "Door-to-door visit: this household has not confirmed the public notice "
            "“%(title)s”. Tell them in person, then record the visit on the notice's list."
        ) % {"title": notice.title_in(settings.LANGUAGE_CODE)}


def _ids(row_ids: list[object]) -> list[int]:
    if not row_ids or any(not isinstance(pk, int) or isinstance(pk, bool) for pk in row_ids):
        message = _("Choose the households to visit.")
        raise ServiceError(message, fields={"ids": [message]})
    ids = sorted({pk for pk in row_ids if isinstance(pk, int)})
    if len(ids) > MAX_VISITS:
        message = _("At most %(n)s households at a time.") % {"n": MAX_VISITS}
        raise ServiceError(message, fields={"ids": [message]})
    return ids


def notice_visits_request(*, actor: Actor, row_ids: Iterable[object]) -> VisitsRequested:
    """File a door-to-door visit (a work order) for each household row named, all in one
    transaction: every row must be on a published must-reach notice where the actor holds
    ``NOTICES_REACH`` (else NotFound, nothing filed) and the actor must be allowed to
    file work orders there (the intake checks). Rows already acknowledged, reached or
    with a visit requested are skipped. Audited (``notice.visit_requested``)."""
    ids = _ids(list(row_ids))
    result = VisitsRequested()
    with transaction.atomic():
        rows = list(
            scoped(NoticeHousehold.objects.all(), actor, Perm.NOTICES_REACH)
            .select_for_update(of=("self",))
            .select_related("notice")
            .filter(pk__in=ids, notice__status=NoticeStatus.PUBLISHED, notice__must_reach=True)
            .order_by("pk")
        )
        if len(rows) != len(ids):
            raise NotFound(_("No such household on your list."))
        households = Household.objects.in_bulk([r.household_id for r in rows])
        now = clock.now()
        for row in rows:
            done = row.acknowledged_at or row.reached_at or row.visit_requested_at
            if done is not None:
                result.skipped.append(row)
                continue
            intake = workorder_create(
                actor=actor,
                description=_description(row),
                category_code=VISIT_CATEGORY,
                channel=Channel.STAFF,
                household=households[row.household_id],
            )
            row.visit_order = intake.duplicate_of or intake.order
            row.visit_requested_at = now
            row.save(update_fields=["visit_order", "visit_requested_at"])
            result.requested.append(row)
        if result.requested:
            audit_log_many(
                actor=actor,
                entries=[
                    AuditEntry(
                        "notice.visit_requested",
                        obj=row,
                        area_path=row.area_path,
                        fields=("visit_requested_at", "visit_order"),
                    )
                    for row in result.requested
                ],
            )
    return result
