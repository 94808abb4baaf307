"""Writing a checked plan: one transaction, new rows in bulk, changed rows one by one.

The plan is matched against the registry again inside the transaction, with the matched
households and people locked, so the writes follow what the registry holds at that moment
(the preview may be minutes old). A row that no longer matches (someone registered the
same person elsewhere meanwhile) fails the whole commit: nothing is written.

Bulk inserts bypass ``save()``, so every new row is stamped here with one reading of the
clock. The audit trail is one ``household.create`` per new household, one
``household.update``/``person.update`` per changed row (naming the fields, never values)
and one ``import.commit`` for the job with the counts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.db import IntegrityError, transaction

from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.audit import AuditEntry, audit_log, audit_log_many
from lifeline.core.personal import encrypt_value, lookup_hash, mask_id_number
from lifeline.registry.importing.matching import HouseholdMatch, Match, PersonMatch, plan_match
from lifeline.registry.importing.validate import HouseholdPlan, Plan
from lifeline.registry.models import Building, Household, ImportJob, Person, Vulnerability

BATCH = 500


class MatchChanged(IntegrityError):
    """The registry changed between the check and the commit so that a row no longer fits."""


@dataclass(frozen=True)
class CommitResult:
    buildings: int
    households: int
    households_reused: int
    people: int
    vulnerabilities: int
    households_updated: int = 0
    people_updated: int = 0

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
    """Write ``plan`` all or nothing. A unique-key race with another writer, or a row that
    no longer matches, raises ``IntegrityError`` and rolls everything back."""
    now = clock.now()
    purpose = f"import #{job.pk}"
    with transaction.atomic():
        match = plan_match(plan, lock=True)
        if match.errors:
            raise MatchChanged(match.errors[0].code)
        new_households = [h for h in match.households if h.household is None]
        buildings, new_buildings = _buildings([h.plan for h in new_households])
        created = _create_households(new_households, buildings, now)
        households_updated = _update_households(actor, match, purpose)
        new_people = _create_people(match, now)
        people_updated = _update_people(actor, match, purpose)
        vulnerabilities = _tags(match, new_people, now)
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
                for household in created
            ],
        )
        result = CommitResult(
            buildings=new_buildings,
            households=len(created),
            households_reused=len(match.households) - len(created),
            people=len(new_people),
            vulnerabilities=vulnerabilities,
            households_updated=households_updated,
            people_updated=people_updated,
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
    if not wanted:
        return {}, 0
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


def _create_households(
    matches: list[HouseholdMatch], buildings: dict[tuple[int, str], int], now: dt.datetime
) -> list[Household]:
    for hm in matches:
        h = hm.plan
        hm.household = Household(
            building_id=buildings[(h.grid.pk, h.building)],
            grid_id=h.grid.pk,
            area_path=h.grid.path,
            unit_no=h.unit_no,
            phone=h.values["household_phone"],
            gas_account=h.values["gas_account"],
            power_account=h.values["power_account"],
            water_account=h.values["water_account"],
            created_at=now,
            updated_at=now,
        )
    created = [hm.household for hm in matches if hm.household is not None]
    Household.objects.bulk_create(created, batch_size=BATCH)
    return created


def _update_households(actor: Actor | None, match: Match, purpose: str) -> int:
    updated = 0
    for hm in match.households:
        household = hm.household
        if household is None or not hm.changes:
            continue
        for attr, value in hm.changes.items():
            setattr(household, attr, value)
        household.save(update_fields=[*hm.changes, "updated_at"])
        audit_log(
            actor=actor,
            action="household.update",
            obj=household,
            purpose=purpose,
            fields=list(hm.changes),
        )
        updated += 1
    return updated


def _create_people(match: Match, now: dt.datetime) -> list[PersonMatch]:
    new: list[PersonMatch] = []
    for hm in match.households:
        household = hm.household
        assert household is not None
        for pm in hm.people:
            if pm.person is not None:
                continue
            p = pm.plan
            person = Person(
                household=household,
                grid_id=household.grid_id,
                area_path=household.area_path,
                name=p.name,
                sex=p.sex,
                birth_date=p.birth_date,
                phone=p.phone,
                relation=p.relation,
                created_at=now,
                updated_at=now,
            )
            _set_id_number(person, p.id_number)
            pm.person = person
            pm.kinds_add = list(p.kinds)
            pm.is_new = True
            new.append(pm)
    Person.objects.bulk_create([pm.person for pm in new if pm.person], batch_size=BATCH)
    return new


def _update_people(actor: Actor | None, match: Match, purpose: str) -> int:
    updated = 0
    for hm in match.households:
        for pm in hm.people:
            person = pm.person
            if person is None or pm.is_new or not pm.changed:
                continue
            fields = [k for k in pm.changes if k != "id_number"]
            for key in fields:
                setattr(person, key, pm.changes[key])
            if "id_number" in pm.changes:
                _set_id_number(person, pm.changes["id_number"])
                fields += ["id_number_enc", "id_number_hash", "id_number_masked"]
            if fields:
                person.save(update_fields=[*fields, "updated_at"])
            audit_log(
                actor=actor,
                action="person.update",
                obj=person,
                purpose=purpose,
                fields=sorted(
                    {*pm.changes, *(["vulnerabilities"] if pm.kinds_add or pm.kinds_remove else [])}
                ),
            )
            updated += 1
    return updated


def _tags(match: Match, new_people: list[PersonMatch], now: dt.datetime) -> int:
    rows = []
    for hm in match.households:
        for pm in hm.people:
            person = pm.person
            assert person is not None
            if pm.kinds_remove:
                Vulnerability.objects.filter(person=person, kind__in=pm.kinds_remove).delete()
            rows += [
                Vulnerability(
                    person=person,
                    grid_id=person.grid_id,
                    area_path=person.area_path,
                    kind=kind,
                    created_at=now,
                )
                for kind in pm.kinds_add
            ]
    Vulnerability.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def _set_id_number(person: Person, id_number: str) -> None:
    if id_number:
        person.id_number_enc = encrypt_value(id_number)
        person.id_number_hash = lookup_hash(id_number)
        person.id_number_masked = mask_id_number(id_number)
