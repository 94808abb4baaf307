"""Referrals to medical access: only with the caller's consent, or without it when a life
is at risk with the reason. The referral is handed to the medical side through the
work-order app's public intake, as a "medical care" order at the caller's area (else the
line's), carrying no more than the referral needs: where to, on what basis, why, and the
caller's phone only when they agreed to leave it. When the referrer may not file orders
there, the referral is recorded for the line to phone through."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can
from lifeline.core import clock
from lifeline.core.actors import Actor, user_of
from lifeline.core.audit import audit_log
from lifeline.core.errors import ServiceError
from lifeline.counselling.models import (
    Contact,
    Outcome,
    Referral,
    ReferralBasis,
    ReferralStatus,
    ReferralTo,
)
from lifeline.counselling.services.common import choice, invalid, require_line, text
from lifeline.counselling.services.contacts import _flag
from lifeline.registry.models import Area
from lifeline.workorders.services import workorder_create

MEDICAL_CATEGORY = "medical_care"
# What the medical-care category's "need" field is told: an ambulance, or a doctor's visit.
NEED = {ReferralTo.EMERGENCY: "transfer"}


def referral_make(
    *, actor: Actor, contact: Contact, to: str, basis: str, reason: str = ""
) -> Referral:
    """Refer the caller to medical access: with their consent (given on the contact), or
    without it only when a life is at risk, with the reason. Audited with its basis as
    purpose; a life-at-risk referral also flags the contact high-risk. Handed to medical
    care as a work order when the actor may file one at the caller's place (``SENT``),
    else recorded for the line to phone through (``TO_PHONE``); never refused for that."""
    require_line(actor, Perm.COUNSELLING_TAKE, contact.line)
    fields: dict[str, list[str]] = {}
    choice(to, ReferralTo.values, "to", fields)
    choice(basis, ReferralBasis.values, "basis", fields)
    why = text(reason, 300, "reason", fields)
    if basis == ReferralBasis.CONSENT and not contact.consent_referral:
        fields["basis"] = [
            str(
                _(
                    "The caller has not agreed to a referral; without consent refer only "
                    "when a life is at risk, and say why."
                )
            )
        ]
    if basis == ReferralBasis.LIFE_AT_RISK and len(why) < 5 and "reason" not in fields:
        fields["reason"] = [str(_("Say why the life is at risk."))]
    if fields:
        raise invalid(fields)
    now = clock.now()
    with transaction.atomic():
        referral = Referral.objects.create(
            line_id=contact.line_id,
            contact=contact,
            to=to,
            basis=basis,
            reason=why,
            made_by=user_of(actor),
            made_at=now,
        )
        Contact.objects.filter(pk=contact.pk).update(outcome=Outcome.REFERRED)
        if basis == ReferralBasis.LIFE_AT_RISK and contact.flagged_at is None:
            _flag(actor, Contact.objects.select_for_update().get(pk=contact.pk), now)
            contact.refresh_from_db()
        _hand_over(actor, contact, referral)
        audit_log(
            actor=actor,
            action="counselling.referral_make",
            obj=referral,
            purpose=f"referral: {basis}",
            fields=["to", "basis", "reason", "status", "order_ref"],
        )
    contact.refresh_from_db()
    return referral


def _place(contact: Contact) -> Area | None:
    """Where the medical side goes: the caller's area, else the area the line serves."""
    if contact.area_id is not None:
        return contact.area
    return contact.line.areas.order_by("depth", "path").first()


def order_text(contact: Contact, referral: Referral) -> str:
    """The order's description: the referral and nothing about the caller's story."""
    words = _("Counselling line referral to %(to)s (%(basis)s).") % {
        "to": ReferralTo(referral.to).label,
        "basis": ReferralBasis(referral.basis).label,
    }
    if contact.flagged_at is not None:
        words += " " + _("High risk (self-harm).")
    if referral.reason:
        words += " " + referral.reason
    if not contact.caller_phone:
        words += " " + _("The caller left no number: contact the line %(phone)s.") % {
            "phone": contact.line.phone or contact.line.name
        }
    return words


def _hand_over(actor: Actor, contact: Contact, referral: Referral) -> None:
    place = _place(contact)
    if place is None or not can(actor, Perm.WORKORDER_FILE, path=place.path):
        return
    phone = contact.caller_phone if contact.consent_contact else ""
    extra: dict[str, Any] = {
        "need": NEED.get(ReferralTo(referral.to), "visit"),
        "hospital": str(ReferralTo(referral.to).label),
    }
    try:
        # A savepoint: an order refused by intake leaves the referral recorded to phone.
        with transaction.atomic():
            intake = workorder_create(
                actor=actor,
                description=order_text(contact, referral),
                category_code=MEDICAL_CATEGORY,
                channel="staff",
                area=place,
                # Only the area the caller gave: the medical side reaches them by phone.
                address=place.name,
                contact_phone=phone,
                extra=extra,
            )
    except ServiceError:
        # Intake refused it (no unit takes medical care there, say): the line phones.
        return
    order = intake.order
    referral.status = ReferralStatus.SENT
    referral.order_ref = order.pk
    referral.order_number = order.number or ""
    referral.save(update_fields=["status", "order_ref", "order_number"])
