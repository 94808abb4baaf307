"""Checking every row of a household list before anything is written.

All errors of all rows are collected, each with the row number the user sees and a message
in the active language. Lookups are done in bulk (grid codes once, ID hashes in chunks), so
the cost is a handful of queries whatever the file size.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import scope_for
from lifeline.core.actors import Actor
from lifeline.core.personal import (
    id_number_is_valid,
    lookup_hash,
    normalise_id_number,
    normalise_phone,
    phone_is_valid,
)
from lifeline.core.spreadsheets import FileProblem, cell_text, parse_date
from lifeline.registry.importing.columns import (
    COLUMN_BY_KEY,
    HOUSEHOLD_KEYS,
    MAX_LENGTH,
    PERSON_KEYS,
    parse_sex,
    parse_vulnerabilities,
)
from lifeline.registry.importing.messages import error_text
from lifeline.registry.importing.reader import Table
from lifeline.registry.models import Area, AreaLevel
from lifeline.registry.vocab import relation_parse

Progress = Callable[[int, int], None]
# What a masked export writes in place of a birth date ("30–39", "90+").
AGE_BAND = re.compile(r"^\d{1,3}\s*[–—~-]\s*\d{1,3}$|^\d{1,3}\+$")


def is_masked(text: str) -> bool:
    """A phone or ID number as a masked export shows it (138****5678, 43****...)."""
    return "*" in text or "＊" in text


HouseholdKey = tuple[str, str, str]  # grid code, building, unit number
CHUNK = 500
PROGRESS_EVERY = 100


@dataclass(frozen=True)
class RowError:
    """One problem of one row (row 0: the file as a whole). Stored as code and parameters;
    ``message`` is its text in the active language."""

    row: int
    column: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return error_text(self.code, self.column, self.params)

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "code": self.code, "params": self.params}

    @classmethod
    def of_file(cls, problem: FileProblem) -> RowError:
        return cls(0, "", problem.code, dict(problem.params))


@dataclass
class PersonPlan:
    row: int
    name: str
    sex: str
    birth_date: dt.date | None
    phone: str
    relation: str
    id_number: str
    id_hash: str
    kinds: list[str]
    kinds_given: bool = True  # the file has the column: the tags are set to these


@dataclass
class HouseholdPlan:
    grid: Area
    building: str
    address: str
    unit_no: str
    values: dict[str, str]  # phone and utility accounts, as given on its first row
    first_row: int
    people: list[PersonPlan] = field(default_factory=list)


@dataclass
class Plan:
    total_rows: int
    households: dict[HouseholdKey, HouseholdPlan] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    sex_header: str = ""  # the sex column's header as the file writes it, for errors

    @property
    def people_count(self) -> int:
        return sum(len(h.people) for h in self.households.values())


def households_validate(
    *, actor: Actor | None, table: Table, progress: Progress | None = None
) -> Plan:
    """Check every row of ``table`` for ``actor``; the plan is committable iff no errors."""
    grant = scope_for(actor).grant(Perm.REGISTRY_IMPORT)
    if grant.is_empty:
        raise FileProblem("forbidden", _("Your role may not change the registry."))
    checker = _RowChecker(table, grant.covers_path)
    total = len(table.rows)
    for done, (number, row) in enumerate(table.rows, start=1):
        checker.check(number, row)
        if progress and (done % PROGRESS_EVERY == 0 or done == total):
            progress(done, total)
    checker.plan.errors.sort(key=lambda e: (e.row, e.column))
    return checker.plan


class _RowChecker:
    def __init__(self, table: Table, covers_path: Callable[[str], bool]) -> None:
        self.table = table
        self.covers_path = covers_path
        self.plan = Plan(total_rows=len(table.rows), sex_header=self.header("sex"))
        codes = {cell_text(row.get("grid_code")) for _n, row in table.rows}
        self.grids = _grids_by_code(codes - {""})
        self.seen_ids: dict[str, int] = {}
        self.seen_names: dict[tuple[HouseholdKey, str], int] = {}

    def error(self, row: int, column: str, code: str, params: dict[str, Any]) -> None:
        self.plan.errors.append(RowError(row, column, code, params))

    def header(self, key: str) -> str:
        return self.table.headers.get(key) or str(COLUMN_BY_KEY[key].label)

    def check(self, number: int, raw: dict[str, Any]) -> None:
        values = {key: cell_text(value) for key, value in raw.items()}
        errors_before = len(self.plan.errors)
        for key in ("grid_code", "building", "unit_no"):
            if not values.get(key):
                self.error(
                    number,
                    key,
                    "required",
                    {"column": self.header(key)},
                )
        for key, limit in MAX_LENGTH.items():
            if len(values.get(key, "")) > limit:
                self.error(
                    number,
                    key,
                    "too_long",
                    {"column": self.header(key), "max": limit},
                )
        grid = self._grid(number, values.get("grid_code", ""))
        household_values = self._household_values(number, values)
        person = self._person(number, raw, values)
        household_key = (values["grid_code"], values["building"], values["unit_no"])
        if person is not None:
            self._not_twice_in_file(number, household_key, person)
        if len(self.plan.errors) > errors_before or grid is None:
            return
        household = self.plan.households.get(household_key)
        if household is None:
            household = HouseholdPlan(
                grid,
                values["building"],
                values.get("address", ""),
                values["unit_no"],
                household_values,
                number,
            )
            self.plan.households[household_key] = household
        else:
            self._same_household(number, household, household_values)
        if person is not None:
            household.people.append(person)

    def _grid(self, number: int, code: str) -> Area | None:
        if not code:
            return None
        grid = self.grids.get(code)
        if grid is None:
            self.error(
                number,
                "grid_code",
                "unknown_grid",
                {"code": code},
            )
            return None
        if not self.covers_path(grid.path):
            self.error(
                number,
                "grid_code",
                "grid_out_of_scope",
                {"code": code},
            )
            return None
        return grid

    def _household_values(self, number: int, values: dict[str, str]) -> dict[str, str]:
        result = {key: values.get(key, "") for key in HOUSEHOLD_KEYS}
        result["household_phone"] = self._phone(number, "household_phone", values)
        return result

    def _phone(self, number: int, key: str, values: dict[str, str]) -> str:
        if is_masked(values.get(key, "")):
            return ""  # a masked export's phone: not given, never written over the real one
        phone = normalise_phone(values.get(key, ""))
        if phone and not phone_is_valid(phone):
            self.error(
                number,
                key,
                "bad_phone",
                {"column": self.header(key)},
            )
        return phone

    def _person(
        self, number: int, raw: dict[str, Any], values: dict[str, str]
    ) -> PersonPlan | None:
        if not any(values.get(key) for key in PERSON_KEYS):
            return None  # a household listed without its members
        name = values.get("name", "")
        if not name:
            self.error(
                number,
                "name",
                "required",
                {"column": self.header("name")},
            )
        id_number = normalise_id_number(values.get("id_number", ""))
        if is_masked(values.get("id_number", "")):
            id_number = ""  # masked: not given
        if id_number and not id_number_is_valid(id_number):
            self.error(
                number,
                "id_number",
                "bad_id_number",
                {},
            )
            id_number = ""
        birth = self._birth_date(number, raw.get("birth_date"), id_number)
        sex = self._sex(number, values.get("sex", ""), id_number)
        kinds, unknown = parse_vulnerabilities(values.get("vulnerabilities", ""))
        if unknown:
            self.error(
                number,
                "vulnerabilities",
                "unknown_vulnerability",
                {"labels": "、".join(unknown)},
            )
        relation = relation_parse(values.get("relation", ""))
        if relation is None:
            self.error(
                number, "relation", "unknown_relation", {"value": values.get("relation", "")}
            )
        return PersonPlan(
            row=number,
            name=name,
            sex=sex,
            birth_date=birth,
            phone=self._phone(number, "phone", values),
            relation=relation or "",
            id_number=id_number,
            id_hash=lookup_hash(id_number) if id_number else "",
            kinds=kinds,
            kinds_given="vulnerabilities" in self.table.columns,
        )

    def _birth_date(self, number: int, raw: Any, id_number: str) -> dt.date | None:
        from_id = parse_date(id_number[6:14]) if id_number else None
        if not cell_text(raw) or AGE_BAND.match(cell_text(raw)):
            return from_id  # a masked export shows an age band: not given
        birth = parse_date(raw)
        if birth is None:
            self.error(
                number,
                "birth_date",
                "bad_date",
                {"column": self.header("birth_date")},
            )
        elif from_id and birth != from_id:
            self.error(
                number,
                "birth_date",
                "birth_date_mismatch",
                {},
            )
        return birth

    def _sex(self, number: int, text: str, id_number: str) -> str:
        from_id = ("M" if int(id_number[16]) % 2 else "F") if id_number else ""
        if not text:
            # Required of a new person only: matching says so (an update may leave it out).
            return from_id
        sex = parse_sex(text)
        if sex is None:
            self.error(number, "sex", "bad_sex", {})
            return ""
        # A sex that disagrees with the ID number is kept: the registry's own forms allow
        # it, and an export of the registry must re-import.
        return sex

    def _same_household(
        self, number: int, household: HouseholdPlan, values: dict[str, str]
    ) -> None:
        for key, value in values.items():
            first = household.values.get(key, "")
            if value and first and value != first:
                self.error(
                    number,
                    key,
                    "household_conflict",
                    {"column": self.header(key), "row": household.first_row},
                )
            elif value and not first:
                household.values[key] = value

    def _not_twice_in_file(self, number: int, key: HouseholdKey, person: PersonPlan) -> None:
        if person.id_hash:
            first = self.seen_ids.setdefault(person.id_hash, number)
            if first != number:
                self.error(
                    number,
                    "id_number",
                    "duplicate_in_file",
                    {"row": first},
                )
            return
        first = self.seen_names.setdefault((key, person.name), number)
        if first != number:
            self.error(
                number,
                "name",
                "duplicate_in_file",
                {"row": first},
            )


def _grids_by_code(codes: set[str]) -> dict[str, Area]:
    grids: dict[str, Area] = {}
    for chunk in _chunks(sorted(codes), CHUNK):
        for area in Area.objects.filter(code__in=chunk, level=AreaLevel.GRID):
            grids[area.code] = area
    return grids


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
