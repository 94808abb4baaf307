"""The end of an order's life: resolve (with a one-time code sent to the resident) by
staff, from a crew's phone with a photo, or by a crew completing its route stop; the
resident's confirmation, close after a callback (回访), and reopen."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.errors import Conflict, ServiceError
from lifeline.core.personal import lookup_hash
from lifeline.workorders.models import (
    AWAITING_RESPONSE,
    CLAIMABLE,
    SETTLED_STATUSES,
    EventKind,
    Status,
    Stop,
    WorkOrder,
)
from lifeline.workorders.services import common
from lifeline.workorders.services.lifecycle import set_status, step
from lifeline.workorders.services.photos import check_photo, photo_add
from lifeline.workorders.services.routing import clock_target
from lifeline.workorders.services.transitions import allowed_from as transition_from

CONFIRM_CODE_VALID = dt.timedelta(hours=72)
CONFIRM_MAX_ATTEMPTS = 5


def workorder_resolve(
    *, actor: Actor, order: WorkOrder, note: str, expected_version: int | None = None
) -> WorkOrder:
    """Mark the work done. The resident gets a one-time code to confirm; the order closes
    only on that confirmation or on a staff callback."""
    note = common.clean_note(note, required=True)
    with transaction.atomic():
        _require_stops_done(order)
        code = f"{secrets.randbelow(1_000_000):06d}"
        locked = step(
            actor=actor,
            order=order,
            new=Status.RESOLVED,
            kind=EventKind.RESOLVED,
            allowed_from=transition_from("resolve"),
            note=note,
            expected_version=expected_version,
            more=_confirmation(order, code),
        )
        _send_code(locked, note, code)
    return locked


def workorder_resolve_from_route(
    *, actor: Actor, order_id: int, note: str = "", route: dict[str, Any] | None = None
) -> WorkOrder | None:
    """A crew completed its route stop for the order (``teams``): the work is done, so the
    order is resolved with the crew's note (or a plain one), and the resident gets the
    one-time code to confirm, exactly as when staff resolve it. ``route`` (the plan and
    stop) is kept on the timeline.

    The crew may come before anyone took the order up: a dispatched or reopened order is
    taken as responded to now. An order already settled (resolved, closed or cancelled
    meanwhile) is left as it is: None. Needs the rights of the order's handlers."""
    note = common.clean_note(note, required=False) or _("Done at the crew's visit.")
    with transaction.atomic():
        locked = common.lock_order(order_id)
        if locked.status in SETTLED_STATUSES:
            return None
        common.require_handler(actor, locked)
        _require_stops_done(locked)
        code = f"{secrets.randbelow(1_000_000):06d}"
        before = locked.status
        fields = set_status(locked, Status.RESOLVED, allowed_from=CLAIMABLE)
        for name, value in _confirmation(locked, code).items():
            setattr(locked, name, value)
            fields.append(name)
        if before in AWAITING_RESPONSE and locked.responded_at is None:
            locked.responded_at = locked.resolved_at
            fields.append("responded_at")
        common.save_order(locked, fields)
        common.record(
            locked,
            EventKind.RESOLVED,
            actor=actor,
            from_status=before,
            note=note,
            data={"route": route} if route else None,
        )
        _send_code(locked, note, code)
    return locked


def workorder_complete(
    *, actor: Actor, order: WorkOrder, note: str, photo: bytes | None = None
) -> WorkOrder:
    """Field completion from a phone: the photo (if any) and the resolution, all or nothing."""
    if photo:
        check_photo(photo)
    with transaction.atomic():
        if photo:
            photo_add(actor=actor, order=order, data=photo, note=note[:200])
        return workorder_resolve(actor=actor, order=order, note=note)


def _require_stops_done(order: WorkOrder) -> None:
    if Stop.objects.filter(order=order, state=Stop.State.PENDING).exists():
        raise Conflict(_("Some stops are not done yet."), code="stops_pending")


def _confirmation(order: WorkOrder, code: str) -> dict[str, Any]:
    """The fields a resolution writes: when, and the resident's one-time code (hashed)."""
    now = clock.now()
    return {
        "resolved_at": now,
        "confirm_code_hash": lookup_hash(f"{order.pk}:{code}"),
        "confirm_code_expires_at": now + CONFIRM_CODE_VALID,
        "confirm_attempts": 0,
    }


def _send_code(order: WorkOrder, note: str, code: str) -> None:
    """The resident's message: what was done, and the code that confirms it."""
    common.notify_resident(
        order,
        _(
            "Order %(number)s is resolved: %(note)s. If your need is met, confirm with code "
            "%(code)s; if not, tell us and it will be reopened."
        )
        % {"number": order.number, "note": note[:200], "code": code},
    )


def workorder_confirm(
    *,
    number: str,
    code: str,
    satisfied: bool = True,
    satisfaction: int | None = None,
    note: str = "",
) -> WorkOrder:
    """The resident's answer with the one-time code: closes the order, or reopens it.

    Public, so an unknown number, an order not awaiting confirmation and a wrong code get
    one and the same error: the form must not tell which order numbers exist.

    Tries are counted under the order's row lock: parallel guesses queue, each sees the
    count the previous one left, and no more than ``CONFIRM_MAX_ATTEMPTS`` codes are ever
    compared with the right one."""
    found = WorkOrder.objects.filter(number=(number or "").strip()).only("pk").first()
    with transaction.atomic():
        order = common.lock_order(found) if found is not None else None
        awaiting = (
            order is not None and order.status == Status.RESOLVED and bool(order.confirm_code_hash)
        )
        if order is not None and awaiting and _confirm_code_matches(order, code):
            if satisfied:
                return _close(
                    actor=None, order=order, via="code", satisfaction=satisfaction, note=note
                )
            return workorder_reopen(
                actor=None,
                order=order,
                reason=note or _("Resident says not solved."),
                _resident=True,
            )
        if order is not None and awaiting and order.confirm_attempts < CONFIRM_MAX_ATTEMPTS:
            # Counted in a transaction that commits: the refusal is raised after it.
            order.confirm_attempts += 1
            common.save_order(order, ["confirm_attempts"])
    raise ServiceError(
        _("That code is wrong or has expired."),
        code="bad_code",
        fields={"code": [_("Wrong or expired code.")]},
    )


def _confirm_code_matches(order: WorkOrder, code: str) -> bool:
    """Whether ``code`` is the order's live confirmation code, while tries remain. Call
    with the order's row locked."""
    return (
        order.confirm_attempts < CONFIRM_MAX_ATTEMPTS
        and order.confirm_code_expires_at is not None
        and clock.now() <= order.confirm_code_expires_at
        and secrets.compare_digest(
            order.confirm_code_hash, lookup_hash(f"{order.pk}:{(code or '').strip()}")
        )
    )


def workorder_close(
    *, actor: Actor, order: WorkOrder, satisfaction: int | None = None, note: str = ""
) -> WorkOrder:
    """Close after a callback (回访) in which the resident confirmed the need was met."""
    return _close(actor=actor, order=order, via="callback", satisfaction=satisfaction, note=note)


def _close(
    *, actor: Actor | None, order: WorkOrder, via: str, satisfaction: int | None, note: str
) -> WorkOrder:
    if satisfaction is not None and not 1 <= satisfaction <= 5:
        raise ServiceError(
            _("Satisfaction is from 1 to 5."), fields={"satisfaction": [_("From 1 to 5.")]}
        )
    with transaction.atomic():
        locked = common.lock_order(order)
        if actor is not None:
            common.require_handler(actor, locked)
        before = locked.status
        fields = set_status(locked, Status.CLOSED, allowed_from=transition_from("close"))
        locked.closed_at, locked.satisfaction, locked.confirm_code_hash = (
            clock.now(),
            satisfaction,
            "",
        )
        common.save_order(locked, [*fields, "closed_at", "satisfaction", "confirm_code_hash"])
        common.record(
            locked,
            EventKind.CLOSED,
            actor=actor,
            from_status=before,
            note=common.clean_note(note, required=False),
            data={"via": via, "satisfaction": satisfaction},
        )
        common.notify_resident(
            locked, _("Order %(number)s is closed. Thank you.") % {"number": locked.number}
        )
    return locked


def workorder_reopen(
    *, actor: Actor | None, order: WorkOrder, reason: str, _resident: bool = False
) -> WorkOrder:
    """Reopen a resolved or closed order: the responsible unit gets fresh clocks."""
    reason = common.clean_note(reason, required=True, field="reason")
    with transaction.atomic():
        locked = common.lock_order(order)
        if not _resident:
            common.require_reopener(actor, locked)
        before = locked.status
        fields = set_status(locked, Status.REOPENED, allowed_from=transition_from("reopen"))
        target = clock_target(category=locked.category, priority=locked.priority)
        (locked.due_response_at, locked.due_resolution_at, locked.warn_at) = target.due(clock.now())
        locked.responded_at = locked.resolved_at = locked.closed_at = locked.warned_at = None
        locked.confirm_code_hash = ""
        common.save_order(
            locked,
            [
                *fields,
                "due_response_at",
                "due_resolution_at",
                "warn_at",
                "responded_at",
                "resolved_at",
                "closed_at",
                "warned_at",
                "confirm_code_hash",
            ],
        )
        common.record(locked, EventKind.REOPENED, actor=actor, from_status=before, note=reason)
        common.notify_unit(
            locked,
            locked.responsible_unit,
            _("Work order %(number)s was reopened.") % {"number": locked.number},
        )
    return locked
