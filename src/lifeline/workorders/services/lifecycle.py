"""The order's life after intake: dispatch, accept, start, cancel, merge into another,
transfer (转派), return (退单), a raised priority, and comments and notes on the timeline
(resolve, confirm, close and reopen are in ``closing``; claims in ``claims``).

Each service locks the order's row, checks the transition, writes the change, one
timeline event, one audit record and any notification in one transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.core import clock
from lifeline.core.actors import Actor, is_system
from lifeline.core.errors import Conflict, ServiceError
from lifeline.registry.models import Unit
from lifeline.workorders.models import EventKind, Priority, Status, WorkOrder, WorkOrderEvent
from lifeline.workorders.services import common
from lifeline.workorders.services.routing import clock_target, next_unit_up, route
from lifeline.workorders.services.transitions import allowed_from as transition_from


def pause_statuses(order: WorkOrder) -> tuple[str, ...]:
    return clock_target(category=order.category, priority=order.priority).pause_statuses


def set_status(order: WorkOrder, new: str, *, allowed_from: tuple[str, ...]) -> list[str]:
    """Move ``order`` to ``new``; stop or restart the clocks across pause states.
    Returns the names of the fields changed."""
    if order.status not in allowed_from:
        raise Conflict(
            _("This work order is %(status)s; that step is not possible now.")
            % {"status": order.get_status_display()},
            code="bad_transition",
        )
    now, fields = clock.now(), ["status"]
    paused = pause_statuses(order)
    if new in paused and order.status not in paused:
        order.paused_at = now
        fields.append("paused_at")
    elif order.status in paused and new not in paused and order.paused_at is not None:
        gap = now - order.paused_at
        for name in ("due_resolution_at", "warn_at"):
            if getattr(order, name) is not None:
                setattr(order, name, getattr(order, name) + gap)
                fields.append(name)
        order.paused_at = None
        fields.append("paused_at")
    order.status = new
    return fields


def step(
    *,
    actor: Actor,
    order: WorkOrder,
    new: str,
    allowed_from: tuple[str, ...],
    kind: EventKind,
    note: str = "",
    expected_version: int | None = None,
    dispatcher: bool = False,
    more: dict[str, Any] | None = None,
) -> WorkOrder:
    locked = common.lock_order(order, expected_version=expected_version)
    (common.require_dispatcher if dispatcher else common.require_handler)(actor, locked)
    before = locked.status
    fields = set_status(locked, new, allowed_from=allowed_from)
    for name, value in (more or {}).items():
        setattr(locked, name, value)
        fields.append(name)
    common.save_order(locked, fields)
    common.record(locked, kind, actor=actor, from_status=before, note=note)
    return locked


def workorder_dispatch(
    *,
    actor: Actor,
    order: WorkOrder,
    unit: Unit | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> WorkOrder:
    """Send a received (e.g. returned) order to ``unit``, or to the unit routing picks."""
    with transaction.atomic():
        locked = common.lock_order(order, expected_version=expected_version)
        common.require_dispatcher(actor, locked)
        target = unit or route(category=locked.category, area_path=locked.area_path)
        return _hand_to(
            actor=actor,
            order=locked,
            unit=target,
            kind=EventKind.DISPATCHED,
            note=common.clean_note(note, required=False),
            allowed_from=transition_from("dispatch"),
        )


def workorder_transfer(
    *, actor: Actor, order: WorkOrder, unit: Unit, reason: str, expected_version: int | None = None
) -> WorkOrder:
    """转派: hand an open order to another unit, with a reason. The clocks keep running."""
    reason = common.clean_note(reason, required=True, field="reason")
    with transaction.atomic():
        locked = common.lock_order(order, expected_version=expected_version)
        common.require_handler(actor, locked)
        if unit.pk == locked.responsible_unit_id:
            raise ServiceError(
                _("The order is already with that unit."), fields={"unit": [_("Same unit.")]}
            )
        return _hand_to(
            actor=actor,
            order=locked,
            unit=unit,
            kind=EventKind.TRANSFERRED,
            note=reason,
            allowed_from=transition_from("transfer"),
        )


def _hand_to(
    *,
    actor: Actor,
    order: WorkOrder,
    unit: Unit,
    kind: EventKind,
    note: str,
    allowed_from: tuple[str, ...],
    new_status: str = Status.DISPATCHED,
) -> WorkOrder:
    before, from_unit = order.status, order.responsible_unit
    fields = set_status(order, new_status, allowed_from=allowed_from)
    order.responsible_unit = unit
    order.claimed_by = None
    order.claimed_at = None
    common.save_order(order, [*fields, "responsible_unit", "claimed_by", "claimed_at"])
    common.record(
        order,
        kind,
        actor=actor,
        from_status=before,
        from_unit=from_unit,
        note=note,
        audit_fields=("status", "responsible_unit"),
    )
    common.notify_unit(
        order, unit, _("Work order %(number)s is now with your unit.") % {"number": order.number}
    )
    return order


def workorder_return(
    *, actor: Actor, order: WorkOrder, reason: str, expected_version: int | None = None
) -> WorkOrder:
    """退单: the responsible unit gives the order back, with a reason, to the unit that
    sent it (or the unit above), which must dispatch it again."""
    reason = common.clean_note(reason, required=True, field="reason")
    with transaction.atomic():
        locked = common.lock_order(order, expected_version=expected_version)
        common.require_handler(actor, locked)
        sender = _sender_of(locked)
        if sender is None:
            raise ServiceError(
                _("There is no unit to return this order to; transfer it."), code="no_sender"
            )
        return _hand_to(
            actor=actor,
            order=locked,
            unit=sender,
            kind=EventKind.RETURNED,
            note=reason,
            new_status=Status.RECEIVED,
            allowed_from=transition_from("return"),
        )


def _sender_of(order: WorkOrder) -> Unit | None:
    handed = (
        WorkOrderEvent.objects.filter(
            order=order, unit=order.responsible_unit, from_unit__isnull=False
        )
        .exclude(from_unit_id=order.responsible_unit_id)
        .order_by("-at", "-pk")
        .first()
    )
    if handed is not None:
        return handed.from_unit
    assert order.responsible_unit is not None
    return next_unit_up(order.responsible_unit, order.area_path)


def workorder_accept(
    *, actor: Actor, order: WorkOrder, expected_version: int | None = None
) -> WorkOrder:
    with transaction.atomic():
        return step(
            actor=actor,
            order=order,
            new=Status.ACCEPTED,
            kind=EventKind.ACCEPTED,
            allowed_from=transition_from("accept"),
            expected_version=expected_version,
            more={"responded_at": order.responded_at or clock.now()},
        )


def workorder_start(
    *, actor: Actor, order: WorkOrder, expected_version: int | None = None
) -> WorkOrder:
    with transaction.atomic():
        return step(
            actor=actor,
            order=order,
            new=Status.IN_PROGRESS,
            kind=EventKind.STARTED,
            allowed_from=transition_from("start"),
            expected_version=expected_version,
            more={"responded_at": order.responded_at or clock.now()},
        )


def workorder_cancel(
    *, actor: Actor, order: WorkOrder, reason: str, expected_version: int | None = None
) -> WorkOrder:
    reason = common.clean_note(reason, required=True, field="reason")
    with transaction.atomic():
        locked = step(
            actor=actor,
            order=order,
            new=Status.CANCELLED,
            kind=EventKind.CANCELLED,
            note=reason,
            expected_version=expected_version,
            allowed_from=transition_from("cancel"),
            more={"closed_at": clock.now()},
        )
        common.notify_resident(
            locked,
            _("Order %(number)s was cancelled: %(reason)s")
            % {"number": locked.number, "reason": reason[:200]},
        )
    return locked


def workorder_comment(*, actor: Actor, order: WorkOrder, note: str) -> WorkOrderEvent:
    note = common.clean_note(note, required=True)
    with transaction.atomic():
        locked = common.lock_order(order)
        common.require_adder(actor, locked)
        return common.record(
            locked,
            EventKind.COMMENTED,
            actor=actor,
            from_status=locked.status,
            note=note,
            audit_fields=("comment",),
        )


def workorder_merge(
    *, actor: Actor, duplicate: WorkOrder, into: WorkOrder, note: str = ""
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
            allowed_from=transition_from("merge"),
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


def workorder_raise_priority(
    *, actor: Actor, order: WorkOrder, priority: int, reason: str
) -> WorkOrder:
    """Make an open order more urgent, with the reason on its timeline (health: a medical
    transfer is critical whatever the clock policy's steps say). Its clocks become those of
    the new priority (the active policy's target for its category) from the moment it was
    filed. An order already that urgent is left as it is.

    Allowed to whoever filed the order, its handlers and its supervisors, and to the
    system."""
    if priority not in Priority.values:
        raise ServiceError(_("Unknown priority."), fields={"priority": [_("Unknown value.")]})
    reason = common.clean_note(reason, required=True, field="reason")
    with transaction.atomic():
        locked = common.lock_order(order)
        filed_it = locked.created_by_id is not None and locked.created_by_id == getattr(
            actor, "pk", None
        )
        if not filed_it and not is_system(actor):
            common.require_at(
                actor,
                (*common.HANDLE, Perm.WORKORDER_SUPERVISE),
                locked,
                _("You may not change this order's priority."),
            )
        if not locked.is_open:
            raise Conflict(
                _("This work order is %(status)s; that step is not possible now.")
                % {"status": locked.get_status_display()},
                code="bad_transition",
            )
        if priority >= locked.priority:
            return locked
        target = clock_target(category=locked.category, priority=priority)
        locked.priority = priority
        locked.due_response_at, locked.due_resolution_at, locked.warn_at = target.due(
            locked.created_at
        )
        common.save_order(locked, ["priority", "due_response_at", "due_resolution_at", "warn_at"])
        common.record(
            locked,
            EventKind.COMMENTED,
            actor=actor,
            from_status=locked.status,
            note=reason,
            data={"priority": int(priority)},
            audit_fields=("priority",),
        )
    return locked


def workorder_annotate(
    *,
    actor: Actor,
    order: WorkOrder,
    note: str,
    data: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
    audit_fields: tuple[str, ...] = ("comment",),
) -> WorkOrderEvent:
    """A note another app's service puts on the order's timeline, with ``data`` for its own
    records and ``at`` for a moment stamped elsewhere (health: the medical-access decision
    attached, the transfer's call, dispatch, arrival and hand-over times). Like a comment,
    allowed to those who may add to the order (its handlers and the staff who file for its
    place), and to the system."""
    note = common.clean_note(note, required=True)
    with transaction.atomic():
        locked = common.lock_order(order)
        if not is_system(actor):
            common.require_adder(actor, locked)
        return common.record(
            locked,
            EventKind.COMMENTED,
            actor=actor,
            from_status=locked.status,
            note=note,
            data=data,
            audit_fields=audit_fields,
            at=at,
        )
