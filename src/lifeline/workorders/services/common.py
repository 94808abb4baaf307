"""Shared steps of every work-order write: access checks, the row lock, the timeline,
the audit record and the outbox. Each is called inside the writer's transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import F
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can
from lifeline.core import clock, db
from lifeline.core.actors import Actor, actor_label, is_system, reason_of, user_of
from lifeline.core.audit import AuditEntry, audit_log_many
from lifeline.core.errors import Conflict, NotFound, PermissionDenied
from lifeline.core.models import OutboxMessage
from lifeline.registry.models import Unit
from lifeline.workorders.models import SETTLED_STATUSES, EventKind, WorkOrder, WorkOrderEvent
from lifeline.workorders.signals import workorder_settled

# Who works an order (claim, accept, resolve, transfer, return, close): the crews and staff
# of units holding it (WORK), and those who place orders with units in its area (DISPATCH).
HANDLE = (Perm.WORKORDER_WORK, Perm.WORKORDER_DISPATCH)
# Who may add to an order's record (a comment, a photo): its handlers, and the staff who
# file for the residents of its place (a grid worker passes on what a resident said).
ADD_TO = (*HANDLE, Perm.WORKORDER_FILE)
# Who may reopen a resolved or closed order: its handlers and its supervisors.
REOPEN = (*HANDLE, Perm.WORKORDER_SUPERVISE)


def actor_user(actor: Actor | None) -> Any:
    return user_of(actor)


def can_at(actor: Actor | None, perm: str | tuple[str, ...], order: WorkOrder) -> bool:
    """Whether a membership granting ``perm`` (any of them) covers the order's place: its
    area, or the unit responsible for it."""
    return can(actor, perm, path=order.area_path, unit_id=order.responsible_unit_id)


def can_handle(actor: Actor, order: WorkOrder) -> bool:
    return can_at(actor, HANDLE, order)


def require_at(
    actor: Actor | None, perm: str | tuple[str, ...], order: WorkOrder, message: Any
) -> None:
    """Refuse unless ``perm`` holds at the order's place. Not found rather than forbidden
    when the actor may not even see the order there: it does not exist for them."""
    if not can_at(actor, Perm.WORKORDER_VIEW, order):
        raise NotFound(_("No such work order in your area or unit."))
    if not can_at(actor, perm, order):
        raise PermissionDenied(message)


def require_handler(actor: Actor, order: WorkOrder) -> None:
    require_at(actor, HANDLE, order, _("You may not work on this order."))


def require_dispatcher(actor: Actor, order: WorkOrder) -> None:
    require_at(
        actor,
        Perm.WORKORDER_DISPATCH,
        order,
        _("Your role may not dispatch or transfer work orders."),
    )


def require_adder(actor: Actor, order: WorkOrder) -> None:
    """Comments and photos: the order's handlers, or staff filing for its residents."""
    require_at(actor, ADD_TO, order, _("You may not add to this order."))


def require_reopener(actor: Actor | None, order: WorkOrder) -> None:
    require_at(actor, REOPEN, order, _("You may not reopen this order."))


def lock_order(order: WorkOrder | int, *, expected_version: int | None = None) -> WorkOrder:
    """The order's row, locked for this transaction; Conflict if someone changed it since
    the caller read ``expected_version``."""
    pk = order.pk if isinstance(order, WorkOrder) else order
    locked = WorkOrder.objects.select_for_update().filter(pk=pk).first()
    if locked is None:
        raise NotFound(_("No such work order."))
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("Someone else changed this work order; reload and try again."), code="stale"
        )
    return locked


def save_order(order: WorkOrder, fields: list[str], *, at: dt.datetime | None = None) -> None:
    """Write ``fields`` and bump the version that compare-and-set readers rely on. A write
    that settles the order (resolved, closed, cancelled) is announced to the apps above
    (``signals.workorder_settled``: crews' routes drop its visit)."""
    order.updated_at = at or clock.now()
    WorkOrder.objects.filter(pk=order.pk).update(
        version=F("version") + 1,
        updated_at=order.updated_at,
        **{name: getattr(order, name) for name in fields},
    )
    order.version += 1
    if "status" in fields and order.status in SETTLED_STATUSES:
        workorder_settled.send(sender=WorkOrder, order=order)


@dataclass(frozen=True)
class Step:
    """One timeline step for ``record_steps``; ``to_status`` defaults to the order's."""

    kind: EventKind
    from_status: str = ""
    to_status: str = ""
    note: str = ""
    data: dict[str, Any] | None = None
    audit_fields: tuple[str, ...] = ()


def record(
    order: WorkOrder,
    kind: EventKind,
    *,
    actor: Actor | None,
    from_status: str = "",
    from_unit: Unit | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
    audit_fields: tuple[str, ...] = (),
    at: dt.datetime | None = None,
) -> WorkOrderEvent:
    """Put one step on the timeline and in the audit log. ``at`` is for sweeps run for a
    given moment; every other step happens now."""
    step = Step(kind, from_status, "", note, data, audit_fields)
    return record_steps(order, [step], actor=actor, from_unit=from_unit, at=at)[0]


def record_steps(
    order: WorkOrder,
    steps: Sequence[Step],
    *,
    actor: Actor | None,
    from_unit: Unit | None = None,
    at: dt.datetime | None = None,
    writes: db.Writes | None = None,
) -> list[WorkOrderEvent]:
    """Several steps at once: one insert for the events and one audit append for all.
    ``writes`` (the caller's pending inserts) are sent with the events. A step the system
    takes (``core.actors.system``) keeps its reason in the event's data (``system_reason``),
    which the timeline shows beside "System"."""
    when = at or clock.now()
    why = {"system_reason": reason_of(actor)} if is_system(actor) and reason_of(actor) else {}
    events = [
        WorkOrderEvent(
            order=order,
            area_path=order.area_path,
            at=when,
            kind=step.kind,
            actor=actor_user(actor),
            actor_label=actor_label(actor),
            from_status=step.from_status,
            to_status=step.to_status or order.status,
            from_unit=from_unit,
            unit_id=order.responsible_unit_id,
            note=step.note,
            data={**(step.data or {}), **why},
        )
        for step in steps
    ]
    writes = writes or db.Writes()
    writes.insert(events)
    # The events (and the caller's pending writes) travel with the audit chain's lock.
    audit_log_many(
        writes=writes,
        actor=actor_user(actor),
        entries=[
            AuditEntry(
                action=f"workorder.{step.kind}",
                obj=order,
                fields=step.audit_fields or ("status",),
            )
            for step in steps
        ],
    )
    return events


def notify(
    order: WorkOrder,
    *,
    resident: str = "",
    unit: Unit | None = None,
    unit_body: str = "",
    writes: db.Writes | None = None,
) -> None:
    """Queue the resident's and the unit's messages (one insert, now or with ``writes``)."""
    messages = []
    if resident and order.contact_phone:
        messages.append((order.contact_phone, resident))
    if unit_body and unit is not None and unit.phone:
        messages.append((unit.phone, unit_body))
    send_now = writes is None
    writes = writes or db.Writes()
    writes.insert(
        [
            OutboxMessage(
                channel="sms",
                recipient=recipient,
                body=body,
                object_type="workorders.workorder",
                object_id=str(order.pk),
            )
            for recipient, body in messages
        ]
    )
    if send_now:
        writes.run()


def notify_resident(order: WorkOrder, body: str) -> None:
    notify(order, resident=body)


def notify_unit(order: WorkOrder, unit: Unit | None, body: str) -> None:
    notify(order, unit=unit, unit_body=body)


def clean_note(note: str, *, required: bool, field: str = "note") -> str:
    from lifeline.core.errors import ServiceError

    note = (note or "").strip()
    if required and len(note) < 2:
        raise ServiceError(_("Please give a reason."), fields={field: [_("Required.")]})
    return note[:2000]
