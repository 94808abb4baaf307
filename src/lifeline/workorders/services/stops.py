"""A work order's own stops (``Stop``): the places one order's work visits in turn, e.g. the
sealed factory's gas card fetched, gas bought, then the card put in at the factory.

Not to be confused with a crew's route stops (``teams``), each a visit to one order or
delivery: a crew completing a route stop for a work order resolves it
(``closing.workorder_resolve_from_route``)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.errors import Conflict, NotFound
from lifeline.workorders.models import EventKind, Status, Stop, WorkOrder
from lifeline.workorders.services import common
from lifeline.workorders.services.lifecycle import set_status


def order_stop_complete(*, actor: Actor, order: WorkOrder, seq: int, note: str = "") -> Stop:
    """Mark the order's stop ``seq`` done; stops are done in order (the gas card before
    the factory), and the order can be resolved once none is pending."""
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
