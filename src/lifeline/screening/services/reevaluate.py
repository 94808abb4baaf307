"""Re-evaluating compliance rows under the policies in force.

A person's compliance row stores dates (``last_tested_on``, ``compliant_until``), so the
lists read "tested today" and "compliant today" against today's date: the day rolling over
moves them without a single write. What a row cannot know by itself is which rule
("N tests in D days") is in force: it was chosen from the policies in force when the row
was last written. It goes stale when a policy is created, edited or ended, and when a
dated policy starts or ends (``policies_sweep``).

Re-evaluation reads the rows' day masks, never the raw results, and writes only the rows
whose rule or ``compliant_until`` changed, in short transactions that lock their rows in
primary-key order like the result import.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from lifeline.core import clock
from lifeline.registry.models import Area, AreaLevel
from lifeline.screening.models import Compliance, Policy, PolicyAudience
from lifeline.screening.services.compliance import rules_for
from lifeline.screening.window import DayWindow

BATCH = 5000  # rows locked and re-evaluated per transaction
GRIDS_PER_BATCH = 50


def _rerule_locked(rows_q: Q, *, today: dt.date, after: int = 0) -> tuple[int, int, int]:
    """Lock up to BATCH rows matching ``rows_q`` with pk > ``after`` and re-evaluate them.

    Returns (rows read, rows changed, last pk read)."""
    with transaction.atomic():
        rows = list(
            Compliance.objects.select_for_update()
            .filter(rows_q, pk__gt=after)
            .order_by("pk")
            .values_list(
                "person_id",
                "area_path",
                "last_tested_on",
                "day_mask",
                "required_tests",
                "window_days",
                "compliant_until",
            )[:BATCH]
        )
        if not rows:
            return 0, 0, after
        rules = rules_for({r[0]: r[1] for r in rows}, today=today)
        changed: list[Compliance] = []
        for pid, _path, last, mask, old_n, old_d, old_until in rows:
            n, d = rules[pid]
            until = DayWindow(last, mask).compliant_until(required=n, days=d)
            if (n, d, until) != (old_n, old_d, old_until):
                changed.append(
                    Compliance(
                        person_id=pid, required_tests=n, window_days=d, compliant_until=until
                    )
                )
        if changed:
            Compliance.objects.bulk_update(
                changed, ["required_tests", "window_days", "compliant_until"], batch_size=1000
            )
    return len(rows), len(changed), rows[-1][0]


def rerule_people(*, person_ids: Iterable[int], today: dt.date | None = None) -> int:
    """Re-evaluate these people's rows under the policies in force; returns rows changed."""
    today = today or clock.today()
    ids = sorted(set(person_ids))
    changed = 0
    for start in range(0, len(ids), BATCH):
        _read, n, _last = _rerule_locked(Q(person_id__in=ids[start : start + BATCH]), today=today)
        changed += n
    return changed


def rerule_area(*, area_path: str, today: dt.date | None = None) -> int:
    """Re-evaluate every row of an area, a few grids at a time (the grid index serves each
    batch; the table has no path index). Returns rows changed."""
    today = today or clock.today()
    grids = list(
        Area.objects.filter(path__startswith=area_path, level=AreaLevel.GRID)
        .order_by("path")
        .values_list("pk", flat=True)
    )
    changed = 0
    for start in range(0, len(grids), GRIDS_PER_BATCH):
        group = Q(grid_id__in=grids[start : start + GRIDS_PER_BATCH])
        last = 0
        while True:
            read, n, last = _rerule_locked(group, today=today, after=last)
            changed += n
            if read < BATCH:
                break
    return changed


@dataclass(frozen=True)
class Reach:
    """Whose rule a policy can decide: everyone of an area, or the people it lists."""

    area_path: str
    everyone: bool
    people: frozenset[int]


def reach(policy: Policy) -> Reach:
    people: frozenset[int] = frozenset()
    if policy.audience != PolicyAudience.EVERYONE:
        people = frozenset(policy.people.values_list("pk", flat=True))
    return Reach(policy.area_path, policy.audience == PolicyAudience.EVERYONE, people)


def rerule_reach(*reaches: Reach, today: dt.date) -> int:
    """Re-evaluate the rows these policies can reach; returns rows changed."""
    areas = sorted({r.area_path for r in reaches if r.everyone})
    # An area inside another is covered by it.
    areas = [a for a in areas if not any(a != b and a.startswith(b) for b in areas)]
    changed = sum(rerule_area(area_path=a, today=today) for a in areas)
    people = {p for r in reaches if not r.everyone for p in r.people}
    if people:
        changed += rerule_people(person_ids=people, today=today)
    return changed


def in_force(policy: Policy, day: dt.date) -> bool:
    return policy.starts_on <= day and (policy.ends_on is None or policy.ends_on >= day)
