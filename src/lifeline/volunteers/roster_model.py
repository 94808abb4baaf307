"""Duty rosters built by a solver (OR-Tools CP-SAT): who works which shift, pure Python.

Plain tuples in, a roster out, no database, so the benchmark measures the very code the
roster service runs. Times are integer minutes since an epoch the caller picks; a shift's
calendar day is ``start // 1440``, so minute 0 should be a local midnight (a shift that
crosses midnight counts in the day it starts).

Hard rules: nobody on two overlapping shifts; at least ``min_rest`` minutes between the end
of one shift and the start of the next; a person's minutes within ``max_day`` per day and
``max_week`` over the whole horizon; no shift during a person's unavailability; at most
``need`` people per shift; fixed assignments (a published roster's people, sign-ups) kept.
When the fixed ones break a rule the status is INFEASIBLE and ``conflicts`` says why.

Skills: a shift's :meth:`ShiftSlot.required` counts, "at least k of the people on this
shift hold skill s" (``skill_need``; every skill in ``skills`` counts as 1). A skill short
is not a broken rule: it is reported as a :class:`Gap` with the reason ``"skill"``.

The objective is lexicographic, solved in three phases (each from the last one's answer):

1. coverage: maximise ``weight * filled - skill_short``, where ``filled`` counts the
   people placed, ``skill_short`` the skill places left unfilled and ``weight`` is one
   more than all skill places added up, so one more person placed always outweighs every
   skill (``RosterSolution.objective``; ``bound`` is its proven upper bound);
2. fairness: with coverage held, minimise the sum over people of
   ``sum_k max(0, minutes - k * FAIR_STEP)`` (:func:`fairness_of`), a convex piecewise-
   linear stand-in for the square of their minutes: for the same total it is least when
   hours are level;
3. placement: the people at work in each time slot (the shifts sharing one start and end)
   onto its shifts, fewest skill places short.

Phases 1 and 2 decide only who works which time slot (one boolean per person and slot they
are free for), with skills counted per slot: the holders at work against the places, and,
when each shift needs one skill at most, Hall's condition for every set of skills, which
makes the count exactly what phase 3 can place (otherwise it is a bound, and the status
stays FEASIBLE when phase 3 falls short of it). Rest and overlap are the maximal cliques of
the interval graph of ``[start, end + min_rest)``; the day and horizon limits are also
counts of shifts so that the LP relaxation is tight. That relaxation, solved by GLOP,
orders the first hint and stops CP-SAT once a solution reaches it (proof of optimality:
CP-SAT's own LP reaches that bound slowly on these models).
"""

from __future__ import annotations

import itertools
import math
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from lifeline.volunteers.roster_rules import (
    DAY,
    FAIR_STEP,
    Diary,
    Gap,
    Person,
    RosterSolution,
    ShiftSlot,
    Violation,
    fairness_of,
    find_gaps,
    free_for,
    roster_violations,
    validate,
)

COVERAGE_SHARE = 0.6  # of the time limit, for phase 1 at most
MAX_HALL_SKILLS = 5  # skills a slot may need for the exact count per set of skills

__all__ = [
    "Gap",
    "Person",
    "RosterSolution",
    "ShiftSlot",
    "Violation",
    "fairness_of",
    "find_gaps",
    "lp_relaxation",
    "roster_violations",
    "solve_roster",
    "validate",
]


class _Slot(NamedTuple):
    """The shifts sharing one start and end: one decision for a person."""

    start: int
    end: int
    shifts: tuple[ShiftSlot, ...]

    @property
    def need(self) -> int:
        return sum(s.need for s in self.shifts)


def _slots(shifts: Sequence[ShiftSlot]) -> list[_Slot]:
    grouped: dict[tuple[int, int], list[ShiftSlot]] = defaultdict(list)
    for s in shifts:
        if s.need > 0:
            grouped[s.start, s.end].append(s)
    return [_Slot(a, b, tuple(g)) for (a, b), g in sorted(grouped.items())]


def _matched(places: list[str], skills: list[frozenset[str]]) -> dict[str, int]:
    """How many ``places`` (one skill each) a largest matching fills with people of these
    ``skills``, per skill (augmenting paths)."""
    owner: dict[int, int] = {}  # place → person

    def augment(person: int, seen: set[int]) -> bool:
        for i, skill in enumerate(places):
            if skill in skills[person] and i not in seen:
                seen.add(i)
                if i not in owner or augment(owner[i], seen):
                    owner[i] = person
                    return True
        return False

    for person in range(len(skills)):
        augment(person, set())
    got: dict[str, int] = defaultdict(int)
    for i in owner:
        got[places[i]] += 1
    return got


class _Cover:
    """Phases 1 and 2: ``y[p, t]``, person p works time slot t. Skills are counted per
    slot (holders at work against the slot's total need), which is exact when no person
    holds two skills the slot needs and a bound otherwise."""

    def __init__(self, slots: list[_Slot], people: Sequence[Person]) -> None:
        self.model = cp_model.CpModel()
        self.slots, self.people = slots, people
        slot_of = {s.key: t for t, slot in enumerate(slots) for s in slot.shifts}
        self.y: dict[tuple[int, int], cp_model.IntVar] = {}
        self.loads: list[cp_model.LinearExpr] = []
        self.caps: list[int] = []  # the most minutes each person could work
        self.fixed: dict[tuple[int, int], int] = {}  # (person, slot) → their fixed shift
        self.unpinned: dict[int, list[int]] = {}  # per slot, who may go to any shift
        self.fixed_short = 0  # skill places that people fixed elsewhere leave no room for
        for pi, p in enumerate(people):
            fixed = {slot_of[k] for k in p.fixed}
            mine = [
                (slot.start, slot.end, t)
                for t, slot in enumerate(slots)
                if t in fixed or free_for(p, slot.start, slot.end)
            ]
            for _, _, t in mine:
                self.y[pi, t] = self.model.new_bool_var("")
            for key in p.fixed:
                self.model.add(self.y[pi, slot_of[key]] == 1)
                self.fixed[pi, slot_of[key]] = key
            self._person_rules(pi, p, mine)
        by_slot: dict[int, list[int]] = defaultdict(list)
        for pi, t in self.y:
            by_slot[t].append(pi)
        self.shorts: list[tuple[cp_model.IntVar, int, str, int]] = []
        for t, slot in enumerate(slots):
            self.model.add(sum(self.y[pi, t] for pi in by_slot[t]) <= slot.need)
            self._skills(t, slot, by_slot[t])
        self.weight = 1 + sum(
            k for slot in slots for s in slot.shifts for k in s.required().values()
        )
        self.cover = (
            self.weight * sum(self.y.values()) - sum(v for v, *_ in self.shorts) - self.fixed_short
        )
        self.by_slot = by_slot

    def _skills(self, t: int, slot: _Slot, here: list[int]) -> None:
        """Per skill, the slot's holders at work against its need; and, when each shift
        needs one skill at most, per set of skills (Hall's condition): then a person
        counts once, and the count is exactly what phase 3 can place."""
        pinned = {pi: self.fixed[pi, t] for pi in here if (pi, t) in self.fixed}
        needed: dict[str, int] = defaultdict(int)
        for s in slot.shifts:
            room = s.need - sum(1 for key in pinned.values() if key == s.key)
            for skill, k in s.required().items():
                got = sum(
                    1 for pi in pinned if pinned[pi] == s.key and skill in self.people[pi].skills
                )
                left = max(0, k - got)
                needed[skill] += min(left, room)
                self.fixed_short += left - min(left, room)  # no room left beside the fixed
        here = [pi for pi in here if pi not in pinned]  # they serve their own shift only
        self.unpinned[t] = here
        covered = {}
        for skill, k in needed.items():
            if not k:
                continue
            short = self.model.new_int_var(0, k, "")
            holders = [self.y[pi, t] for pi in here if skill in self.people[pi].skills]
            self.model.add(short + sum(holders) >= k)
            self.shorts.append((short, t, skill, k))
            covered[skill] = k - short
        if len(needed) > MAX_HALL_SKILLS or any(len(s.required()) > 1 for s in slot.shifts):
            return
        for size in range(2, len(needed) + 1):
            for group in itertools.combinations(sorted(needed), size):
                holders = [self.y[pi, t] for pi in here if self.people[pi].skills & set(group)]
                self.model.add(sum(covered[skill] for skill in group) <= sum(holders))

    def _person_rules(self, pi: int, p: Person, mine: list[tuple[int, int, int]]) -> None:
        """Rest and overlap (maximal cliques), the day and the horizon limits."""
        active: list[tuple[int, int, int]] = []
        for start, end, t in [*mine, (1 << 62, 1 << 62, -1)]:  # sorted by start already
            keep = [a for a in active if a[1] + p.min_rest > start]
            if len(keep) < len(active) and len(active) > 1:
                self.model.add_at_most_one(self.y[pi, a[2]] for a in active)
            active = [*keep, (start, end, t)]
        per_day: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
        for item in mine:
            per_day[item[0] // DAY].append(item)
        for items in per_day.values():
            self._limit(pi, items, p.max_day)
        self._limit(pi, mine, p.max_week)
        ys, minutes = [self.y[pi, t] for *_, t in mine], [b - a for a, b, _ in mine]
        self.loads.append(cp_model.LinearExpr.weighted_sum(ys, minutes))
        self.caps.append(min(p.max_week, sum(minutes)))

    def _limit(self, pi: int, items: list[tuple[int, int, int]], most: int) -> None:
        """At most ``most`` minutes over these slots, and at most as many shifts as the
        shortest fit in it: the count is what keeps the LP relaxation tight."""
        minutes = [b - a for a, b, _ in items]
        if sum(minutes) <= most:
            return
        ys = [self.y[pi, t] for _, _, t in items]
        self.model.add(cp_model.LinearExpr.weighted_sum(ys, minutes) <= most)
        if (count := most // min(minutes)) < len(items):
            self.model.add(sum(ys) <= count)

    def greedy(self, relaxed: list[float] | None = None) -> dict[int, int]:
        """A quick answer as the first hint (variable index → value): the fixed ones,
        then slot by slot the skills' holders, then the others who fit, those the LP
        relaxation (``relaxed``, by variable index) puts there first, then the least
        loaded."""
        diaries = [Diary(p) for p in self.people]
        values: dict[int, int] = {}
        lp = relaxed or [0.0] * len(self.model.proto.variables)
        for pi, t in self.fixed:
            values[self.y[pi, t].index] = 1
            diaries[pi].add(self.slots[t].start, self.slots[t].end)
        for t, slot in enumerate(self.slots):
            taken = [pi for pi in self.by_slot[t] if values.get(self.y[pi, t].index)]
            free = sorted(
                (
                    pi
                    for pi in self.by_slot[t]
                    if pi not in taken and diaries[pi].fits(slot.start, slot.end)
                ),
                key=lambda pi: (-lp[self.y[pi, t].index], diaries[pi].total),
            )
            for _, tt, skill, k in self.shorts:
                if tt == t:
                    held = sum(1 for pi in taken if skill in self.people[pi].skills)
                    for pi in [pi for pi in free if skill in self.people[pi].skills][
                        : max(0, k - held)
                    ]:
                        taken.append(pi)
                        free.remove(pi)
            taken += free[: max(0, slot.need - len(taken))]
            for pi in taken[: slot.need]:
                if not values.get(self.y[pi, t].index):
                    values[self.y[pi, t].index] = 1
                    diaries[pi].add(slot.start, slot.end)
        return self.complete(values)

    def complete(self, values: dict[int, int]) -> dict[int, int]:
        """The shorts that follow from the ``y`` in ``values``: a largest matching of the
        people at work to the skill places (augmenting paths), so the hint is feasible."""
        by_slot: dict[int, list[tuple[cp_model.IntVar, str, int]]] = defaultdict(list)
        for short, t, skill, k in self.shorts:
            by_slot[t].append((short, skill, k))
        for t, rows in by_slot.items():
            places = [skill for _, skill, k in rows for _ in range(k)]
            at_work = [p for p in self.unpinned[t] if values.get(self.y[p, t].index, 0)]
            got = _matched(places, [self.people[p].skills for p in at_work])
            for short, skill, k in rows:
                values[short.index] = k - got[skill]
        return values

    def value(self, values: dict[int, int]) -> int:
        """The coverage objective of these variable values."""
        filled = sum(values.get(y.index, 0) for y in self.y.values())
        shorts = sum(values.get(v.index, 0) for v, *_ in self.shorts)
        return self.weight * filled - shorts - self.fixed_short

    def fairness(self) -> list[tuple[cp_model.IntVar, int, int]]:
        """Phase 2's terms: ``e >= minutes - k * FAIR_STEP`` per person and kink."""
        excess = []
        for pi, (load, cap) in enumerate(zip(self.loads, self.caps, strict=True)):
            for kink in range(FAIR_STEP, cap, FAIR_STEP):
                e = self.model.new_int_var(0, cap - kink, "")
                self.model.add(e >= load - kink)
                excess.append((e, pi, kink))
        return excess


def _place(
    slots: list[_Slot], people: Sequence[Person], working: dict[int, list[int]]
) -> tuple[cp_model.CpModel, Callable[[cp_model.CpSolver], list[tuple[int, int]]]]:
    """Phase 3: the people at work in each slot onto its shifts, most skills covered.
    ``x``: on a shift needing a skill they hold; the others fill places left (``z``)."""
    model = cp_model.CpModel()
    shorts = []
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    rest: list[tuple[int, list[tuple[int, list[cp_model.IntVar]]]]] = []  # placed by count
    fixed_on: dict[int, list[int]] = defaultdict(list)
    on: dict[int, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    z: dict[int, cp_model.IntVar] = {}
    for t, slot in enumerate(slots):
        keys = {s.key for s in slot.shifts}
        pool: list[cp_model.LinearExprT] = []
        free = []
        for pi in working.get(t, []):
            p = people[pi]
            if own := [k for k in p.fixed if k in keys]:
                fixed_on[own[0]].append(pi)
                continue
            mine = [s for s in slot.shifts if p.skills & s.required().keys()]
            for s in mine:
                x[pi, s.key] = model.new_bool_var("")
                on[s.key].append((pi, x[pi, s.key]))
            u = model.new_bool_var("") if mine else 1
            if mine:
                model.add(u + sum(x[pi, s.key] for s in mine) == 1)
            pool.append(u)
            free.append((pi, [x[pi, s.key] for s in mine]))
        z.update((s.key, model.new_int_var(0, s.need, "")) for s in slot.shifts)
        model.add(sum(pool) == sum(z[s.key] for s in slot.shifts))
        rest.append((t, free))
        for s in slot.shifts:
            model.add(z[s.key] + sum(v for _, v in on[s.key]) + len(fixed_on[s.key]) <= s.need)
            for skill, k in s.required().items():
                got = sum(1 for pi in fixed_on[s.key] if skill in people[pi].skills)
                short = model.new_int_var(0, k, "")
                holders = [v for pi, v in on[s.key] if skill in people[pi].skills]
                model.add(short + sum(holders) >= k - got)
                shorts.append(short)
    model.minimize(sum(shorts))

    def roster(solver: cp_model.CpSolver) -> list[tuple[int, int]]:
        out = [(k, people[pi].key) for k, ps in fixed_on.items() for pi in ps]
        out += [(k, people[pi].key) for (pi, k), v in x.items() if solver.value(v)]
        for t, free in rest:
            spots = [s.key for s in slots[t].shifts for _ in range(solver.value(z[s.key]))]
            pool = [people[pi].key for pi, own in free if not any(map(solver.value, own))]
            out.extend(zip(spots, pool, strict=True))
        return sorted(out)

    return model, roster


def _solver(seconds: float, workers: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(seconds, 0.1)
    solver.parameters.num_workers = workers
    return solver


class _StopAt(cp_model.CpSolverSolutionCallback):
    """Stops the search once a solution reaches the LP relaxation's bound: proven."""

    def __init__(self, target: float | None, maximise: bool) -> None:
        super().__init__()
        self.target, self.maximise, self.reached = target, maximise, False

    def on_solution_callback(self) -> None:
        value = self.objective_value
        if self.target is not None and (
            value >= self.target - 1e-6 if self.maximise else value <= self.target + 1e-6
        ):
            self.reached = True
            self.stop_search()


def lp_relaxation(model: cp_model.CpModel) -> tuple[float, list[float]] | None:
    """The optimum and solution (by variable index) of the LP relaxation of a model of
    linear and at-most-one constraints (OR-Tools GLOP): the bound CP-SAT's own LP reaches
    only slowly on these models, and a guide for the first hint."""
    proto = model.proto
    lp = pywraplp.Solver.CreateSolver("GLOP")
    inf = lp.infinity()
    xs = [lp.NumVar(min(v.domain), max(v.domain), "") for v in proto.variables]
    for c in proto.constraints:
        if c.has_linear():
            lo, hi = min(c.linear.domain), max(c.linear.domain)
            row = lp.RowConstraint(-inf if lo < -(2**62) else lo, inf if hi > 2**62 else hi, "")
            for var, coeff in zip(c.linear.vars, c.linear.coeffs, strict=True):
                row.SetCoefficient(xs[var], coeff)
        elif c.has_at_most_one():
            lits = list(c.at_most_one.literals)
            row = lp.RowConstraint(-inf, 1 - sum(1 for lit in lits if lit < 0), "")
            for lit in lits:
                row.SetCoefficient(xs[lit if lit >= 0 else -lit - 1], 1 if lit >= 0 else -1)
        else:
            return None
    objective = lp.Objective()
    for var, coeff in zip(proto.objective.vars, proto.objective.coeffs, strict=True):
        objective.SetCoefficient(xs[var], coeff)
    objective.SetMinimization()
    if lp.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    scale = proto.objective.scaling_factor or 1.0
    return (objective.Value() + proto.objective.offset) * scale, [x.solution_value() for x in xs]


def _phase(
    model: cp_model.CpModel,
    variables: list[cp_model.IntVar],
    values: dict[int, int],
    seconds: float,
    workers: int,
    *,
    maximise: bool,
    relaxed: tuple[float, list[float]] | None = None,
) -> tuple[dict[int, int], bool, int]:
    """Solve from the hint ``values`` (by variable index), stopping at the LP bound:
    (values, proven, bound). A hint already at the bound is the answer."""
    relaxed = relaxed or lp_relaxation(model)
    target = None
    if relaxed is not None:
        target = math.floor(relaxed[0] + 1e-6) if maximise else math.ceil(relaxed[0] - 1e-6)
        objective = model.proto.objective
        hinted = sum(
            c * values.get(v, 0) for v, c in zip(objective.vars, objective.coeffs, strict=True)
        )
        if round((hinted + objective.offset) * (objective.scaling_factor or 1)) == target:
            return values, True, target
    model.clear_hints()
    for var in variables:
        model.add_hint(var, values.get(var.index, 0))
    solver = _solver(seconds, workers)
    stop = _StopAt(target, maximise)
    status = solver.solve(model, stop)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        values = {v.index: solver.value(v) for v in variables}
    bound = solver.best_objective_bound
    if target is not None:
        bound = min(bound, target) if maximise else max(bound, target)
    return values, status == cp_model.OPTIMAL or stop.reached, round(bound)


def solve_roster(
    shifts: Iterable[ShiftSlot],
    people: Iterable[Person],
    *,
    time_limit: float = 30.0,
    workers: int = 2,
) -> RosterSolution:
    """The roster of ``people`` for ``shifts`` (see the module's docstring) within about
    ``time_limit`` seconds in all. OPTIMAL only when every phase is proven. Raises
    ValueError on malformed input; fixed assignments that break a rule give INFEASIBLE."""
    started = time.perf_counter()
    deadline = started + time_limit
    shifts, people = list(shifts), list(people)
    validate(shifts, people)
    fixed = [(key, p.key) for p in people for key in p.fixed]
    if conflicts := roster_violations(shifts, people, fixed):
        result = RosterSolution("INFEASIBLE", assignments=fixed, conflicts=conflicts)
        return _finish(result, shifts, people, started, gaps=False)
    slots = _slots(shifts)
    cover = _Cover(slots, people)
    result = RosterSolution("FEASIBLE", variables=len(cover.y))
    variables = [*cover.y.values(), *(v for v, *_ in cover.shorts)]
    cover.model.maximize(cover.cover)
    relaxed = lp_relaxation(cover.model)
    values = cover.greedy(relaxed[1] if relaxed else None)
    result.build_seconds = time.perf_counter() - started
    reserve = max(1.0, 0.1 * time_limit)  # for phase 3
    budget = time_limit * COVERAGE_SHARE - result.build_seconds
    values, proven, result.bound = _phase(
        cover.model, variables, values, budget, workers, maximise=True, relaxed=relaxed
    )
    # Phase 2: fairness, coverage held.
    cover.model.add(cover.cover >= cover.value(values))
    excess = cover.fairness()
    loads = [0] * len(people)
    for (pi, t), y in cover.y.items():
        loads[pi] += (slots[t].end - slots[t].start) * values.get(y.index, 0)
    values |= {e.index: max(0, loads[pi] - kink) for e, pi, kink in excess}
    cover.model.minimize(sum(e for e, *_ in excess))
    budget = deadline - time.perf_counter() - reserve
    variables += [e for e, *_ in excess]
    values, fair, result.fairness_bound = _phase(
        cover.model, variables, values, budget, workers, maximise=False
    )
    # Phase 3: onto shifts.
    working: dict[int, list[int]] = defaultdict(list)
    for (pi, t), y in cover.y.items():
        if values.get(y.index, 0):
            working[t].append(pi)
    model, roster = _place(slots, people, working)
    placing = _solver(max(reserve, deadline - time.perf_counter()), workers)
    status = placing.solve(model)
    result.solve_seconds = time.perf_counter() - started - result.build_seconds
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        result.status = "UNKNOWN"
        return _finish(result, shifts, people, started)
    result.assignments = roster(placing)
    result = _finish(result, shifts, people, started)
    exact = result.objective == cover.value(values)  # phase 3 lost no skill
    proven = proven and fair and status == cp_model.OPTIMAL and exact
    result.status = "OPTIMAL" if proven else "FEASIBLE"
    return result


def _finish(
    result: RosterSolution,
    shifts: list[ShiftSlot],
    people: list[Person],
    started: float,
    *,
    gaps: bool = True,
) -> RosterSolution:
    """Minutes, gaps and the objective's value, from the roster itself."""
    by_key = {s.key: s for s in shifts}
    result.minutes = {p.key: 0 for p in people}
    for key, person in result.assignments:
        result.minutes[person] += by_key[key].minutes
    if gaps:
        result.gaps = find_gaps(shifts, people, result.assignments)
    weight = 1 + sum(k for s in shifts for k in s.required().values())
    short = sum(g.missing for g in result.gaps if g.skill)
    result.objective = weight * len(result.assignments) - short
    result.fairness = fairness_of(result.minutes.values())
    result.seconds = time.perf_counter() - started
    return result
