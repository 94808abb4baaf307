"""Incremental compliance: one row per person, updated by the results that arrive.

Called inside the result import's transaction, so a result and the compliance it implies
commit together. A batch of results is folded into each person's row (see ``window.py``:
the last tested day and a bit mask of the 60 days before it) without reading history.

On PostgreSQL the fold is one set-based statement (``FOLD_SQL``): the batch is reduced
to one (last day, mask) per person, then ``INSERT ... ON CONFLICT DO UPDATE`` creates the
rows of people tested for the first time and merges the others' windows, in person order.
Rows are thus locked in primary-key order, so two imports touching the same person
serialise instead of losing one another's days, and the merge reads the row as it is
after any import that committed first. Other databases create blank rows
(``ignore_conflicts``), lock them in primary-key order and fold with ``DayWindow``.
Both are held to recomputation from the raw results by the property tests.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Q

from lifeline.core import clock
from lifeline.screening.models import Compliance, Outcome, Policy, PolicyAudience
from lifeline.screening.window import MASK_DAYS, DayWindow

DEFAULT_RULE = (1, 1)  # without a policy: tested every day

Rule = tuple[int, int]


@dataclass(frozen=True)
class PersonOutcome:
    person_id: int
    grid_id: int
    area_path: str
    sampled_on: dt.date
    outcome: str


class PolicyRules:
    """The policies in force on a day, and the strictest of them for a person."""

    def __init__(self, *, today: dt.date) -> None:
        self.policies = list(
            Policy.objects.filter(starts_on__lte=today)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
            .values_list("id", "area_path", "required_tests", "window_days", "audience")
        )
        # Policies for some people only (a list, the workers of closed-loop enterprises).
        self.listed_ids = [p[0] for p in self.policies if p[4] != PolicyAudience.EVERYONE]
        self._by_path: dict[str, Rule] = {}

    def listings(self, person_ids: Iterable[int]) -> dict[int, set[int]]:
        """The listed policies naming each of these people (person id -> policy ids)."""
        listed: dict[int, set[int]] = defaultdict(set)
        if self.listed_ids:
            through = Policy.people.through
            for policy_id, person_id in through.objects.filter(
                policy_id__in=self.listed_ids, person_id__in=list(person_ids)
            ).values_list("policy_id", "person_id"):
                listed[person_id].add(policy_id)
        return listed

    def strictest(self, path: str, listed: Iterable[int] = ()) -> Rule:
        """(N, D) for a person of ``path`` named by the ``listed`` policies: the highest
        N/D, then the longer window; the daily rule when no policy applies."""
        listed = set(listed)
        if not listed and path in self._by_path:
            return self._by_path[path]
        best: Rule | None = None
        for policy_id, policy_path, n, d, audience in self.policies:
            if not path.startswith(policy_path):
                continue
            if audience != PolicyAudience.EVERYONE and policy_id not in listed:
                continue
            if (
                best is None
                or n * best[1] > best[0] * d
                or (n * best[1] == best[0] * d and d > best[1])
            ):
                best = (n, d)
        rule = best or DEFAULT_RULE
        if not listed:
            self._by_path[path] = rule
        return rule


def rules_for(people: dict[int, str], *, today: dt.date) -> dict[int, Rule]:
    """The strictest policy in force for each person (id -> area_path): (N, D)."""
    rules = PolicyRules(today=today)
    listed = rules.listings(people)
    return {pid: rules.strictest(path, listed.get(pid, ())) for pid, path in people.items()}


def compliance_apply(*, outcomes: Iterable[PersonOutcome]) -> int:
    """Fold new person results into their compliance rows; returns the rows touched."""
    items = list(outcomes)
    if not items:
        return 0
    if connection.vendor == "postgresql":
        return _apply_postgres(items)
    return _apply_orm(items)


# PostgreSQL ---------------------------------------------------------------------------------

_FULL = (1 << MASK_DAYS) - 1


def _shifted(last: str, mask: str, to: str) -> str:
    """SQL: a (last, mask) window's mask re-based on the later day ``to``."""
    return (
        f"(CASE WHEN {last} IS NULL OR {to} - {last} >= {MASK_DAYS} THEN 0 "
        f"ELSE ({mask} << ({to} - {last})) & {_FULL} END)"
    )


def _until(last: str, mask: str, n: str, d: str) -> str:
    """SQL of ``DayWindow.compliant_until``: with the n-th newest tested day k days before
    ``last`` (the n-th set bit, found in the mask written out lowest bit first), the rule
    holds until last - k + d - 1. NULL when fewer than n days are set."""
    nth = f"length(substring(reverse({mask}::bit(64)::text) FROM '^(?:0*1){{' || {n} || '}}'))"
    return f"({last} + {d} - {nth})"


_LAST = "greatest(c.last_tested_on, EXCLUDED.last_tested_on)"
_MERGED = (
    f"({_shifted('c.last_tested_on', 'c.day_mask', _LAST)} "
    f"| {_shifted('EXCLUDED.last_tested_on', 'EXCLUDED.day_mask', _LAST)})"
)

# Folds the relation ``src(person_id, grid_id, area_path, sampled_on, outcome)``, which the
# caller defines as a CTE, into the compliance rows. A new row takes the place of the
# person's latest sample; an existing row keeps its place and merges the windows.
FOLD_SQL = f"""
INSERT INTO screening_compliance AS c (person_id, grid_id, area_path, last_tested_on,
    day_mask, required_tests, window_days, compliant_until, pending_recheck)
SELECT f.person_id, f.grid_id, f.area_path, f.last, f.mask, coalesce(o.n, r.n),
    coalesce(o.d, r.d), {_until("f.last", "f.mask", "coalesce(o.n, r.n)", "coalesce(o.d, r.d)")},
    false
FROM (
    SELECT person_id, grid_id, area_path, last,
        coalesce(bit_or(1::bigint << (last - sampled_on)) FILTER (
            WHERE outcome = '{Outcome.NEGATIVE}' AND last - sampled_on < {MASK_DAYS}), 0) AS mask
    FROM (
        SELECT person_id, sampled_on, outcome, first_value(grid_id) OVER w AS grid_id,
            first_value(area_path) OVER w AS area_path,
            max(sampled_on) FILTER (WHERE outcome = '{Outcome.NEGATIVE}') OVER w AS last
        FROM src
        WINDOW w AS (PARTITION BY person_id ORDER BY sampled_on DESC
            ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
    ) per_result
    GROUP BY person_id, grid_id, area_path, last
) f
LEFT JOIN unnest(%(rule_paths)s::text[], %(rule_n)s::int[], %(rule_d)s::int[])
    AS r(path, n, d) ON r.path = f.area_path
LEFT JOIN unnest(%(own_people)s::bigint[], %(own_paths)s::text[], %(own_n)s::int[],
    %(own_d)s::int[]) AS o(person_id, path, n, d)
    ON o.person_id = f.person_id AND o.path = f.area_path
ORDER BY f.person_id
ON CONFLICT (person_id) DO UPDATE SET
    last_tested_on = {_LAST},
    day_mask = {_MERGED},
    required_tests = EXCLUDED.required_tests,
    window_days = EXCLUDED.window_days,
    compliant_until = {_until(_LAST, _MERGED, "EXCLUDED.required_tests", "EXCLUDED.window_days")}
"""  # noqa: S608  (only this module's constants are interpolated)
# A path missing from the rules would leave N NULL: the NOT NULL column refuses the whole
# statement rather than storing a wrong rule.


def fold_rules(
    rules: PolicyRules,
    *,
    paths: Iterable[str],
    listed: Iterable[tuple[int, str, int]] = (),
) -> dict[str, Any]:
    """``FOLD_SQL``'s rule parameters: the rule of every area path in the batch, and the
    own rule of each (person, path) named by a listed policy (person, path, policy)."""
    ordered = sorted(set(paths))
    by_path = [rules.strictest(p) for p in ordered]
    named: dict[tuple[int, str], set[int]] = defaultdict(set)
    for person_id, path, policy_id in listed:
        named[(person_id, path)].add(policy_id)
    own = [(pid, path, rules.strictest(path, ids)) for (pid, path), ids in named.items()]
    return {
        "rule_paths": ordered,
        "rule_n": pg_array(r[0] for r in by_path),
        "rule_d": pg_array(r[1] for r in by_path),
        "own_people": pg_array(o[0] for o in own),
        "own_paths": [o[1] for o in own],
        "own_n": pg_array(o[2][0] for o in own),
        "own_d": pg_array(o[2][1] for o in own),
    }


_APPLY_SQL = f"""
WITH src AS (
    SELECT * FROM unnest(%(people)s::bigint[], %(grids)s::bigint[], %(paths)s::text[],
        %(days)s::date[], %(outcomes)s::text[])
        AS v(person_id, grid_id, area_path, sampled_on, outcome)
){FOLD_SQL}"""  # noqa: S608  (only this module's constants are interpolated)


def _apply_postgres(items: list[PersonOutcome]) -> int:
    rules = PolicyRules(today=clock.today())
    listings = rules.listings({it.person_id for it in items})
    params = fold_rules(
        rules,
        paths=(it.area_path for it in items),
        listed={
            (it.person_id, it.area_path, policy_id)
            for it in items
            for policy_id in listings.get(it.person_id, ())
        },
    )
    params.update(
        people=pg_array(it.person_id for it in items),
        grids=pg_array(it.grid_id for it in items),
        paths=[it.area_path for it in items],
        days=pg_array(it.sampled_on for it in items),
        outcomes=[it.outcome for it in items],
    )
    with connection.cursor() as c:
        c.execute(_APPLY_SQL, params)
        return int(c.rowcount)


# Other databases ----------------------------------------------------------------------------


def _apply_orm(items: list[PersonOutcome]) -> int:
    by_person: dict[int, list[PersonOutcome]] = defaultdict(list)
    for item in items:
        by_person[item.person_id].append(item)
    firsts = {pid: group[0] for pid, group in by_person.items()}
    Compliance.objects.bulk_create(
        [
            Compliance(person_id=pid, grid_id=it.grid_id, area_path=it.area_path)
            for pid, it in firsts.items()
        ],
        ignore_conflicts=True,
        batch_size=5000,
    )
    current = {
        pid: (last, mask)
        for pid, last, mask in Compliance.objects.select_for_update()
        .filter(person_id__in=sorted(firsts))
        .order_by("pk")
        .values_list("person_id", "last_tested_on", "day_mask")
    }
    rules = rules_for({pid: it.area_path for pid, it in firsts.items()}, today=clock.today())
    rows: list[Compliance] = []
    for pid, group in by_person.items():
        window = DayWindow(*current[pid])
        for item in group:
            if item.outcome == Outcome.NEGATIVE:
                window = window.add(item.sampled_on)
        n, d = rules[pid]
        first = firsts[pid]
        rows.append(
            Compliance(
                person_id=pid,
                grid_id=first.grid_id,
                area_path=first.area_path,
                last_tested_on=window.last,
                day_mask=window.mask,
                required_tests=n,
                window_days=d,
                compliant_until=window.compliant_until(required=n, days=d),
            )
        )
    Compliance.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["person"],
        update_fields=[
            "grid",
            "area_path",
            "last_tested_on",
            "day_mask",
            "required_tests",
            "window_days",
            "compliant_until",
        ],
        batch_size=5000,
    )
    return len(rows)


def pg_array(values: Iterable[int | dt.date | None]) -> str:
    """A PostgreSQL array literal of integers or dates: adapting tens of thousands of
    values one by one costs more than the statement that uses them."""
    return "{" + ",".join("NULL" if v is None else str(v) for v in values) + "}"
