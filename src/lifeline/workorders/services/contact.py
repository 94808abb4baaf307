"""Revealing an order's contact phone in full, to call the resident back.

The same rules as a registry reveal (``registry.sensitive``): ``Perm.REVEAL`` at the
order's place, a reason from ``REVEAL_REASONS`` and a few words, the same hourly and
daily limits per user (the same counters, so reveals here and there add up), and an
audit record naming the field and the reason, never the value."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.core import ratelimit
from lifeline.core.actors import Actor
from lifeline.core.audit import audit_log
from lifeline.core.errors import ServiceError, TooManyRequests
from lifeline.registry.sensitive import DAY, HOUR, REVEAL_REASONS
from lifeline.workorders.models import WorkOrder
from lifeline.workorders.services import common


def contact_reveal_may(actor: Actor, order: WorkOrder) -> bool:
    """Whether the order page offers the reveal form."""
    return bool(order.contact_phone) and common.can_at(actor, Perm.REVEAL, order)


def _count(actor: Actor) -> None:
    limits = (
        ("h", ratelimit.Limit(int(settings.LIFELINE_REVEALS_PER_HOUR), HOUR)),
        ("d", ratelimit.Limit(int(settings.LIFELINE_REVEALS_PER_DAY), DAY)),
    )
    for suffix, limit in limits:
        verdict = ratelimit.hit(f"reveal:{suffix}:user:{actor.pk}", limit)
        if not verdict.allowed:
            raise TooManyRequests(
                _("You have revealed many values lately. Try later."),
                retry_after=verdict.retry_after_seconds,
            )


def workorder_contact_reveal(*, actor: Actor, order: WorkOrder, reason: str, purpose: str) -> str:
    """The order's contact phone in full. Refused (and not counted) without
    ``Perm.REVEAL`` at the order's place, a reason from the list or a few words; refused
    past the actor's limits. Writes one audit record (``workorder.contact_reveal``)."""
    common.require_at(actor, Perm.REVEAL, order, _("Your role may not reveal this."))
    purpose = " ".join((purpose or "").split())[:200]
    errors: dict[str, list[str]] = {}
    if reason not in REVEAL_REASONS:
        errors["reason"] = [_("Choose a reason from the list.")]
    if len(purpose) < 2:
        errors["purpose"] = [_("Say in a few words why you need to see this.")]
    if errors:
        raise ServiceError(_("Say why you need to see this."), fields=errors)
    _count(actor)
    with transaction.atomic():
        audit_log(
            actor=actor,
            action="workorder.contact_reveal",
            obj=order,
            purpose=f"{reason}: {purpose}",
            fields=["contact_phone"],
        )
    return order.contact_phone
