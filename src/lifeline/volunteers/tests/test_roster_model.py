"""The roster solver, pure (no database): seed scenario (2), a 20-person agency covering a
bridge, an enterprise and a community around the clock in three shifts for 7 days, and the
rules, gaps and fairness around it. Every roster is checked by ``broken_rules`` below,
written apart from the module's own checker."""

from __future__ import annotations

from collections import defaultdict

import pytest

from lifeline.volunteers.roster_model import (
    Gap,
    Person,
    ShiftSlot,
    roster_violations,
    solve_roster,
)

HOUR = 60
DAY = 24 * HOUR


def broken_rules(
    shifts: list[ShiftSlot], people: list[Person], assignments: list[tuple[int, int]]
) -> list[str]:
    """Every hard rule the roster breaks, in words, checked the plainest way."""
    by_key = {s.key: s for s in shifts}
    persons = {p.key: p for p in people}
    broken = []
    per_shift: dict[int, int] = defaultdict(int)
    per_person: dict[int, list[ShiftSlot]] = defaultdict(list)
    for key, who in assignments:
        per_shift[key] += 1
        per_person[who].append(by_key[key])
    broken += [f"shift {k} over" for k, n in per_shift.items() if n > by_key[k].need]
    for who, own in per_person.items():
        p = persons[who]
        for a in own:
            broken += [f"{who} unavailable" for u, v in p.unavailable if a.start < v and u < a.end]
            for b in own:
                if a.key != b.key and a.start <= b.start and b.start < a.end + p.min_rest:
                    broken.append(f"{who} on {a.key} and {b.key}")
        days: dict[int, int] = defaultdict(int)
        for a in own:
            days[a.start // DAY] += a.end - a.start
        broken += [f"{who} day {d}" for d, m in days.items() if m > p.max_day]
        if sum(a.end - a.start for a in own) > p.max_week:
            broken.append(f"{who} week")
    return broken


def around_the_clock(posts: int, days: int, need: int = 1) -> list[ShiftSlot]:
    """Shifts 06-14, 14-22 and 22-06 (the night counts in the day it starts)."""
    return [
        ShiftSlot(post * 100 + day * 3 + n, post, at, at + 8 * HOUR, need)
        for post in range(posts)
        for day in range(days)
        for n, at in enumerate(day * DAY + h * HOUR for h in (6, 14, 22))
    ]


def test_scenario_2_twenty_people_cover_three_posts_around_the_clock_for_a_week():
    # Given a bridge, an enterprise and a community, one person a shift, and 20 people
    shifts = around_the_clock(posts=3, days=7)
    people = [Person(k, frozenset()) for k in range(20)]

    # When the roster is built
    roster = solve_roster(shifts, people, time_limit=10)

    # Then every one of the 63 places is filled, no rule is broken, hours are level
    assert roster.status == "OPTIMAL"
    assert len(roster.assignments) == 63 and roster.gaps == []
    assert broken_rules(shifts, people, roster.assignments) == []
    assert roster_violations(shifts, people, roster.assignments) == []
    hours = roster.minutes.values()
    assert max(hours) <= 12 * HOUR * 7 and max(hours) - min(hours) <= 8 * HOUR
    assert sum(hours) == 63 * 8 * HOUR


def test_too_few_people_leave_gaps_no_one_free_and_fill_all_they_can():
    # Given 2 people for three posts of 2 on one day's three shifts
    shifts = around_the_clock(posts=3, days=1, need=2)
    people = [Person(k, frozenset()) for k in range(2)]

    roster = solve_roster(shifts, people, time_limit=5)

    # Then each works once (12 h a day: one 8 h shift), the rest are gaps
    assert roster.status == "OPTIMAL"
    assert len(roster.assignments) == 2
    assert broken_rules(shifts, people, roster.assignments) == []
    assert sum(g.missing for g in roster.gaps) == 18 - 2
    assert {g.reason for g in roster.gaps} == {"no_one_free"}


def test_short_of_a_skill_is_a_gap_with_reason_skill():
    # Given a sampling site needing 2 sampler-trained of 3, and one sampler among 4 people
    site = ShiftSlot(1, 7, 8 * HOUR, 16 * HOUR, 3, skill_need=(("sampler", 2),))
    people = [Person(0, frozenset({"sampler"}))] + [Person(k, frozenset()) for k in (1, 2, 3)]

    roster = solve_roster([site], people, time_limit=5)

    # Then the site is full, the sampler is on it, and one sampler is missing
    assert len(roster.assignments) == 3 and (1, 0) in roster.assignments
    assert roster.gaps == [Gap(1, 1, "skill", "sampler")]
    assert roster.status == "OPTIMAL"


def test_skill_holders_go_where_their_skill_is_needed():
    # Given a clinic needing 1 medical and a gate needing no one in particular, same hours
    clinic = ShiftSlot(1, 1, 0, 8 * HOUR, 1, skills=frozenset({"medical"}))
    gate = ShiftSlot(2, 2, 0, 8 * HOUR, 1)
    people = [Person(0, frozenset()), Person(1, frozenset({"medical"}))]

    roster = solve_roster([clinic, gate], people, time_limit=5)

    assert sorted(roster.assignments) == [(1, 1), (2, 0)]
    assert roster.gaps == []


def test_rest_between_shifts_and_unavailability_are_kept():
    # Given back-to-back shifts, one person needing 8 h rest, another away for the second
    first = ShiftSlot(1, 1, 0, 8 * HOUR, 1)
    second = ShiftSlot(2, 1, 8 * HOUR, 16 * HOUR, 1)
    people = [
        Person(0, frozenset()),
        Person(1, frozenset(), unavailable=((0, 16 * HOUR),)),
    ]

    roster = solve_roster([first, second], people, time_limit=5)

    # Then only one is filled: person 0 cannot take both, person 1 neither
    assert len(roster.assignments) == 1
    assert broken_rules([first, second], people, roster.assignments) == []
    assert [g.reason for g in roster.gaps] == ["no_one_free"]


def test_a_night_shift_counts_in_the_day_it_starts():
    # Given a 22-06 night and a 06-10 morning after it, and 9 h allowed a day, no rest
    night = ShiftSlot(1, 1, 22 * HOUR, 30 * HOUR, 1)
    morning = ShiftSlot(2, 1, 30 * HOUR, 34 * HOUR, 1)
    person = Person(0, frozenset(), max_day=9 * HOUR, min_rest=0)

    roster = solve_roster([night, morning], [person], time_limit=5)

    # Then both are worked: 8 h on day 0 and 4 h on day 1
    assert sorted(roster.assignments) == [(1, 0), (2, 0)]


def test_fixed_assignments_are_kept():
    # Given one place and two people, the second already signed up
    shift = ShiftSlot(5, 1, 0, 8 * HOUR, 1)
    people = [Person(0, frozenset({"driver"})), Person(1, frozenset(), fixed=(5,))]

    roster = solve_roster([shift], people, time_limit=5)

    assert roster.assignments == [(5, 1)]
    assert roster.minutes == {0: 0, 1: 8 * HOUR}


def test_fixed_assignments_that_break_a_rule_are_infeasible_with_the_reason():
    shifts = [ShiftSlot(1, 1, 0, 8 * HOUR, 1), ShiftSlot(2, 2, 4 * HOUR, 12 * HOUR, 1)]
    people = [Person(0, frozenset(), fixed=(1, 2))]

    roster = solve_roster(shifts, people, time_limit=5)

    assert roster.status == "INFEASIBLE"
    # (and 16 hours on one day, past 12)
    codes = [(v.code, v.shift, v.other) for v in roster.conflicts]
    assert codes == [("overlap", 1, 2), ("day", 1, None)]


def test_hours_are_spread_evenly_when_people_are_alike():
    # Given 6 alike people and 2 posts of 1 around the clock for 3 days (18 places)
    shifts = around_the_clock(posts=2, days=3)
    people = [Person(k, frozenset()) for k in range(6)]

    roster = solve_roster(shifts, people, time_limit=10)

    # Then everyone works 3 shifts
    assert len(roster.assignments) == 18
    assert set(roster.minutes.values()) == {3 * 8 * HOUR}
    assert broken_rules(shifts, people, roster.assignments) == []


@pytest.mark.parametrize(
    ("shift", "person", "message"),
    [
        (ShiftSlot(1, 1, 60, 60, 1), Person(0, frozenset()), "end 60 must be after start 60"),
        (ShiftSlot(1, 1, 0, 60, -1), Person(0, frozenset()), "need -1 must not be negative"),
        (
            ShiftSlot(1, 1, 0, 60, 1, skill_need=(("medical", 2),)),
            Person(0, frozenset()),
            "2 of 'medical' is not within 0..1",
        ),
        (ShiftSlot(1, 1, 0, 60, 1), Person(0, frozenset(), fixed=(9,)), "unknown shifts [9]"),
        (ShiftSlot(1, 1, 0, 60, 1), Person(0, frozenset(), max_day=-1), "must not be negative"),
    ],
)
def test_bad_input_raises_value_error(shift: ShiftSlot, person: Person, message: str):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        solve_roster([shift], [person])


def test_the_module_checker_finds_each_broken_rule():
    shifts = [ShiftSlot(1, 1, 0, 8 * HOUR, 1), ShiftSlot(2, 1, 10 * HOUR, 18 * HOUR, 1)]
    tired = Person(0, frozenset(), unavailable=((0, HOUR),), max_week=10 * HOUR)
    other = Person(1, frozenset())

    found = roster_violations(shifts, [tired, other], [(1, 0), (2, 0), (1, 1), (3, 1)])

    assert {v.code for v in found} == {"unavailable", "rest", "day", "week", "over_need", "unknown"}
