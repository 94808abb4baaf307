"""Contacts: logged with the least personal data possible, flagged high-risk (the
supervisor is told at once), acted on by the supervisor, referred to medical access only
with consent or when a life is at risk."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lifeline.accounts.models import Role, User
from lifeline.accounts.permissions import Perm
from lifeline.core import clock
from lifeline.core.actors import Actor, user_of
from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict
from lifeline.core.outbox import enqueue_sms
from lifeline.core.personal import normalise_phone, phone_is_valid
from lifeline.counselling.models import (
    Contact,
    Counsellor,
    Outcome,
    Risk,
    Topic,
)
from lifeline.counselling.services.common import choice, invalid, require_line, text
from lifeline.registry.models import Area, Unit

ALERT = gettext_lazy(
    "Counselling line %(line)s: a high-risk contact (self-harm) at %(time)s needs a "
    "supervisor now. Open the supervisor's page."
)


def _checked(values: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    fields: dict[str, list[str]] = {}
    started = values.get("started_at") or now
    if started > now + dt.timedelta(minutes=5):
        fields["started_at"] = [str(_("A contact cannot start in the future."))]
    try:
        minutes = int(values.get("minutes"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        minutes = -1
    if not 0 <= minutes <= 600:
        fields["minutes"] = [str(_("Between 0 and 600 minutes."))]
    clean = {
        "started_at": started,
        "minutes": minutes,
        "topic": choice(values.get("topic"), Topic.values, "topic", fields),
        "outcome": choice(values.get("outcome"), Outcome.values, "outcome", fields),
        "risk": choice(values.get("risk") or Risk.NONE, Risk.values, "risk", fields),
        "note": text(values.get("note"), 500, "note", fields),
        "consent_contact": bool(values.get("consent_contact")),
        "consent_referral": bool(values.get("consent_referral")),
    }
    name = text(values.get("caller_name"), 50, "caller_name", fields)
    phone = normalise_phone(str(values.get("caller_phone") or ""))
    if (name or phone) and not clean["consent_contact"]:
        message = str(_("Keep a name or phone only when the caller agrees."))
        fields["consent_contact"] = [message]
    if phone and not phone_is_valid(phone):
        fields["caller_phone"] = [str(_("Not a phone number."))]
    if fields:
        raise invalid(fields)
    clean["caller_name"], clean["caller_phone"] = name, phone
    return clean


def contact_log(
    *,
    actor: Actor,
    line: Unit,
    topic: str,
    outcome: str,
    minutes: Any,
    risk: str = Risk.NONE,
    started_at: dt.datetime | None = None,
    enterprise: Unit | None = None,
    area: Area | None = None,
    consent_contact: bool = False,
    consent_referral: bool = False,
    caller_name: str = "",
    caller_phone: str = "",
    note: str = "",
) -> Contact:
    """One contact with the line, anonymous unless the caller consents to leave a name or
    phone. A contact logged as high risk is flagged at once (the supervisor is told)."""
    require_line(actor, Perm.COUNSELLING_TAKE, line, _("You do not answer this line."))
    now = clock.now()
    values = _checked(
        {
            "started_at": started_at,
            "minutes": minutes,
            "topic": topic,
            "outcome": outcome,
            "risk": risk,
            "note": note,
            "consent_contact": consent_contact,
            "consent_referral": consent_referral,
            "caller_name": caller_name,
            "caller_phone": caller_phone,
        },
        now,
    )
    user = user_of(actor)
    counsellor = (
        Counsellor.objects.filter(line=line, user_id=user.pk).first() if user is not None else None
    )
    with transaction.atomic():
        contact = Contact.objects.create(
            line=line,
            counsellor=counsellor,
            taken_by=user_of(actor),
            enterprise=enterprise,
            area=area,
            created_at=now,
            **values,
        )
        audit_log(
            actor=actor,
            action="counselling.contact_log",
            obj=contact,
            fields=sorted(k for k, v in values.items() if v not in ("", None, False)),
        )
        if contact.risk == Risk.HIGH:
            _flag(actor, contact, now)
    return contact


def _supervisor_phones(line: Unit) -> list[str]:
    phones = (
        User.objects.filter(
            is_active=True,
            memberships__active=True,
            memberships__role=Role.COUNSELLING_SUPERVISOR,
            memberships__unit=line,
        )
        .exclude(phone="")
        .values_list("phone", flat=True)
        .distinct()
    )
    found = sorted(set(phones))
    return found or ([line.phone] if line.phone else [])


def _flag(actor: Actor, contact: Contact, now: dt.datetime) -> None:
    Contact.objects.filter(pk=contact.pk).update(
        risk=Risk.HIGH, flagged_at=now, flagged_by=user_of(actor)
    )
    contact.refresh_from_db()
    with translation.override(settings.LANGUAGE_CODE):
        body = str(ALERT) % {
            "line": contact.line.name,
            "time": f"{timezone.localtime(now):%H:%M}",
        }
    for phone in _supervisor_phones(contact.line):
        enqueue_sms(
            recipient=phone,
            body=body,
            object_type="counselling.contact",
            object_id=str(contact.pk),
        )
    audit_log(
        actor=actor,
        action="counselling.contact_flag_high_risk",
        obj=contact,
        purpose="self-harm risk",
        fields=["risk", "flagged_at"],
    )


def contact_flag_high_risk(*, actor: Actor, contact: Contact) -> Contact:
    """Flag a contact high-risk (self-harm): shown on the supervisor's page until acted
    on, and the supervisors are texted now. Flagging twice tells them once."""
    require_line(actor, Perm.COUNSELLING_TAKE, contact.line)
    with transaction.atomic():
        locked = Contact.objects.select_for_update().get(pk=contact.pk)
        if locked.flagged_at is None:
            _flag(actor, locked, clock.now())
    contact.refresh_from_db()
    return contact


def contact_handle(*, actor: Actor, contact: Contact, note: str) -> Contact:
    """The supervisor records what was done about a high-risk contact."""
    require_line(actor, Perm.COUNSELLING_SUPERVISE, contact.line, _("Only the supervisor."))
    fields: dict[str, list[str]] = {}
    clean = text(note, 300, "note", fields)
    if not clean and not fields:
        fields["note"] = [str(_("Say what was done."))]
    if contact.flagged_at is None:
        fields["contact"] = [str(_("This contact is not flagged high-risk."))]
    if fields:
        raise invalid(fields)
    with transaction.atomic():
        done = Contact.objects.filter(pk=contact.pk, handled_at__isnull=True).update(
            handled_at=clock.now(), handled_by=user_of(actor), handled_note=clean
        )
        if not done:
            raise Conflict(_("Someone has already acted on this contact."), code="handled")
        audit_log(
            actor=actor, action="counselling.contact_handle", obj=contact, fields=["handled_note"]
        )
    contact.refresh_from_db()
    return contact
