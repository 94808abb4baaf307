"""Health reads. Anything about a person goes through ``scoped`` (``HEALTH_VIEW`` at the
person's place; transfers also to whoever sees their work order); reference data is public
to members (hospitals, rule tables)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import require, scoped
from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.errors import NotFound
from lifeline.core.replica import reads_replica
from lifeline.health.models import (
    AreaRisk,
    Decision,
    DesignatedHospital,
    HealthStatus,
    MedicalTransfer,
    RuleTable,
    StandingNeed,
)
from lifeline.health.vocab import (
    RISK_ORDER,
    STAY_HOME_COLOURS,
    STAY_HOME_QUARANTINES,
    CodeColour,
    Quarantine,
    RiskLevel,
)
from lifeline.registry.models import Person
from lifeline.registry.tree import ancestor_paths
from lifeline.workorders.models import OPEN_STATUSES


@dataclass(frozen=True)
class EffectiveStatus:
    """What holds now. ``known`` is False when no status is in force (treated as green)."""

    colour: str
    quarantine: str
    known: bool
    row: HealthStatus | None = None


def _in_force(at: dt.datetime) -> Q:
    return Q(valid_from__lte=at) & (Q(valid_to__isnull=True) | Q(valid_to__gt=at))


def effective_status(*, person_id: int, at: dt.datetime | None = None) -> EffectiveStatus:
    """The person's status in force at ``at`` (now by default). Internal: no scope check."""
    at = at or clock.now()
    row = HealthStatus.objects.filter(person_id=person_id, current=True).first()
    if row is None or not (row.valid_from <= at and (row.valid_to is None or row.valid_to > at)):
        # The current row may have lapsed (valid_to passed): nothing restricts the person.
        return EffectiveStatus(CodeColour.GREEN, Quarantine.NONE, known=False)
    return EffectiveStatus(row.colour, row.quarantine, known=True, row=row)


def statuses_in_force(*, at: dt.datetime | None = None) -> QuerySet[HealthStatus]:
    """Every person's status in force at ``at`` (now by default): the current rows that
    have not lapsed. Internal: no scope (callers scope it, or count with it)."""
    return HealthStatus.objects.filter(_in_force(at or clock.now()), current=True)


def staying_home(*, at: dt.datetime | None = None) -> QuerySet[HealthStatus]:
    """The statuses in force under which a person must stay home (a red code, home
    quarantine or home health monitoring). Internal: no scope."""
    return statuses_in_force(at=at).filter(
        Q(colour__in=STAY_HOME_COLOURS) | Q(quarantine__in=STAY_HOME_QUARANTINES)
    )


def area_risk_level(*, path: str, at: dt.datetime | None = None) -> str:
    """The highest risk in force on the area or any area above it (a high-risk district
    makes every community in it high-risk); low when none is declared."""
    if not path:
        return RiskLevel.LOW
    levels = AreaRisk.objects.filter(
        _in_force(at or clock.now()), area_path__in=ancestor_paths(path)
    ).values_list("level", flat=True)
    return max(levels, key=lambda lv: RISK_ORDER[RiskLevel(lv)], default=RiskLevel.LOW)


def status_current(*, actor: Actor, person: Person) -> EffectiveStatus:
    require(actor, Perm.HEALTH_VIEW, path=person.area_path)
    return effective_status(person_id=person.pk)


def status_history(*, actor: Actor, person: Person) -> QuerySet[HealthStatus]:
    return scoped(HealthStatus.objects.filter(person=person), actor).order_by("-valid_from", "-id")


@reads_replica
def status_list(*, actor: Actor, colour: str = "", quarantine: str = "") -> QuerySet[HealthStatus]:
    qs = scoped(HealthStatus.objects.filter(current=True), actor)
    if colour:
        qs = qs.filter(colour=colour)
    if quarantine:
        qs = qs.filter(quarantine=quarantine)
    return qs.select_related("person")


def area_risk_list(*, actor: Actor, at: dt.datetime | None = None) -> QuerySet[AreaRisk]:
    return scoped(AreaRisk.objects.filter(_in_force(at or clock.now())), actor)


def decision_list(*, actor: Actor, person: Person | None = None) -> QuerySet[Decision]:
    qs = scoped(Decision.objects.all(), actor)
    if person is not None:
        qs = qs.filter(person=person)
    return qs.select_related("rule", "hospital__facility")


def decision_latest(*, actor: Actor, person: Person) -> Decision | None:
    """The person's latest decision the actor may see (the hotline console shows it)."""
    return decision_list(actor=actor, person=person).order_by("-created_at").first()


def decision_get(*, actor: Actor, pk: int) -> Decision:
    decision = decision_list(actor=actor).filter(pk=pk).first()
    if decision is None:
        raise NotFound()
    return decision


def hospital_list(*, actor: Actor, role: str = "") -> QuerySet[DesignatedHospital]:
    qs = scoped(DesignatedHospital.objects.filter(active=True), actor)
    if role:
        qs = qs.filter(role=role)
    return qs.select_related("facility", "district")


def active_rule_table() -> RuleTable | None:
    return RuleTable.objects.filter(status=RuleTable.Status.ACTIVE).first()


@reads_replica
def transfer_list(
    *, actor: Actor, person: Person | None = None, open_only: bool = False
) -> QuerySet[MedicalTransfer]:
    """Transfers in the actor's area, or done by the actor's unit."""
    qs = scoped(MedicalTransfer.objects.all(), actor)
    if person is not None:
        qs = qs.filter(person=person)
    if open_only:
        qs = qs.filter(handed_over_at__isnull=True, order__status__in=OPEN_STATUSES)
    return qs.select_related(
        "order", "person", "decision__rule", "hospital__facility", "standing_need"
    )


def transfer_get(*, actor: Actor, pk: int) -> MedicalTransfer:
    transfer = transfer_list(actor=actor).filter(pk=pk).first()
    if transfer is None:
        raise NotFound()
    return transfer


@reads_replica
def standing_need_list(
    *, actor: Actor, person: Person | None = None, active_only: bool = False
) -> QuerySet[StandingNeed]:
    qs = scoped(StandingNeed.objects.all(), actor)
    if person is not None:
        qs = qs.filter(person=person)
    if active_only:
        qs = qs.filter(active=True)
    return qs.select_related("person", "hospital__facility")


def standing_need_get(*, actor: Actor, pk: int) -> StandingNeed:
    need = standing_need_list(actor=actor).filter(pk=pk).first()
    if need is None:
        raise NotFound()
    return need


def people_by_own_phone(*, phone: str) -> QuerySet[Person]:
    """The registry's people whose own phone is ``phone``: for a resident who proved that
    phone with a one-time code, and for nobody else (no actor, so no scope)."""
    if not phone:
        return Person.objects.none()
    return Person.objects.filter(phone=phone).order_by("pk")
