"""The order's life after intake: dispatch, accept, start, cancel, transfer (转派),
return (退单) and comments (resolve, confirm, close and reopen are in ``closing``).

Each service locks the order's row, checks the transition, writes the change, one
timeline event, one audit record and any notification in one transaction.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from lifeline.core import clock
from lifeline.core.errors import Conflict, ServiceError
from lifeline.registry.models import Unit
from lifeline.workorders.models import EventKind, Status, WorkOrder, WorkOrderEvent
from lifeline.workorders.services import common
from lifeline.workorders.services.routing import clock_target, next_unit_up, route


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
    actor: Any,
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
    actor: Any,
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
            allowed_from=(Status.RECEIVED,),
        )


def workorder_transfer(
    *, actor: Any, order: WorkOrder, unit: Unit, reason: str, expected_version: int | None = None
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
            allowed_from=(
                Status.RECEIVED,
                Status.DISPATCHED,
                Status.ACCEPTED,
                Status.IN_PROGRESS,
                Status.REOPENED,
            ),
        )


def _hand_to(
    *,
    actor: Any,
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
    *, actor: Any, order: WorkOrder, reason: str, expected_version: int | None = None
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
            allowed_from=(Status.DISPATCHED, Status.ACCEPTED, Status.REOPENED),
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
    *, actor: Any, order: WorkOrder, expected_version: int | None = None
) -> WorkOrder:
    with transaction.atomic():
        return step(
            actor=actor,
            order=order,
            new=Status.ACCEPTED,
            kind=EventKind.ACCEPTED,
            allowed_from=(Status.DISPATCHED, Status.REOPENED),
            expected_version=expected_version,
            more={"responded_at": order.responded_at or clock.now()},
        )


def workorder_start(
    *, actor: Any, order: WorkOrder, expected_version: int | None = None
) -> WorkOrder:
    with transaction.atomic():
        return step(
            actor=actor,
            order=order,
            new=Status.IN_PROGRESS,
            kind=EventKind.STARTED,
            allowed_from=(Status.DISPATCHED, Status.ACCEPTED, Status.REOPENED),
            expected_version=expected_version,
            more={"responded_at": order.responded_at or clock.now()},
        )


def workorder_cancel(
    *, actor: Any, order: WorkOrder, reason: str, expected_version: int | None = None
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
            allowed_from=(
                Status.RECEIVED,
                Status.DISPATCHED,
                Status.ACCEPTED,
                Status.IN_PROGRESS,
                Status.REOPENED,
            ),
            more={"closed_at": clock.now()},
        )
        common.notify_resident(
            locked,
            _("Order %(number)s was cancelled: %(reason)s")
            % {"number": locked.number, "reason": reason[:200]},
        )
    return locked


def workorder_comment(*, actor: Any, order: WorkOrder, note: str) -> WorkOrderEvent:
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
