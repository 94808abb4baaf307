"""The whitelist's life of an enterprise, set by its liaison or the district: suspended
(work stops, passes stopped), reopened after a positive is cleared (work resumes; stopped
passes stay stopped), closed (taken off the whitelist, for good)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict
from lifeline.enterprises.models import Bubble, Enterprise, LoopStatus, Whitelist
from lifeline.enterprises.services.closure import stop_passes
from lifeline.enterprises.services.common import invalid, require_manage, text

SUSPEND, REOPEN, CLOSE = "suspend", "reopen", "close"
ACTIONS = (SUSPEND, REOPEN, CLOSE)

# Where each action may start from, and where it leads.
FROM = {
    SUSPEND: (LoopStatus.ACTIVE,),
    REOPEN: (LoopStatus.SUSPENDED,),
    CLOSE: (LoopStatus.ACTIVE, LoopStatus.SUSPENDED),
}
TO = {SUSPEND: LoopStatus.SUSPENDED, REOPEN: LoopStatus.ACTIVE, CLOSE: LoopStatus.CLOSED}

CONTACT_TEXTS = {
    SUSPEND: gettext_lazy(
        "%(name)s: closed-loop work is suspended (%(reason)s). Its vehicle passes are stopped."
    ),
    REOPEN: gettext_lazy(
        "%(name)s: closed-loop work may resume (%(reason)s). Stopped vehicle passes stay "
        "stopped: apply again for each vehicle."
    ),
    CLOSE: gettext_lazy(
        "%(name)s is taken off the closed-loop whitelist (%(reason)s). Its vehicle passes "
        "are stopped."
    ),
}


def enterprise_status_change(
    *, actor: Actor, enterprise: Enterprise, action: str, reason: str
) -> Enterprise:
    """Suspend, reopen or close ``enterprise`` and all its loops (``ENTERPRISES_MANAGE``
    at its area), with a reason, audited, and the contact texted (outbox).

    Suspending or closing stops every vehicle pass of its loops as a positive does
    (revoked, or pending applications refused, by the rule). Reopening only lets work
    resume: revoked passes are not given back, each vehicle applies again. Closing takes
    the enterprise off the whitelist and cannot be undone (list it again instead).
    Refused (409, ``status``) when the enterprise is not in a state the action starts
    from, for instance when someone else changed it first."""
    require_manage(actor, enterprise.area_path)
    reason = (reason or "").strip()
    fields: dict[str, list[str]] = {}
    if action not in ACTIONS:
        fields["action"] = [_("Choose suspend, reopen or close.")]
    if not reason or len(reason) > 200:
        fields["reason"] = [_("Give the reason (at most 200 characters).")]
    if fields:
        raise invalid(fields)
    now = clock.now()
    with transaction.atomic():
        # The loops first, in key order, then the enterprise: the order a positive takes.
        bubbles = list(
            Bubble.objects.select_for_update().filter(enterprise_id=enterprise.pk).order_by("pk")
        )
        locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        if locked.status not in FROM[action]:
            raise Conflict(
                _("The enterprise is %(status)s: it cannot be changed that way.")
                % {"status": locked.get_status_display()},
                code="status",
            )
        target = TO[action]
        for bubble in bubbles:
            if bubble.status == target or bubble.status == LoopStatus.CLOSED:
                continue
            if action == REOPEN:
                bubble.reopened_at = now
            else:
                stop_passes(bubble, now, reason=reason, rule="closed loop suspended or closed")
            bubble.status = target
            bubble.save(update_fields=["status", "reopened_at"])
        locked.status = target
        locked.status_reason = reason
        locked.status_changed_at = now
        if action == CLOSE:
            locked.whitelist = Whitelist.REMOVED
        locked.save(update_fields=["status", "status_reason", "status_changed_at", "whitelist"])
        text(
            locked.contact_phone,
            CONTACT_TEXTS[action],
            object_id=locked.pk,
            name=locked.name,
            reason=reason,
        )
        audit_log(
            actor=actor,
            action=f"enterprises.{action}",
            obj=locked,
            purpose=reason,
            fields=["status", "whitelist"] if action == CLOSE else ["status"],
        )
    return locked
