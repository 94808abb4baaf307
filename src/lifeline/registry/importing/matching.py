"""Matching a checked list against the registry: what is new, what changes, what stays.

A household is known by its key, grid code + building + unit number (the columns every
list and every export carry). A person is known within their household by ID number when
the row gives one in full, else by name. What a row leaves empty, or shows masked (a masked
export's phones, ID numbers and age bands), is not given: it never clears or overwrites
what the registry holds. The special-group column, when the file has it, sets the tags.

``plan_match`` only reads; the preview shows its counts and the commit runs it again inside
its transaction, so what is written is what the registry holds at that moment.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from lifeline.registry.importing.validate import (
    CHUNK,
    HouseholdPlan,
    PersonPlan,
    Plan,
    RowError,
)
from lifeline.registry.models import Household, Person
from lifeline.registry.vocab import relation_parse

HOUSEHOLD_FIELDS = {
    "household_phone": "phone",
    "gas_account": "gas_account",
    "power_account": "power_account",
    "water_account": "water_account",
}


@dataclass
class PersonMatch:
    plan: PersonPlan
    person: Person | None  # None: a new person
    changes: dict[str, Any] = field(default_factory=dict)
    kinds_add: list[str] = field(default_factory=list)
    kinds_remove: list[str] = field(default_factory=list)
    is_new: bool = False  # created by this commit

    @property
    def changed(self) -> bool:
        return bool(self.changes or self.kinds_add or self.kinds_remove)


@dataclass
class HouseholdMatch:
    plan: HouseholdPlan
    household: Household | None  # None: a new household
    changes: dict[str, str] = field(default_factory=dict)
    people: list[PersonMatch] = field(default_factory=list)


@dataclass
class Match:
    households: list[HouseholdMatch] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        counts = dict.fromkeys(
            (
                "households_new",
                "households_updated",
                "households_unchanged",
                "people_new",
                "people_updated",
                "people_unchanged",
            ),
            0,
        )
        for h in self.households:
            people_changed = any(p.person is None or p.changed for p in h.people)
            if h.household is None:
                counts["households_new"] += 1
            elif h.changes or people_changed:
                counts["households_updated"] += 1
            else:
                counts["households_unchanged"] += 1
            for p in h.people:
                if p.person is None:
                    counts["people_new"] += 1
                elif p.changed:
                    counts["people_updated"] += 1
                else:
                    counts["people_unchanged"] += 1
        return counts


def plan_match(plan: Plan, *, lock: bool = False) -> Match:
    """Match every household and person of ``plan`` (``lock``: lock the matched rows)."""
    households = _existing_households(plan.households.values(), lock=lock)
    members = _members(list(households.values()), lock=lock)
    by_hash = _people_by_hash(plan)
    match = Match()
    for h in plan.households.values():
        household = households.get((h.grid.pk, h.building, h.unit_no))
        hm = HouseholdMatch(h, household)
        if household is not None:
            hm.changes = {
                attr: h.values[key]
                for key, attr in HOUSEHOLD_FIELDS.items()
                if h.values.get(key) and h.values[key] != getattr(household, attr)
            }
        for p in h.people:
            pm = _person(p, household, members.get(household.pk, []) if household else [], by_hash)
            if not isinstance(pm, RowError) and pm.person is None and not p.sex:
                pm = RowError(p.row, "sex", "required", {"column": plan.sex_header})
            if isinstance(pm, RowError):
                match.errors.append(pm)
            else:
                hm.people.append(pm)
        match.households.append(hm)
    match.errors.sort(key=lambda e: (e.row, e.column))
    return match


def _person(
    p: PersonPlan,
    household: Household | None,
    members: list[Person],
    by_hash: dict[str, Person],
) -> PersonMatch | RowError:
    found = by_hash.get(p.id_hash) if p.id_hash else None
    if found is not None and (household is None or found.household_id != household.pk):
        return RowError(p.row, "id_number", "registered_elsewhere", {})
    if found is not None:  # the household's own copy, with its tags read
        found = next((m for m in members if m.pk == found.pk), found)
    if found is None:
        named = [m for m in members if m.name == p.name]
        if p.id_hash:
            named = [m for m in named if not m.id_number_hash or m.id_number_hash == p.id_hash]
            if not named and any(m.name == p.name for m in members):
                return RowError(p.row, "id_number", "id_differs", {"name": p.name})
        if len(named) > 1:
            return RowError(p.row, "name", "ambiguous_name", {"name": p.name})
        found = named[0] if named else None
    if found is None:
        return PersonMatch(p, None)
    return _person_changes(p, found)


def _person_changes(p: PersonPlan, person: Person) -> PersonMatch:
    pm = PersonMatch(p, person)
    given = {
        "name": p.name,
        "sex": p.sex,
        "birth_date": p.birth_date,
        "phone": p.phone,
        "relation": p.relation,
    }
    pm.changes = {k: v for k, v in given.items() if v and v != getattr(person, k)}
    if pm.changes.get("relation") == relation_parse(person.relation):
        del pm.changes["relation"]  # an old row holds the word for the same code
    if p.id_number and not person.id_number_hash:
        pm.changes["id_number"] = p.id_number
    if p.kinds_given:
        current = {v.kind for v in person.vulnerabilities.all()}
        pm.kinds_add = [k for k in p.kinds if k not in current]
        pm.kinds_remove = sorted(current - set(p.kinds))
    return pm


def _existing_households(
    plans: Iterable[HouseholdPlan], *, lock: bool
) -> dict[tuple[int, str, str], Household]:
    plans = list(plans)
    found: dict[tuple[int, str, str], Household] = {}
    wanted = {(h.grid.pk, h.building, h.unit_no) for h in plans}
    grids = sorted({h.grid.pk for h in plans})
    for start in range(0, len(grids), CHUNK):
        qs = Household.objects.select_related("building").filter(
            grid_id__in=grids[start : start + CHUNK],
            building__name__in={h.building for h in plans},
            unit_no__in={h.unit_no for h in plans},
        )
        if lock:
            qs = qs.select_for_update(of=("self",)).order_by("pk")
        for household in qs:
            key = (household.grid_id, household.building.name, household.unit_no)
            if key in wanted:
                found[key] = household
    return found


def _members(households: list[Household], *, lock: bool) -> dict[int, list[Person]]:
    members: dict[int, list[Person]] = defaultdict(list)
    ids = sorted(h.pk for h in households)
    for start in range(0, len(ids), CHUNK):
        qs = Person.objects.filter(household_id__in=ids[start : start + CHUNK]).prefetch_related(
            "vulnerabilities"
        )
        if lock:
            qs = qs.select_for_update().order_by("pk")
        for person in qs:
            members[person.household_id].append(person)
    return members


def _people_by_hash(plan: Plan) -> dict[str, Person]:
    hashes = sorted({p.id_hash for h in plan.households.values() for p in h.people if p.id_hash})
    found: dict[str, Person] = {}
    for start in range(0, len(hashes), CHUNK):
        for person in Person.objects.filter(id_number_hash__in=hashes[start : start + CHUNK]):
            found[str(person.id_number_hash)] = person
    return found
