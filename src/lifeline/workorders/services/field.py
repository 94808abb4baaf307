"""Field work and supervision: claim, hand over, stops in order, merge, escalate, and the
switch between clock policy versions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.core import clock
from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from lifeline.core.scoping import can
from lifeline.registry.models import Area
from lifeline.workorders.models import (
    AWAITING_RESPONSE,
    EventKind,
    SlaPolicyVersion,
    Status,
    Stop,
    WorkOrder,
)
from lifeline.workorders.services import common
from lifeline.workorders.services.lifecycle import set_status
from lifeline.workorders.services.routing import clock_target, next_unit_up

CLAIMABLE = (Status.DISPATCHED, Status.ACCEPTED, Status.IN_PROGRESS, Status.REOPENED)


def workorder_claim(*, actor: Any, order: WorkOrder) -> WorkOrder:
    """Take the order into one's own queue. Compare-and-set on ``claimed_by``: of many
    simultaneous claims exactly one wins; the others get Conflict."""
    common.require_handler(actor, order)
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
    *, actor: Any, order: WorkOrder, to_user: Any | None, note: str = ""
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


def stop_complete(*, actor: Any, order: WorkOrder, seq: int, note: str = "") -> Stop:
    """Mark stop ``seq`` done; stops are done in order (the gas card before the factory)."""
    note = common.clean_note(note, required=False)
    with transaction.atomic():
        locked = common.lock_order(order)
        common.require_handler(actor, locked)
        if locked.status not in (Status.ACCEPTED, Status.IN_PROGRESS):
            raise Conflict(_("Accept the order before working its stops."), code="bad_transition")
        stop = Stop.objects.filter(order=locked, seq=seq).first()
        if stop is None:
            raise NotFound(_("No such stop."))
        if stop.state == Stop.State.DONE:
            raise Conflict(_("This stop is already done."), code="stop_done")
        earlier = Stop.objects.filter(order=locked, seq__lt=seq, state=Stop.State.PENDING)
        if earlier.exists():
            raise Conflict(
                _("Do stop %(seq)s first.") % {"seq": earlier.first().seq},  # type: ignore[union-attr]
                code="stop_out_of_order",
            )
        stop.state, stop.done_at, stop.done_by, stop.note = (
            Stop.State.DONE,
            clock.now(),
            common.actor_user(actor),
            note,
        )
        stop.save(update_fields=["state", "done_at", "done_by", "note"])
        before = locked.status
        if locked.status == Status.ACCEPTED:
            common.save_order(
                locked, set_status(locked, Status.IN_PROGRESS, allowed_from=(Status.ACCEPTED,))
            )
        common.record(
            locked,
            EventKind.STOP_DONE,
            actor=actor,
            from_status=before,
            note=note,
            data={"seq": seq, "label": stop.label},
            audit_fields=("stops",),
        )
    return stop


def workorder_merge(
    *, actor: Any, duplicate: WorkOrder, into: WorkOrder, note: str = ""
) -> WorkOrder:
    """Staff decide ``duplicate`` is the same need as ``into``: it is cancelled and linked."""
    if duplicate.pk == into.pk:
        raise ServiceError(_("An order cannot be merged into itself."))
    with transaction.atomic():
        # Lock in primary-key order so two opposite merges cannot deadlock.
        first, second = sorted([duplicate.pk, into.pk])
        locked = {pk: common.lock_order(pk) for pk in (first, second)}
        dup, target = locked[duplicate.pk], locked[into.pk]
        common.require_dispatcher(actor, dup)
        common.require_dispatcher(actor, target)
        if not target.is_open or target.duplicate_of_id is not None:
            raise Conflict(
                _("Merge into an open order that is not itself a duplicate."), code="bad_merge"
            )
        before = dup.status
        fields = set_status(
            dup,
            Status.CANCELLED,
            allowed_from=tuple(s for s in Status if s not in (Status.CLOSED, Status.CANCELLED)),
        )
        dup.duplicate_of, dup.closed_at = target, clock.now()
        common.save_order(dup, [*fields, "duplicate_of", "closed_at"])
        common.record(
            dup,
            EventKind.MERGED,
            actor=actor,
            from_status=before,
            note=note,
            data={"into": target.pk},
            audit_fields=("status", "duplicate_of"),
        )
        common.record(
            target,
            EventKind.MERGED,
            actor=actor,
            from_status=target.status,
            note=note,
            data={"merged": dup.pk},
            audit_fields=("duplicates",),
        )
        common.notify_resident(
            dup, _("Your request is being handled as order %(number)s.") % {"number": target.number}
        )
    return dup


def workorder_escalate(*, order_id: int, now: dt.datetime) -> WorkOrder | None:
    """督办: the order missed a target; move it to the next unit up the ladder with fresh
    clocks. Returns None when nothing was due (another sweep got there first) or the top
    of the ladder was reached (then the miss is still recorded once on the timeline)."""
    with transaction.atomic():
        order = common.lock_order(order_id)
        missed = _missed_target(order, now)
        if missed is None or order.responsible_unit is None:
            return None
        upper = next_unit_up(order.responsible_unit, order.area_path)
        target = clock_target(category=order.category, priority=order.priority)
        due_response, due_resolution, warn_at = target.due(now)
        if upper is None:
            # Top of the ladder: record the miss once; ``escalated_at`` past the missed due
            # time keeps the sweep from retrying it, and the order stays overdue in views.
            order.escalated_at = now
            common.save_order(order, ["escalated_at"], at=now)
            common.record(
                order,
                EventKind.ESCALATED,
                actor=None,
                at=now,
                from_status=order.status,
                data={"missed": missed, "top": True},
            )
            return None
        before, from_unit = order.status, order.responsible_unit
        fields = set_status(
            order,
            Status.DISPATCHED,
            allowed_from=(Status.DISPATCHED, Status.ACCEPTED, Status.IN_PROGRESS, Status.REOPENED),
        )
        order.responsible_unit, order.claimed_by, order.claimed_at = upper, None, None
        order.due_response_at = due_response
        order.due_resolution_at = max(due_resolution, order.due_resolution_at or now)
        order.warn_at, order.warned_at = warn_at, None
        order.escalation_level += 1
        order.escalated_at = now
        common.save_order(
            order,
            [
                *fields,
                "responsible_unit",
                "claimed_by",
                "claimed_at",
                "due_response_at",
                "due_resolution_at",
                "warn_at",
                "warned_at",
                "escalation_level",
                "escalated_at",
            ],
            at=now,
        )
        common.record(
            order,
            EventKind.ESCALATED,
            actor=None,
            at=now,
            from_status=before,
            from_unit=from_unit,
            data={"missed": missed, "level": order.escalation_level},
            audit_fields=("responsible_unit", "escalation_level"),
        )
        common.notify_unit(
            order,
            upper,
            _(
                "Supervision: work order %(number)s missed its %(missed)s target at %(unit)s and "
                "is now with your unit."
            )
            % {"number": order.number, "missed": missed, "unit": from_unit.name},
        )
    return order


def _missed_target(order: WorkOrder, now: dt.datetime) -> str | None:
    if not order.is_open or order.paused_at is not None or order.status == Status.RECEIVED:
        return None
    done = order.escalated_at
    due = order.due_response_at
    if (
        order.status in AWAITING_RESPONSE
        and due is not None
        and due <= now
        and (done is None or done < due)
    ):
        return "response"
    due = order.due_resolution_at
    if due is not None and due <= now and (done is None or done < due):
        return "resolution"
    return None


def workorder_warn(*, order_id: int, now: dt.datetime) -> bool:
    """Tell the responsible unit an order has used its warning share of the clock."""
    with transaction.atomic():
        order = common.lock_order(order_id)
        if (
            not order.is_open
            or order.warned_at is not None
            or order.warn_at is None
            or order.warn_at > now
            or order.paused_at is not None
        ):
            return False
        order.warned_at = now
        common.save_order(order, ["warned_at"], at=now)
        common.record(
            order,
            EventKind.WARNED,
            actor=None,
            at=now,
            from_status=order.status,
            audit_fields=("warned_at",),
        )
        common.notify_unit(
            order,
            order.responsible_unit,
            _("Work order %(number)s is close to its deadline.") % {"number": order.number},
        )
    return True


def sla_policy_activate(*, actor: Any, code: str) -> SlaPolicyVersion:
    """Switch the clock policy (e.g. to "lockdown surge"). New and reopened orders and
    escalations use it; running clocks keep the targets they started with.

    The policy holds for the whole city, so supervising one district is not enough: the
    actor must supervise work orders at the top of the area tree."""
    tops = list(Area.objects.filter(parent__isnull=True).values_list("path", flat=True))
    if not tops or not all(can(actor, Perm.WORKORDER_SUPERVISE, path=top) for top in tops):
        raise PermissionDenied(_("Only the command centre may switch clock policies."))
    with transaction.atomic():
        version = SlaPolicyVersion.objects.select_for_update().filter(code=code).first()
        if version is None:
            raise NotFound(_("No such clock policy."))
        SlaPolicyVersion.objects.filter(active=True).exclude(pk=version.pk).update(active=False)
        version.active = True
        version.save(update_fields=["active"])
        audit_log(actor=actor, action="sla_policy.activate", obj=version, fields=["active"])
    return version
