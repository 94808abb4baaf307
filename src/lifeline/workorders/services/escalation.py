"""The clocks' consequences, taken by the system on the worker's beat (``tasks``): the
warning to the responsible unit, and escalation (督办) of an order that missed a target to
the next unit up the ladder. When an order is overdue is defined once, in ``clocks``."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lifeline.core.actors import Actor
from lifeline.workorders.clocks import missed_target, warning_due
from lifeline.workorders.models import CLAIMABLE, EventKind, Status, WorkOrder
from lifeline.workorders.services import common
from lifeline.workorders.services.lifecycle import set_status
from lifeline.workorders.services.routing import clock_target, next_unit_up

# The reasons the system gives for its steps (``core.actors.system``); stored in English,
# shown translated on the timeline.
ESCALATION_SWEEP = gettext_noop("escalation sweep")
WARNING_SWEEP = gettext_noop("clock warning sweep")


def workorder_escalate(*, actor: Actor, order_id: int, now: dt.datetime) -> WorkOrder | None:
    """督办: the order missed a target; move it to the next unit up the ladder with fresh
    clocks. Returns None when nothing was due (another sweep got there first) or the top
    of the ladder was reached (then the miss is still recorded once on the timeline).
    ``actor`` is the system (``system(ESCALATION_SWEEP)``)."""
    with transaction.atomic():
        order = common.lock_order(order_id)
        missed = missed_target(order, now)
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
                actor=actor,
                at=now,
                from_status=order.status,
                data={"missed": missed, "top": True},
            )
            return None
        before, from_unit = order.status, order.responsible_unit
        fields = set_status(order, Status.DISPATCHED, allowed_from=CLAIMABLE)
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
            actor=actor,
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


def workorder_warn(*, actor: Actor, order_id: int, now: dt.datetime) -> bool:
    """Tell the responsible unit an order has used its warning share of the clock.
    ``actor`` is the system (``system(WARNING_SWEEP)``)."""
    with transaction.atomic():
        order = common.lock_order(order_id)
        if not warning_due(order, now):
            return False
        order.warned_at = now
        common.save_order(order, ["warned_at"], at=now)
        common.record(
            order,
            EventKind.WARNED,
            actor=actor,
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
