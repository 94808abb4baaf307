"""Residents without an account prove their phone with a one-time code sent by SMS, and
answer for their own resolved orders from that proven session.

Sending is rate-limited per phone and per network address by ``core.ratelimit`` (in the
database, shared by every app server). The counters are hit inside the send's transaction:
on PostgreSQL their rows stay locked until the commit, so parallel sends to one phone queue
and cannot pass the limits or the minute between codes together; a refused send counts
nothing. Checking a code locks the code's row, so parallel guesses cannot pass the limit of
tries either.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils.translation import gettext as _

from lifeline.core import clock, ratelimit
from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict, NotFound, ServiceError
from lifeline.core.models import OutboxMessage
from lifeline.core.personal import lookup_hash, normalise_phone, phone_is_valid
from lifeline.workorders.models import OneTimeCode, Status, WorkOrder
from lifeline.workorders.services import common
from lifeline.workorders.services.closing import _close, workorder_reopen

CODE_VALID = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 5
WINDOW = dt.timedelta(hours=1)
PER_PHONE = 5
PER_IP = 20
PHONE_LIMIT = ratelimit.Limit(PER_PHONE, WINDOW)
IP_LIMIT = ratelimit.Limit(PER_IP, WINDOW)
RESEND_AFTER = dt.timedelta(seconds=60)


class Throttled(ServiceError):
    status = 429

    def __init__(self) -> None:
        super().__init__(_("Too many codes were asked for. Try again later."), code="throttled")


def clean_phone(phone: str) -> str:
    phone = normalise_phone(phone or "")
    if not phone_is_valid(phone) or not phone.startswith("1"):
        raise ServiceError(
            _("Enter a mobile phone number."), fields={"phone": [_("Not a mobile number.")]}
        )
    return phone


def verification_send(*, phone: str, ip: str) -> OneTimeCode:
    """Send a 6-digit code to ``phone``; refused (Throttled) past the hourly limits or
    within a minute of the previous code. Writes the code's hash and the SMS together."""
    phone = clean_phone(phone)
    now = clock.now()
    code = f"{secrets.randbelow(1_000_000):06d}"
    with transaction.atomic():
        allowed = ratelimit.hit(f"otc:phone:{ratelimit.key_digest(phone)}", PHONE_LIMIT).allowed
        if ip:
            allowed &= ratelimit.hit(f"otc:ip:{ratelimit.key_digest(ip)}", IP_LIMIT).allowed
        # Read after the phone's counter is locked: a parallel send has committed by now.
        last = OneTimeCode.objects.filter(phone=phone).order_by("-created_at").first()
        if not allowed or (last is not None and last.created_at > now - RESEND_AFTER):
            raise Throttled()  # rolls the counts back: a refused send counts nothing
        row = OneTimeCode.objects.create(
            phone=phone,
            ip=(ip or "")[:45],
            code_hash=lookup_hash(f"otc:{phone}:{code}"),
            created_at=now,
            expires_at=now + CODE_VALID,
        )
        OutboxMessage.objects.create(
            channel="sms",
            recipient=phone,
            body=_("Your Lifeline code is %(code)s. It is valid for 10 minutes.") % {"code": code},
            object_type="workorders.onetimecode",
            object_id=str(row.pk),
        )
        audit_log(actor=None, action="resident.code_sent", obj=row, fields=["phone"])
    return row


def verification_check(*, phone: str, code: str) -> str:
    """The phone, proven, if ``code`` is the latest live code sent to it; ServiceError if
    not. A code works once; five wrong tries spend it."""
    phone = clean_phone(phone)
    now = clock.now()
    wrong = ServiceError(
        _("That code is wrong or has expired."), code="bad_code", fields={"code": [_("Wrong.")]}
    )
    with transaction.atomic():
        row = (
            OneTimeCode.objects.select_for_update()
            .filter(phone=phone, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at")
            .first()
        )
        if row is None or row.attempts >= MAX_ATTEMPTS:
            raise wrong
        if not secrets.compare_digest(row.code_hash, lookup_hash(f"otc:{phone}:{code.strip()}")):
            # Counted in a transaction that commits: the refusal is raised after it.
            OneTimeCode.objects.filter(pk=row.pk).update(attempts=row.attempts + 1)
        else:
            row.used_at = now
            row.save(update_fields=["used_at"])
            audit_log(actor=None, action="resident.phone_verified", obj=row, fields=["phone"])
            return phone
    raise wrong


def workorder_answer_as_resident(
    *,
    phone: str,
    number: str,
    satisfied: bool,
    satisfaction: int | None = None,
    note: str = "",
) -> WorkOrder:
    """The resident's answer to a resolved order, from a session whose phone they proved:
    closes the order (need met) or reopens it (not met). The proven phone stands in for
    the one-time code sent on resolution, so nothing is retyped.

    Only the order's own contact phone may answer: any other order is NotFound, the same
    as an unknown number. An order not awaiting the answer (already closed, reopened, still
    being worked) is a Conflict, and nothing is written."""
    number = (number or "").strip()[:20]
    found = (
        WorkOrder.objects.filter(number=number, contact_phone=phone).only("pk").first()
        if phone and number
        else None
    )
    if found is None:
        raise NotFound()
    with transaction.atomic():
        order = common.lock_order(found)
        if order.contact_phone != phone or order.status != Status.RESOLVED:
            raise Conflict(
                _("This request is not waiting for your answer."), code="not_awaiting_answer"
            )
        if satisfied:
            return _close(
                actor=None, order=order, via="resident", satisfaction=satisfaction, note=note
            )
        return workorder_reopen(
            actor=None,
            order=order,
            reason=note or _("Resident says not solved."),
            _resident=True,
        )
