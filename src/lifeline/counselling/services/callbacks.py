"""Callbacks: a call nobody answered becomes a callback owed, oldest first. The number the
phone system left is shown masked; a counsellor reveals it (audited) to call back, and it
is erased when the callback is done."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.core import clock
from lifeline.core.actors import Actor, user_of
from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict
from lifeline.core.personal import mask_phone, normalise_phone, phone_is_valid
from lifeline.counselling.models import Callback, CallbackStatus, Contact
from lifeline.counselling.services.common import invalid, require_line, text
from lifeline.registry.models import Unit

CALL_BACK_WITHIN = dt.timedelta(minutes=30)


def callback_request(
    *, actor: Actor, line: Unit, phone: str, missed_at: dt.datetime | None = None
) -> Callback:
    """A missed call on ``line``: owed a call back within 30 minutes. A number already
    waiting is not queued twice (the waiting callback is returned)."""
    require_line(actor, Perm.COUNSELLING_TAKE, line, _("You do not answer this line."))
    now = clock.now()
    number = normalise_phone(phone or "")
    fields: dict[str, list[str]] = {}
    if not phone_is_valid(number):
        fields["phone"] = [str(_("Not a phone number."))]
    missed = missed_at or now
    if missed > now + dt.timedelta(minutes=5):
        fields["missed_at"] = [str(_("A missed call cannot be in the future."))]
    if fields:
        raise invalid(fields)
    with transaction.atomic():
        waiting = Callback.objects.filter(
            line=line, phone=number, status=CallbackStatus.WAITING
        ).first()
        if waiting is not None:
            return waiting
        callback = Callback.objects.create(
            line=line,
            phone=number,
            phone_masked=mask_phone(number),
            missed_at=missed,
            due_at=missed + CALL_BACK_WITHIN,
            created_at=now,
        )
        audit_log(
            actor=actor, action="counselling.callback_request", obj=callback, fields=["phone"]
        )
    return callback


def callback_reveal(*, actor: Actor, callback: Callback, purpose: str = "") -> str:
    """The full number of a waiting callback, to dial it; audited."""
    require_line(actor, Perm.COUNSELLING_TAKE, callback.line)
    if callback.status != CallbackStatus.WAITING or not callback.phone:
        raise Conflict(_("This callback is already done; its number is erased."), code="done")
    fields: dict[str, list[str]] = {}
    why = text(purpose, 100, "purpose", fields) or "callback"
    if fields:
        raise invalid(fields)
    with transaction.atomic():
        audit_log(
            actor=actor,
            action="counselling.callback_reveal",
            obj=callback,
            purpose=why,
            fields=["phone"],
        )
    return callback.phone


def callback_take(*, actor: Actor, callback: Callback) -> Callback:
    """Take a waiting callback to call it: the queue shows who has it, and a colleague
    taking it too is told it is taken (compare-and-set). Taking one's own again is a no-op."""
    require_line(actor, Perm.COUNSELLING_TAKE, callback.line)
    user = user_of(actor)
    with transaction.atomic():
        taken = Callback.objects.filter(
            pk=callback.pk, status=CallbackStatus.WAITING, taken_by__isnull=True
        ).update(taken_by=user, taken_at=clock.now())
        if not taken:
            current = Callback.objects.get(pk=callback.pk)
            if current.status != CallbackStatus.WAITING:
                raise Conflict(_("Someone has already done this callback."), code="done")
            if user is None or current.taken_by_id != user.pk:
                raise Conflict(_("A colleague has taken this callback."), code="taken")
            callback.refresh_from_db()
            return callback
        audit_log(
            actor=actor, action="counselling.callback_take", obj=callback, fields=["taken_by"]
        )
    callback.refresh_from_db()
    return callback


def callback_complete(
    *, actor: Actor, callback: Callback, reached: bool, contact: Contact | None = None
) -> Callback:
    """Done: called back (``reached``) or could not be reached. The number is erased. Two
    counsellors finishing one callback at once: the second is told it is done."""
    require_line(actor, Perm.COUNSELLING_TAKE, callback.line)
    if contact is not None and contact.line_id != callback.line_id:
        raise invalid({"contact": [str(_("That contact is of another line."))]})
    status = CallbackStatus.DONE if reached else CallbackStatus.UNREACHABLE
    with transaction.atomic():
        done = Callback.objects.filter(pk=callback.pk, status=CallbackStatus.WAITING).update(
            status=status,
            phone="",
            done_at=clock.now(),
            done_by=user_of(actor),
            contact=contact,
        )
        if not done:
            raise Conflict(_("Someone has already done this callback."), code="done")
        audit_log(
            actor=actor,
            action="counselling.callback_complete",
            obj=callback,
            fields=["status", "phone"],
        )
    callback.refresh_from_db()
    return callback
