"""The roster's rules, apart from the solver (``roster_model.py``): shifts, people, gaps
and broken rules as plain tuples; the input's checks; an independent checker of every
hard rule of a roster; its gaps with their reasons; and the fairness penalty. Pure Python:
the roster service checks an edited roster with these, and the tests check the solver's."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

DAY = 24 * 60
FAIR_STEP = 240  # minutes between the kinks of the fairness penalty


class ShiftSlot(NamedTuple):
    """A shift to staff: ``need`` people from ``start`` (inclusive) to ``end``."""

    key: int
    post: int
    start: int
    end: int
    need: int
    skills: frozenset[str] = frozenset()  # each: at least one holder (if need > 0)
    skill_need: tuple[tuple[str, int], ...] = ()  # (skill, k): at least k holders

    @property
    def minutes(self) -> int:
        return self.end - self.start

    def required(self) -> dict[str, int]:
        counts = {skill: min(1, self.need) for skill in self.skills}
        for skill, k in self.skill_need:
            counts[skill] = max(counts.get(skill, 0), k)
        return {skill: k for skill, k in counts.items() if k > 0}


class Person(NamedTuple):
    """A volunteer, with ``unavailable`` intervals ``[start, end)`` and limits in minutes."""

    key: int
    skills: frozenset[str]
    unavailable: tuple[tuple[int, int], ...] = ()
    max_day: int = 12 * 60
    max_week: int = 60 * 60
    min_rest: int = 8 * 60
    fixed: tuple[int, ...] = ()  # shift keys that must stay


class Gap(NamedTuple):
    """A shift short of ``missing`` people (or holders of ``skill``). ``reason`` is a code:
    ``no_one_free`` (everyone who could work it is unavailable, busy or at a limit),
    ``skill`` (too few holders of the skill could be placed), ``time_limit`` (the solver
    stopped early and someone could still be added)."""

    shift: int
    missing: int
    reason: str
    skill: str = ""


class Violation(NamedTuple):
    """A broken rule: ``code`` is one of unknown, duplicate, over_need, unavailable,
    overlap, rest, day, week; ``other`` the second shift of an overlap or rest."""

    code: str
    shift: int
    person: int
    other: int | None = None


@dataclass
class RosterSolution:
    status: str  # OPTIMAL, FEASIBLE, INFEASIBLE (fixed ones break rules) or UNKNOWN
    assignments: list[tuple[int, int]] = field(default_factory=list)  # (shift, person)
    gaps: list[Gap] = field(default_factory=list)
    objective: int = 0  # phase 1: COVER_WEIGHT * filled - skill_short
    bound: int = 0
    seconds: float = 0.0
    minutes: dict[int, int] = field(default_factory=dict)  # per person, everyone listed
    fairness: int = 0
    fairness_bound: int = 0
    build_seconds: float = 0.0
    solve_seconds: float = 0.0
    conflicts: list[Violation] = field(default_factory=list)
    variables: int = 0

    @property
    def gap(self) -> float:
        """The coverage objective's relative gap to its bound (0 when proven)."""
        return abs(self.bound - self.objective) / max(1, abs(self.bound))

    def figures(self) -> dict[str, object]:
        return {
            "solver": "OR-Tools CP-SAT",
            "status": self.status,
            "objective": self.objective,
            "bound": self.bound,
            "gap": round(self.gap, 6),
            "fairness": self.fairness,
            "fairness_bound": self.fairness_bound,
            "variables": self.variables,
            "build_seconds": round(self.build_seconds, 3),
            "solve_seconds": round(self.solve_seconds, 3),
        }


def _overlaps(a: int, b: int, c: int, d: int) -> bool:
    return a < d and c < b


def free_for(person: Person, start: int, end: int) -> bool:
    """Whether the person may work ``[start, end)`` at all, their other shifts aside."""
    minutes = end - start
    return (
        minutes <= person.max_day
        and minutes <= person.max_week
        and not any(_overlaps(start, end, a, b) for a, b in person.unavailable)
    )


def validate(shifts: Sequence[ShiftSlot], people: Sequence[Person]) -> None:
    """Raise ValueError on input no roster can mean: programming errors, not users'."""
    keys: set[int] = set()
    for s in shifts:
        if s.end <= s.start:
            raise ValueError(f"shift {s.key}: end {s.end} must be after start {s.start}")
        if s.need < 0:
            raise ValueError(f"shift {s.key}: need {s.need} must not be negative")
        for skill, k in s.skill_need:
            if not 0 <= k <= s.need:
                raise ValueError(f"shift {s.key}: {k} of {skill!r} is not within 0..{s.need}")
        if s.key in keys:
            raise ValueError(f"shift {s.key} is listed twice")
        keys.add(s.key)
    seen: set[int] = set()
    for p in people:
        if min(p.max_day, p.max_week, p.min_rest) < 0:
            raise ValueError(f"person {p.key}: limits must not be negative")
        if any(b <= a for a, b in p.unavailable):
            raise ValueError(f"person {p.key}: an unavailable interval ends before it starts")
        if unknown := [k for k in p.fixed if k not in keys]:
            raise ValueError(f"person {p.key}: fixed on unknown shifts {unknown}")
        if p.key in seen:
            raise ValueError(f"person {p.key} is listed twice")
        seen.add(p.key)


def roster_violations(
    shifts: Iterable[ShiftSlot], people: Iterable[Person], assignments: Iterable[tuple[int, int]]
) -> list[Violation]:
    """Every hard rule the ``(shift, person)`` pairs break, checked directly (no solver)."""
    by_key = {s.key: s for s in shifts}
    persons = {p.key: p for p in people}
    found: list[Violation] = []
    worked: dict[int, list[ShiftSlot]] = defaultdict(list)
    count: dict[int, int] = defaultdict(int)
    for shift_key, person_key in assignments:
        s, p = by_key.get(shift_key), persons.get(person_key)
        if s is None or p is None:
            found.append(Violation("unknown", shift_key, person_key))
            continue
        if s in worked[p.key]:
            found.append(Violation("duplicate", s.key, p.key))
            continue
        worked[p.key].append(s)
        count[s.key] += 1
        if count[s.key] > s.need:
            found.append(Violation("over_need", s.key, p.key))
        if any(_overlaps(s.start, s.end, a, b) for a, b in p.unavailable):
            found.append(Violation("unavailable", s.key, p.key))
    for key, own in worked.items():
        found.extend(_person_violations(persons[key], own))
    return found


def _person_violations(p: Person, own: list[ShiftSlot]) -> list[Violation]:
    found = []
    own = sorted(own, key=lambda s: (s.start, s.end, s.key))
    for i, a in enumerate(own):
        for b in own[i + 1 :]:
            if b.start >= a.end + p.min_rest:
                continue
            code = "overlap" if b.start < a.end and a.start < b.end else "rest"
            found.append(Violation(code, a.key, p.key, b.key))
    per_day: dict[int, int] = defaultdict(int)
    for s in own:
        per_day[s.start // DAY] += s.minutes
    found.extend(
        Violation("day", min(s.key for s in own if s.start // DAY == day), p.key)
        for day, minutes in per_day.items()
        if minutes > p.max_day
    )
    if sum(s.minutes for s in own) > p.max_week:
        found.append(Violation("week", own[-1].key, p.key))
    return found


class Diary:
    """One person's shifts so far, to test one more quickly against every rule."""

    def __init__(self, person: Person) -> None:
        self.person = person
        self.taken: list[tuple[int, int]] = []
        self.total = 0
        self.days: dict[int, int] = defaultdict(int)

    def fits(self, start: int, end: int) -> bool:
        p, minutes, rest = self.person, end - start, self.person.min_rest
        return (
            self.total + minutes <= p.max_week
            and self.days[start // DAY] + minutes <= p.max_day
            and not any(start < b + rest and a < end + rest for a, b in self.taken)
        )

    def add(self, start: int, end: int) -> None:
        self.taken.append((start, end))
        self.total += end - start
        self.days[start // DAY] += end - start


def fairness_of(minutes: Iterable[int]) -> int:
    """Phase 2's penalty of these per-person minutes: ``sum_k max(0, m - k * FAIR_STEP)``."""
    return sum(m - kink for m in minutes for kink in range(FAIR_STEP, max(m, 0), FAIR_STEP))


def find_gaps(
    shifts: Sequence[ShiftSlot], people: Sequence[Person], assignments: Iterable[tuple[int, int]]
) -> list[Gap]:
    """The shifts short of people or of skills in a roster, and why (see :class:`Gap`):
    ``time_limit`` when someone free could still be added, else ``no_one_free`` or
    ``skill``."""
    diaries = {p.key: Diary(p) for p in people}
    on: dict[int, set[int]] = defaultdict(set)
    by_key = {s.key: s for s in shifts}
    for key, person in assignments:
        diaries[person].add(by_key[key].start, by_key[key].end)
        on[key].add(person)
    addable: dict[tuple[int, int, str], bool] = {}

    def could_add(s: ShiftSlot, skill: str) -> bool:
        # Someone on another shift of the same times overlaps it anyway, so one answer
        # per start, end and skill.
        if (s.start, s.end, skill) not in addable:
            addable[s.start, s.end, skill] = any(
                (not skill or skill in p.skills)
                and free_for(p, s.start, s.end)
                and diaries[p.key].fits(s.start, s.end)
                for p in people
            )
        return addable[s.start, s.end, skill]

    found = []
    for s in shifts:
        missing = s.need - len(on[s.key])
        if missing > 0:
            found.append(Gap(s.key, missing, "time_limit" if could_add(s, "") else "no_one_free"))
        for skill, k in s.required().items():
            held = sum(1 for person in on[s.key] if skill in diaries[person].person.skills)
            if held < k:
                late = missing > 0 and could_add(s, skill)
                found.append(Gap(s.key, k - held, "time_limit" if late else "skill", skill))
    return found
