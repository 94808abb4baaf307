"""The roster part of ``lifeline bench volunteers``: a synthetic district's posts and
volunteers for a week of three shifts a day, solved in memory by the very model the roster
service runs (``volunteers.roster_model.solve_roster``); no database, no Django.

The instance (deterministic by ``seed``): posts needing 2-6 people a shift (one fewer at
night, never under 2), a third of them needing skills (a sampling site 2 sampler-trained,
a clinic 1 medical, a transport point 1-2 drivers); shifts 06-14, 14-22 and 22-06 (the
night counts in the day it starts); volunteers with skills, some days or hours off, at
most 12 h a day and 48-60 h a week, 8 h rest; a few already signed up (fixed).
"""

from __future__ import annotations

import random
import statistics
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from lifeline.volunteers.roster_model import (
    DAY,
    Person,
    ShiftSlot,
    roster_violations,
    solve_roster,
)

HOUR = 60
SHIFT_STARTS = (6 * HOUR, 14 * HOUR, 22 * HOUR)
SHIFT_MINUTES = 8 * HOUR
# (skill, how many, share of posts); the rest need no skill.
POST_KINDS = (("sampler", 2, 0.15), ("medical", 1, 0.1), ("driver", 1, 0.1))
SKILL_SHARE = {"sampler": 0.2, "medical": 0.1, "driver": 0.2}


def make_shifts(rnd: random.Random, posts: int, days: int) -> list[ShiftSlot]:
    shifts: list[ShiftSlot] = []
    for post in range(posts):
        need = rnd.randint(2, 6)
        draw = rnd.random()
        skill_need: tuple[tuple[str, int], ...] = ()
        for skill, k, share in POST_KINDS:
            if draw < share:
                skill_need = ((skill, k if skill != "driver" else rnd.randint(1, 2)),)
                break
            draw -= share
        for day in range(days):
            for number, start in enumerate(SHIFT_STARTS):
                at = day * DAY + start
                here = max(2, need - 1) if number == 2 else need
                shifts.append(
                    ShiftSlot(
                        len(shifts), post, at, at + SHIFT_MINUTES, here, skill_need=skill_need
                    )
                )
    return shifts


def _unavailable(rnd: random.Random, days: int) -> tuple[tuple[int, int], ...]:
    """Nothing for most; a day off, or a few hours (a job, a child to fetch) for others."""
    spans = []
    for _ in range(rnd.choice((0, 0, 1, 1, 2, 3))):
        day = rnd.randrange(days)
        if rnd.random() < 0.4:
            spans.append((day * DAY, (day + 1) * DAY))
        else:
            start = day * DAY + rnd.randrange(24) * HOUR
            spans.append((start, start + rnd.randint(2, 10) * HOUR))
    return tuple(sorted(spans))


def make_people(
    rnd: random.Random, volunteers: int, shifts: list[ShiftSlot], signed_up: int
) -> list[Person]:
    people = []
    for key in range(volunteers):
        skills = frozenset(s for s, share in SKILL_SHARE.items() if rnd.random() < share)
        people.append(
            Person(
                key,
                skills,
                _unavailable(rnd, max(1, shifts[-1].end // DAY)),
                max_day=12 * HOUR,
                max_week=rnd.randint(48, 60) * HOUR,
                min_rest=8 * HOUR,
            )
        )
    taken: Counter[int] = Counter()
    for i in rnd.sample(range(volunteers), min(signed_up, volunteers)):
        shift = rnd.choice(shifts)
        free = not any(a < shift.end and shift.start < b for a, b in people[i].unavailable)
        if free and taken[shift.key] < shift.need:
            taken[shift.key] += 1
            people[i] = people[i]._replace(fixed=(shift.key,))
    return people


def run_roster(
    *,
    volunteers: int = 500,
    posts: int = 40,
    days: int = 7,
    shifts_per_day: int = 3,
    seed: int = 16,
    time_limit: float = 30.0,
    write: Callable[[str], Any] = print,
) -> dict[str, Any]:
    """Make the instance, solve it, check the roster apart from the solver, and return the
    figures (hours, coverage, gaps, the solver's status and gap)."""
    if shifts_per_day != len(SHIFT_STARTS):
        raise ValueError(f"only {len(SHIFT_STARTS)} shifts a day are made")
    rnd = random.Random(seed)
    started = time.perf_counter()
    shifts = make_shifts(rnd, posts, days)
    people = make_people(rnd, volunteers, shifts, signed_up=volunteers // 25)
    write(f"  problem made in {time.perf_counter() - started:.2f} s")
    solution = solve_roster(shifts, people, time_limit=time_limit)
    needed = sum(s.need for s in shifts)
    filled = len(solution.assignments)
    hours = [m / HOUR for m in solution.minutes.values()]
    fixed = {(k, p.key) for p in people for k in p.fixed}
    reasons = Counter(g.reason for g in solution.gaps)
    skill_needed = sum(k for s in shifts for k in s.required().values())
    skill_short = sum(g.missing for g in solution.gaps if g.skill)
    figures = {
        "volunteers": volunteers,
        "posts": posts,
        "days": days,
        "shifts": len(shifts),
        **solution.figures(),
        "seconds": round(solution.seconds, 3),
        "slots_needed": needed,
        "slots_filled": filled,
        "coverage_pct": round(100 * filled / needed, 2) if needed else 100.0,
        "skill_places_needed": skill_needed,
        "skill_places_short": skill_short,
        "gaps": len(solution.gaps),
        "gap_reasons": dict(reasons),
        "fixed_kept": len(fixed & set(solution.assignments)),
        "fixed": len(fixed),
        "hours_min": min(hours, default=0.0),
        "hours_mean": round(statistics.fmean(hours), 2) if hours else 0.0,
        "hours_max": max(hours, default=0.0),
        "hours_spread": max(hours, default=0.0) - min(hours, default=0.0),
        "hours_stdev": round(statistics.pstdev(hours), 2) if hours else 0.0,
        "violations": len(roster_violations(shifts, people, solution.assignments)),
    }
    write(
        f"  {figures['status']} in {figures['seconds']} s (build {figures['build_seconds']} s, "
        f"solve {figures['solve_seconds']} s, gap {figures['gap']}); "
        f"{filled}/{needed} places ({figures['coverage_pct']} %), "
        f"hours {figures['hours_min']}-{figures['hours_max']}, "
        f"{figures['violations']} rules broken"
    )
    return figures
