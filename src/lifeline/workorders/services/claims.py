"""Who holds an order: a crew member claims it from the unit's queue, and hands it over to
a colleague (or back to the queue)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.core import clock, db
from lifeline.core.actors import Actor
from lifeline.core.errors import Conflict, PermissionDenied, ServiceError
from lifeline.workorders.models import AWAITING_RESPONSE, CLAIMABLE, EventKind, Status, WorkOrder
from lifeline.workorders.services import common
from lifeline.workorders.services.lifecycle import set_status


def workorder_claim(*, actor: Actor, order: WorkOrder) -> WorkOrder:
    """Take the order into one's own queue. Compare-and-set on ``claimed_by``: of many
    simultaneous claims exactly one wins; the others get Conflict. A claim PostgreSQL
    aborted to break a deadlock (seen under many simultaneous claims: foreign keys are
    checked at commit, after the audit chain's lock) is run again."""
    common.require_handler(actor, order)
    return db.retry_deadlocked(lambda: _claim(actor, order))


def _claim(actor: Actor, order: WorkOrder) -> WorkOrder:
    now = clock.now()
    with transaction.atomic():
        won = WorkOrder.objects.filter(
            pk=order.pk, claimed_by__isnull=True, status__in=CLAIMABLE
        ).update(claimed_by=actor, claimed_at=now, updated_at=now, version=F("version") + 1)
        if not won:
            raise Conflict(_("Someone else has already taken this order."), code="claimed")
        locked = common.lock_order(order)
        common.record(
            locked,
            EventKind.CLAIMED,
            actor=actor,
            from_status=locked.status,
            audit_fields=("claimed_by",),
        )
        if locked.status in AWAITING_RESPONSE:
            before = locked.status
            fields = set_status(locked, Status.ACCEPTED, allowed_from=AWAITING_RESPONSE)
            locked.responded_at = locked.responded_at or now
            common.save_order(locked, [*fields, "responded_at"])
            common.record(locked, EventKind.ACCEPTED, actor=actor, from_status=before)
    return locked


def workorder_handover(
    *, actor: Actor, order: WorkOrder, to_user: Any | None, note: str = ""
) -> WorkOrder:
    """Pass one's claimed order to a colleague (or back to the unit's queue: ``None``)."""
    note = common.clean_note(note, required=False)
    with transaction.atomic():
        locked = common.lock_order(order)
        common.require_handler(actor, locked)
        is_dispatcher = common.can_at(actor, Perm.WORKORDER_DISPATCH, locked)
        if locked.claimed_by_id != getattr(actor, "pk", None) and not is_dispatcher:
            raise PermissionDenied(_("Only the member who holds the order may hand it over."))
        if to_user is not None and not common.can_handle(to_user, locked):
            raise ServiceError(
                _("That colleague cannot work on this order."),
                fields={"to_user": [_("Outside their area or unit.")]},
            )
        before_user = locked.claimed_by_id
        locked.claimed_by = to_user
        locked.claimed_at = clock.now() if to_user is not None else None
        common.save_order(locked, ["claimed_by", "claimed_at"])
        common.record(
            locked,
            EventKind.HANDED_OVER,
            actor=actor,
            from_status=locked.status,
            note=note,
            audit_fields=("claimed_by",),
            data={"from_user": before_user, "to_user": getattr(to_user, "pk", None)},
        )
    return locked
