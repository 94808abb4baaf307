"""The texts a pass holder gets when their application is decided (through the outbox, in
the deciding transaction, so a rolled-back decision sends nothing)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from lifeline.core.outbox import enqueue_sms
from lifeline.passes.models import MovementPass, PassApplication


def pass_link(issued: MovementPass) -> str:
    """The holder's page of the pass (a path: the SMS gateway adds the site's address)."""
    return reverse("passes:holder", args=[issued.pass_id])


def holder_approved(*, application: PassApplication, issued: MovementPass) -> bool:
    """Queue "your pass is approved" with the link and the short id; False when the
    application names no phone to tell."""
    if not application.holder_phone:
        return False
    enqueue_sms(
        recipient=application.holder_phone,
        body=_("Your %(type)s for %(holder)s is approved. Pass number %(id)s: %(link)s")
        % {
            "type": application.pass_type.local_name,
            "holder": application.holder_label,
            "id": issued.pass_id,
            "link": pass_link(issued),
        },
        object_type="passes.movementpass",
        object_id=issued.pass_id,
    )
    return True


def holder_refused(*, application: PassApplication) -> bool:
    """Queue "your application was refused" with the reason; False without a phone."""
    if not application.holder_phone:
        return False
    enqueue_sms(
        recipient=application.holder_phone,
        body=_("Your %(type)s application for %(holder)s was refused: %(reason)s")
        % {
            "type": application.pass_type.local_name,
            "holder": application.holder_label,
            "reason": application.refusal_reason,
        },
        object_type="passes.passapplication",
        object_id=str(application.pk),
    )
    return True
