"""Writing a validated plan: one transaction, bulk inserts, buildings and households reused.

Existing households are reused as they are (their phones and accounts are not overwritten
by a list). Bulk inserts bypass ``save()``, so every new row is stamped here with one reading
of the clock (``created_at`` and ``updated_at``). The audit trail is one
``household.create`` record per new household and one ``import.commit`` record for the
job, which names what was created; people and their special-group tags are covered by
those two, which keeps a 100,000-row import cheap.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.db import transaction

from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.audit import AuditEntry, audit_log, audit_log_many
from lifeline.core.personal import encrypt_value, mask_id_number
from lifeline.registry.importing.validate import HouseholdPlan, Plan
from lifeline.registry.models import Building, Household, ImportJob, Person, Vulnerability

BATCH = 500


@dataclass(frozen=True)
class CommitResult:
    buildings: int
    households: int
    households_reused: int
    people: int
    vulnerabilities: int

    def as_text(self) -> str:
        return " ".join(f"{k}={v}" for k, v in asdict(self).items())

    @classmethod
    def from_text(cls, text: str) -> CommitResult | None:
        try:
            values = dict(part.split("=", 1) for part in text.split())
            return cls(**{k: int(v) for k, v in values.items()})
        except (TypeError, ValueError):
            return None


def plan_commit(*, actor: Actor | None, plan: Plan, job: ImportJob) -> CommitResult:
    """Write ``plan`` all or nothing. A unique-key race with another writer raises
    ``IntegrityError`` and rolls everything back."""
    households = list(plan.households.values())
    now = clock.now()
    with transaction.atomic():
        buildings, new_buildings = _buildings(households)
        by_key, new_households = _households(households, buildings, now)
        people = _people(households, by_key, now)
        Person.objects.bulk_create([p for p, _kinds in people], batch_size=BATCH)
        vulnerabilities = [
            Vulnerability(
                person=person,
                grid_id=person.grid_id,
                area_path=person.area_path,
                kind=kind,
                created_at=now,
            )
            for person, kinds in people
            for kind in kinds
        ]
        Vulnerability.objects.bulk_create(vulnerabilities, batch_size=BATCH)
        purpose = f"import #{job.pk}"
        audit_log_many(
            actor=actor,
            entries=[
                AuditEntry(
                    "household.create",
                    household,
                    purpose=purpose,
                    fields=[
                        k
                        for k in (
                            "unit_no",
                            "phone",
                            "gas_account",
                            "power_account",
                            "water_account",
                        )
                        if getattr(household, k)
                    ],
                )
                for household in new_households
            ],
        )
        result = CommitResult(
            buildings=new_buildings,
            households=len(new_households),
            households_reused=len(households) - len(new_households),
            people=len(people),
            vulnerabilities=len(vulnerabilities),
        )
        # The counts go into the record so the job's report and the audit trail agree.
        audit_log(
            actor=actor,
            action="import.commit",
            obj=job,
            area_path=job.area_path,
            purpose=result.as_text(),
            fields=["building", "household", "person", "vulnerability"],
        )
    return result


def _buildings(households: list[HouseholdPlan]) -> tuple[dict[tuple[int, str], int], int]:
    wanted = {(h.grid.pk, h.building): h for h in households}
    existing = {
        (grid_id, name): pk
        for pk, grid_id, name in Building.objects.filter(
            grid_id__in={k[0] for k in wanted}, name__in={k[1] for k in wanted}
        ).values_list("pk", "grid_id", "name")
    }
    new = [
        Building(
            grid_id=grid_id,
            area_path=h.grid.path,
            name=name,
            address=h.address or f"{h.grid.name} {name}",
        )
        for (grid_id, name), h in wanted.items()
        if (grid_id, name) not in existing
    ]
    Building.objects.bulk_create(new, batch_size=BATCH)
    existing.update({(b.grid_id, b.name): b.pk for b in new})
    return existing, len(new)


PlanKey = tuple[int, str, str]  # grid id, building name, unit number


def _households(
    households: list[HouseholdPlan], buildings: dict[tuple[int, str], int], now: dt.datetime
) -> tuple[dict[PlanKey, Household], list[Household]]:
    wanted = {(buildings[(h.grid.pk, h.building)], h.unit_no): h for h in households}
    by_key: dict[tuple[int, str], Household] = {
        (hh.building_id, hh.unit_no): hh
        for hh in Household.objects.filter(
            building_id__in={k[0] for k in wanted}, unit_no__in={k[1] for k in wanted}
        )
    }
    new = [
        Household(
            building_id=building_id,
            grid_id=h.grid.pk,
            area_path=h.grid.path,
            unit_no=unit_no,
            phone=h.values["household_phone"],
            gas_account=h.values["gas_account"],
            power_account=h.values["power_account"],
            water_account=h.values["water_account"],
            created_at=now,
            updated_at=now,
        )
        for (building_id, unit_no), h in wanted.items()
        if (building_id, unit_no) not in by_key
    ]
    Household.objects.bulk_create(new, batch_size=BATCH)
    by_key.update({(hh.building_id, hh.unit_no): hh for hh in new})
    by_plan = {(h.grid.pk, h.building, h.unit_no): by_key[key] for key, h in wanted.items()}
    return by_plan, new


def _people(
    households: list[HouseholdPlan], by_key: dict[PlanKey, Household], now: dt.datetime
) -> list[tuple[Person, list[str]]]:
    people: list[tuple[Person, list[str]]] = []
    for h in households:
        household = by_key[(h.grid.pk, h.building, h.unit_no)]
        for p in h.people:
            person = Person(
                household=household,
                grid_id=h.grid.pk,
                area_path=h.grid.path,
                name=p.name,
                sex=p.sex,
                birth_date=p.birth_date,
                phone=p.phone,
                relation=p.relation,
                created_at=now,
                updated_at=now,
            )
            if p.id_number:
                person.id_number_enc = encrypt_value(p.id_number)
                person.id_number_hash = p.id_hash
                person.id_number_masked = mask_id_number(p.id_number)
            people.append((person, p.kinds))
    return people
