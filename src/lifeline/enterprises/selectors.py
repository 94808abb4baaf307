"""Enterprises reads, scoped to where the actor may see enterprises (``ENTERPRISES_VIEW``).

Compliance: each sealed member's tests in the policy's window, read through screening's
public selectors (the workers' policy in force at the enterprise, 5 in 7 by default). A
member not linked to a registry resident has no known tests and counts as behind."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import scope_for, scoped
from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.errors import NotFound
from lifeline.core.personal import mask_name, mask_phone
from lifeline.core.replica import reads_replica
from lifeline.enterprises.models import Bubble, BubbleNeed, Enterprise, SealedStaff, Vehicle
from lifeline.passes.models import MovementPass, PassApplication
from lifeline.registry.models import Area
from lifeline.screening.selectors import tests_in_window_for, workers_policy_at

DEFAULT_POLICY = (5, 7)
# The list of those behind is worked through by this hour of the day (local time).
DEADLINE_HOUR = 20


@reads_replica
def enterprise_list(*, actor: Actor, status: str = "") -> QuerySet[Enterprise]:
    qs = scoped(Enterprise.objects.select_related("area"), actor)
    return qs.filter(status=status) if status else qs


def enterprise_get(*, actor: Actor, pk: int) -> Enterprise:
    found = enterprise_list(actor=actor).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def bubble_get(*, actor: Actor, pk: int) -> Bubble:
    found = scoped(Bubble.objects.select_related("enterprise__area"), actor).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def staff_get(*, actor: Actor, pk: int) -> SealedStaff:
    found = scoped(SealedStaff.objects.select_related("bubble"), actor).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def vehicle_get(*, actor: Actor, pk: int) -> Vehicle:
    qs = scoped(Vehicle.objects.select_related("bubble__enterprise__area"), actor)
    found = qs.filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def manage_areas(*, actor: Actor) -> QuerySet[Area]:
    """Areas where the actor may list enterprises (district down to community)."""
    grant = scope_for(actor).grant(Perm.ENTERPRISES_MANAGE)
    qs = Area.objects.none()
    for prefix in grant.area_paths:
        qs = qs | Area.objects.filter(path__startswith=prefix)
    return qs.filter(level__in=("district", "street", "community")).order_by("path")


def policy_for(enterprise: Enterprise, on: dt.date) -> tuple[int, int]:
    """(tests, days): screening's workers' policy at the enterprise, else 5 in 7."""
    return workers_policy_at(area_path=enterprise.area_path, on=on) or DEFAULT_POLICY


@dataclass(frozen=True)
class MemberCompliance:
    staff_id: int
    bubble_id: int
    bubble: str
    name: str  # masked
    critical_role: str
    tests: int
    required: int
    days: int
    linked: bool
    positive: bool

    @property
    def behind(self) -> bool:
        return self.tests < self.required


@dataclass(frozen=True)
class Compliance:
    enterprise_id: int
    required: int
    days: int
    due_by: dt.datetime  # the members behind are to be tested by then (20:00 today)
    members: list[MemberCompliance]

    @property
    def behind(self) -> list[MemberCompliance]:
        return [m for m in self.members if m.behind]

    @property
    def percent(self) -> int | None:
        if not self.members:
            return None
        return round(100 * (len(self.members) - len(self.behind)) / len(self.members))


def compliance(
    *, actor: Actor, enterprise: Enterprise, at: dt.datetime | None = None
) -> Compliance:
    """Each active member's tests against the policy, as of ``at`` (now); names masked."""
    enterprise = enterprise_get(actor=actor, pk=enterprise.pk)
    return _compliance_many([enterprise], at or clock.now())[enterprise.pk]


def compliance_many(
    *, actor: Actor, enterprises: list[Enterprise], at: dt.datetime | None = None
) -> dict[int, Compliance]:
    """``compliance`` for several enterprises the caller has read through ``enterprise_list``."""
    return _compliance_many(enterprises, at or clock.now())


def _compliance_many(enterprises: list[Enterprise], at: dt.datetime) -> dict[int, Compliance]:
    today = timezone.localdate(at)
    local = timezone.localtime(at)
    due_by = local.replace(hour=DEADLINE_HOUR, minute=0, second=0, microsecond=0)
    staff = list(
        SealedStaff.objects.filter(bubble__enterprise__in=enterprises, active=True)
        .select_related("bubble")
        .order_by("bubble__name", "name", "pk")
    )
    answer: dict[int, Compliance] = {}
    for enterprise in enterprises:
        required, days = policy_for(enterprise, today)
        mine = [s for s in staff if s.bubble.enterprise_id == enterprise.pk]
        ids = [s.person_id for s in mine if s.person_id is not None]
        counts = tests_in_window_for(person_ids=ids, days=days, at=at)
        members = [
            MemberCompliance(
                staff_id=s.pk,
                bubble_id=s.bubble_id,
                bubble=s.bubble.name,
                name=mask_name(s.name),
                critical_role=s.critical_role,
                tests=counts.get(s.person_id, 0) if s.person_id else 0,
                required=required,
                days=days,
                linked=s.person_id is not None,
                positive=s.positive_at is not None,
            )
            for s in mine
        ]
        answer[enterprise.pk] = Compliance(enterprise.pk, required, days, due_by, members)
    return answer


@dataclass(frozen=True)
class VehicleRow:
    vehicle: Vehicle
    application: PassApplication | None
    issued: MovementPass | None


def vehicles_with_passes(*, actor: Actor, enterprise: Enterprise) -> list[VehicleRow]:
    """The enterprise's vehicles with their pass application and pass, if any."""
    enterprise = enterprise_get(actor=actor, pk=enterprise.pk)
    vehicles = list(Vehicle.objects.filter(bubble__enterprise=enterprise).select_related("bubble"))
    ids = [v.pass_application_id for v in vehicles if v.pass_application_id]
    applications = {a.pk: a for a in PassApplication.objects.filter(pk__in=ids)}
    issued = {p.application_id: p for p in MovementPass.objects.filter(application_id__in=ids)}
    return [
        VehicleRow(
            v,
            applications.get(v.pass_application_id or 0),
            issued.get(v.pass_application_id or 0),
        )
        for v in vehicles
    ]


def masked_contact(enterprise: Enterprise) -> str:
    return f"{mask_name(enterprise.contact_name)} {mask_phone(enterprise.contact_phone)}"


def needs_of(*, actor: Actor, enterprise: Enterprise) -> QuerySet[BubbleNeed]:
    """The supply needs raised for the enterprise's loops, newest first (as filed)."""
    qs = scoped(BubbleNeed.objects.select_related("bubble"), actor)
    return qs.filter(bubble__enterprise_id=enterprise.pk)
