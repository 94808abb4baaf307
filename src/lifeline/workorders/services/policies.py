"""The switch between clock policy versions ("normal", "lockdown surge")."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can
from lifeline.core.actors import Actor
from lifeline.core.audit import audit_log
from lifeline.core.errors import NotFound, PermissionDenied
from lifeline.registry.models import Area
from lifeline.workorders.models import SlaPolicyVersion


def sla_policy_activate(*, actor: Actor, code: str) -> SlaPolicyVersion:
    """Switch the clock policy (e.g. to "lockdown surge"). New and reopened orders and
    escalations use it; running clocks keep the targets they started with.

    The policy holds for the whole city, so supervising one district is not enough: the
    actor must supervise work orders at the top of the area tree."""
    tops = list(Area.objects.filter(parent__isnull=True).values_list("path", flat=True))
    if not tops or not all(can(actor, Perm.WORKORDER_SUPERVISE, path=top) for top in tops):
        raise PermissionDenied(_("Only the command centre may switch clock policies."))
    with transaction.atomic():
        version = SlaPolicyVersion.objects.select_for_update().filter(code=code).first()
        if version is None:
            raise NotFound(_("No such clock policy."))
        SlaPolicyVersion.objects.filter(active=True).exclude(pk=version.pk).update(active=False)
        version.active = True
        version.save(update_fields=["active"])
        audit_log(actor=actor, action="sla_policy.activate", obj=version, fields=["active"])
    return version
