"""Pass reads, all through ``scoped`` except the holder's page, which is reached by the
pass id itself (80 random bits, and the QR it shows is readable by anyone anyway)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncHour
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from lifeline.accounts.models import Membership
from lifeline.accounts.permissions import Perm, permissions_of
from lifeline.accounts.scoping import scope_for, scoped
from lifeline.core.actors import Actor
from lifeline.core.errors import NotFound
from lifeline.passes.models import (
    ApplicantKind,
    ApplicationStatus,
    Checkpoint,
    MovementPass,
    PassApplication,
    PassCheck,
    PassType,
    RelayHandoff,
)
from lifeline.registry.models import Area, Unit


def pass_type_list() -> QuerySet[PassType]:
    return PassType.objects.filter(active=True)


def application_queue(*, actor: Actor) -> QuerySet[PassApplication]:
    """Pending applications of the units where the actor holds ``PASS_APPROVE`` (with the
    units below them), the most urgent first."""
    units = sorted(scope_for(actor).grant(Perm.PASS_APPROVE).unit_ids)
    return (
        PassApplication.objects.filter(status=ApplicationStatus.PENDING, approver_unit_id__in=units)
        .select_related("pass_type", "approver_unit", "applicant", "applicant_unit")
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


@dataclass(frozen=True)
class ApplyChoices:
    """What the actor may apply for on the form: for themselves (in the areas where they
    hold ``PASS_APPLY``) and for the units whose membership lets them apply (in the areas
    those units serve, with the areas one level below)."""

    self_areas: list[Area]
    units: list[Unit]
    unit_areas: list[Area]
    pass_types: list[PassType]

    @property
    def kinds(self) -> list[str]:
        kinds = [ApplicantKind.SELF.value] if self.self_areas else []
        return kinds + ([ApplicantKind.UNIT.value] if self.units else [])

    def area(self, pk: int) -> Area:
        return next(a for a in [*self.self_areas, *self.unit_areas] if a.pk == pk)

    def unit(self, pk: int | None) -> Unit | None:
        return next((u for u in self.units if u.pk == pk), None)


def apply_choices(*, actor: Actor) -> ApplyChoices:
    memberships = Membership.objects.filter(user_id=actor.pk, active=True).select_related(
        "area", "unit"
    )
    self_areas: dict[int, Area] = {}
    units: dict[int, Unit] = {}
    for m in memberships:
        perms = permissions_of(m.role)
        if m.area is not None and Perm.PASS_APPLY in perms:
            self_areas[m.area.pk] = m.area
        if m.unit is not None and perms & {Perm.PASS_APPLY, Perm.PASS_VIEW}:
            units[m.unit.pk] = m.unit
    served = Area.objects.filter(units__in=list(units)).distinct()
    unit_areas = list(
        Area.objects.filter(Q(pk__in=served.values("pk")) | Q(parent__in=served.values("pk")))
        .distinct()
        .order_by("path")
    )
    choices = ApplyChoices(
        self_areas=sorted(self_areas.values(), key=lambda a: a.path),
        units=sorted(units.values(), key=lambda u: u.code),
        unit_areas=unit_areas,
        pass_types=[],
    )
    kinds = set(choices.kinds)
    types = [t for t in pass_type_list() if set(t.applicant_kinds) & kinds]
    return dataclasses.replace(choices, pass_types=types)


def checkpoint_setup_choices(*, actor: Actor) -> tuple[list[Area], list[Unit]]:
    """Where the actor may set up a checkpoint (the areas of their ``PASS_MANAGE_CHECKPOINTS``
    memberships and the areas one level below) and the units they may put in charge."""
    grant = scope_for(actor).grant(Perm.PASS_MANAGE_CHECKPOINTS)
    if not grant.area_paths and not grant.unit_ids:
        return [], []
    top = Q(path__in=grant.area_paths) | Q(parent__path__in=grant.area_paths)
    areas = list(Area.objects.filter(top).order_by("path")[:300])
    served = Q(pk__in=sorted(grant.unit_ids))
    for prefix in grant.area_paths:
        served |= Q(areas__path__startswith=prefix)
    units = list(Unit.objects.filter(served).distinct().order_by("code")[:300])
    return areas, units


def area_names(*, codes: set[str]) -> dict[str, str]:
    """Area codes of pass scopes with their names in the page's language (reference data)."""
    found = Area.objects.filter(code__in=sorted(codes)).only("code", "name", "name_en")
    english = (get_language() or "").startswith("en")
    return {a.code: (a.name_en if english and a.name_en else a.name) for a in found}
