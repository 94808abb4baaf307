"""Incremental compliance: one row per person, updated by the results that arrive.

Called inside the result import's transaction, so a result and the compliance it implies
commit together. Rows are created blank first (``ignore_conflicts``) and then locked in
primary-key order, so two imports touching the same person serialise instead of losing
one another's days.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q

from lifeline.core import clock
from lifeline.screening.models import Compliance, Outcome, Policy, PolicyAudience
from lifeline.screening.window import DayWindow

DEFAULT_RULE = (1, 1)  # without a policy: tested every day


@dataclass(frozen=True)
class PersonOutcome:
    person_id: int
    grid_id: int
    area_path: str
    sampled_on: dt.date
    outcome: str


def rules_for(people: dict[int, str], *, today: dt.date) -> dict[int, tuple[int, int]]:
    """The strictest policy in force for each person (id -> area_path): (N, D)."""
    policies = list(
        Policy.objects.filter(starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .values_list("id", "area_path", "required_tests", "window_days", "audience")
    )
    listed: dict[int, set[int]] = defaultdict(set)
    listed_ids = [p[0] for p in policies if p[4] != PolicyAudience.EVERYONE]
    if listed_ids:
        through = Policy.people.through
        for policy_id, person_id in through.objects.filter(
            policy_id__in=listed_ids, person_id__in=list(people)
        ).values_list("policy_id", "person_id"):
            listed[person_id].add(policy_id)
    rules: dict[int, tuple[int, int]] = {}
    for person_id, path in people.items():
        best: tuple[int, int] | None = None
        for policy_id, policy_path, n, d, audience in policies:
            if not path.startswith(policy_path):
                continue
            if audience != PolicyAudience.EVERYONE and policy_id not in listed[person_id]:
                continue
            if (
                best is None
                or n * best[1] > best[0] * d
                or (n * best[1] == best[0] * d and d > best[1])
            ):
                best = (n, d)
        rules[person_id] = best or DEFAULT_RULE
    return rules


def compliance_apply(*, outcomes: Iterable[PersonOutcome]) -> int:
    """Fold new person results into their compliance rows; returns the rows touched."""
    by_person: dict[int, list[PersonOutcome]] = defaultdict(list)
    for item in outcomes:
        by_person[item.person_id].append(item)
    if not by_person:
        return 0
    firsts = {pid: items[0] for pid, items in by_person.items()}
    store = _PostgresRows() if connection.vendor == "postgresql" else _OrmRows()
    current = store.lock(firsts)
    rules = rules_for({pid: it.area_path for pid, it in firsts.items()}, today=clock.today())
    updated: list[Row] = []
    for pid, items in by_person.items():
        window = DayWindow(*current[pid])
        for item in items:
            if item.outcome == Outcome.NEGATIVE:
                window = window.add(item.sampled_on)
        n, d = rules[pid]
        first = firsts[pid]
        until = window.compliant_until(required=n, days=d)
        updated.append((pid, first.grid_id, first.area_path, window.last, window.mask, n, d, until))
    store.save(updated)
    return len(updated)


# person, grid, area_path, last_tested_on, day_mask, required, window, compliant_until
Row = tuple[int, int, str, dt.date | None, int, int, int, dt.date | None]


class _OrmRows:
    """Any database: blank rows created, then locked in primary-key order."""

    def lock(self, firsts: dict[int, PersonOutcome]) -> dict[int, tuple[dt.date | None, int]]:
        Compliance.objects.bulk_create(
            [
                Compliance(person_id=pid, grid_id=it.grid_id, area_path=it.area_path)
                for pid, it in firsts.items()
            ],
            ignore_conflicts=True,
            batch_size=5000,
        )
        return {
            pid: (last, mask)
            for pid, last, mask in Compliance.objects.select_for_update()
            .filter(person_id__in=sorted(firsts))
            .order_by("pk")
            .values_list("person_id", "last_tested_on", "day_mask")
        }

    def save(self, rows: list[Row]) -> None:
        Compliance.objects.bulk_create(
            [
                Compliance(
                    person_id=r[0],
                    grid_id=r[1],
                    area_path=r[2],
                    last_tested_on=r[3],
                    day_mask=r[4],
                    required_tests=r[5],
                    window_days=r[6],
                    compliant_until=r[7],
                )
                for r in rows
            ],
            update_conflicts=True,
            unique_fields=["person"],
            update_fields=list(_COLUMNS[1:]),
            batch_size=5000,
        )


_COLUMNS = (
    "person",
    "grid",
    "area_path",
    "last_tested_on",
    "day_mask",
    "required_tests",
    "window_days",
    "compliant_until",
)


class _PostgresRows:
    """PostgreSQL: the same two steps with arrays, without building a model per row, so a
    city's results fold in at tens of thousands of rows a second."""

    def lock(self, firsts: dict[int, PersonOutcome]) -> dict[int, tuple[dt.date | None, int]]:
        ids = sorted(firsts)
        found = self._locked(ids)
        missing = [i for i in ids if i not in found]
        if missing:  # first results of these people: create, then lock, their rows
            with connection.cursor() as c:
                c.execute(
                    "INSERT INTO screening_compliance (person_id, grid_id, area_path, day_mask, "
                    "required_tests, window_days, pending_recheck) "
                    "SELECT p, g, a, 0, 1, 1, false FROM unnest(%s::bigint[], %s::bigint[], "
                    "%s::text[]) AS v(p, g, a) ON CONFLICT (person_id) DO NOTHING",
                    [
                        pg_array(missing),
                        pg_array([firsts[i].grid_id for i in missing]),
                        [firsts[i].area_path for i in missing],
                    ],
                )
            found.update(self._locked(missing))
        return found

    @staticmethod
    def _locked(ids: list[int]) -> dict[int, tuple[dt.date | None, int]]:
        with connection.cursor() as c:
            c.execute(
                "SELECT person_id, last_tested_on, day_mask FROM screening_compliance "
                "WHERE person_id = ANY(%s::bigint[]) ORDER BY person_id FOR UPDATE",
                [pg_array(ids)],
            )
            return {pid: (last, mask) for pid, last, mask in c.fetchall()}

    def save(self, rows: list[Row]) -> None:
        # The person's place was written when the row was created; only the window moves.
        _p, _g, _a, last, mask, n, d, until = (list(col) for col in zip(*rows, strict=True))
        with connection.cursor() as c:
            c.execute(
                "UPDATE screening_compliance c SET last_tested_on = v.l, day_mask = v.m, "
                "required_tests = v.n, window_days = v.d, compliant_until = v.u "
                "FROM unnest(%s::bigint[], %s::date[], %s::bigint[], %s::int[], %s::int[], "
                "%s::date[]) AS v(p, l, m, n, d, u) WHERE c.person_id = v.p",
                [pg_array(col) for col in (_p, last, mask, n, d, until)],
            )


def compliance_rerule(*, area_path: str) -> int:
    """Re-evaluate ``compliant_until`` under the policies now in force, from the masks."""
    changed = 0
    qs = Compliance.objects.filter(area_path__startswith=area_path).order_by("pk")
    batch: list[Compliance] = []
    for row in qs.iterator(chunk_size=5000):
        batch.append(row)
        if len(batch) == 5000:
            changed += _rerule(batch)
            batch = []
    if batch:
        changed += _rerule(batch)
    return changed


def _rerule(rows: list[Compliance]) -> int:
    rules = rules_for({r.person_id: r.area_path for r in rows}, today=clock.today())
    for row in rows:
        n, d = rules[row.person_id]
        window = DayWindow(row.last_tested_on, row.day_mask)
        row.required_tests, row.window_days = n, d
        row.compliant_until = window.compliant_until(required=n, days=d)
    Compliance.objects.bulk_update(rows, ["required_tests", "window_days", "compliant_until"])
    return len(rows)


def pg_array(values: Iterable[int | dt.date | None]) -> str:
    """A PostgreSQL array literal of integers or dates: adapting tens of thousands of
    values one by one costs more than the statement that uses them."""
    return "{" + ",".join("NULL" if v is None else str(v) for v in values) + "}"
