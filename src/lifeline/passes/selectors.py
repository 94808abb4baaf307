"""Pass reads, all through ``scoped`` except the holder's page, which is reached by the
pass id itself (80 random bits, and the QR it shows is readable by anyone anyway)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncHour
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import scope_for, scoped
from lifeline.core.actors import Actor
from lifeline.core.errors import NotFound
from lifeline.passes.models import (
    ApplicationStatus,
    Checkpoint,
    MovementPass,
    PassApplication,
    PassCheck,
    PassType,
    RelayHandoff,
)


def pass_type_list() -> QuerySet[PassType]:
    return PassType.objects.filter(active=True)


def application_queue(*, actor: Actor) -> QuerySet[PassApplication]:
    """Pending applications of the units where the actor holds ``PASS_APPROVE`` (with the
    units below them), the most urgent first."""
    units = sorted(scope_for(actor).grant(Perm.PASS_APPROVE).unit_ids)
    return (
        PassApplication.objects.filter(status=ApplicationStatus.PENDING, approver_unit_id__in=units)
        .select_related("pass_type", "approver_unit")
        .order_by("due_at", "pk")
    )


def application_list(*, actor: Actor) -> QuerySet[PassApplication]:
    """What the actor may see: its own applications, and those in its areas or units."""
    visible = scoped(PassApplication.objects.all(), actor).values("pk")
    return (
        PassApplication.objects.filter(Q(pk__in=visible) | Q(applicant_id=actor.pk))
        .select_related("pass_type", "approver_unit")
        .order_by("-submitted_at", "-pk")
    )


def application_get(*, actor: Actor, pk: int) -> PassApplication:
    found = application_list(actor=actor).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("No such application."))
    return found


def pass_for_holder(*, pass_id: str) -> MovementPass:
    found = MovementPass.objects.select_related("pass_type", "issuer_unit").filter(pass_id=pass_id)
    result = found.first()
    if result is None:
        raise NotFound(_("No such pass."))
    return result


def pass_status(*, pass_id: str) -> MovementPass | None:
    """Live status for a checkpoint: the issued row, or None when the id is unknown."""
    return MovementPass.objects.filter(pass_id=pass_id).first()


def checkpoint_list(*, actor: Actor, perm: str | None = None) -> QuerySet[Checkpoint]:
    """Checkpoints the actor sees (by area or by unit), or those where they hold ``perm``."""
    return scoped(Checkpoint.objects.all(), actor, perm)


def checkpoint_get(*, actor: Actor, code: str) -> Checkpoint:
    found = checkpoint_list(actor=actor).filter(code=code).first()
    if found is None:
        raise NotFound(_("No such checkpoint."))
    return found


def crossings_per_hour(
    *, actor: Actor, checkpoint: Checkpoint, day: dt.date
) -> list[dict[str, Any]]:
    """Checks at ``checkpoint`` on ``day`` (city time) per hour, split by result."""
    rows = (
        scoped(PassCheck.objects.filter(checkpoint=checkpoint), actor)
        .filter(checked_at__date=day)
        .annotate(hour=TruncHour("checked_at"))
        .values("hour")
        .annotate(total=Count("pk"), ok=Count("pk", filter=Q(result="ok")))
        .order_by("hour")
    )
    return [
        {"hour": r["hour"], "total": r["total"], "ok": r["ok"], "refused": r["total"] - r["ok"]}
        for r in rows
    ]


def relay_list(*, actor: Actor, checkpoint: Checkpoint) -> QuerySet[RelayHandoff]:
    return scoped(RelayHandoff.objects.filter(checkpoint=checkpoint), actor)
