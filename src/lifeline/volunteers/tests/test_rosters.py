"""Rosters through the service: seed scenario (4), the 200 volunteers and building heads
of one community in 7 task groups over a week, covered or each gap listed with its
reason; edits checked against the rules; publishing books through the sign-up path; bad
requests refused, writing nothing."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import pytest
from django.utils import timezone

from lifeline.accounts.models import Role
from lifeline.core import clock
from lifeline.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from lifeline.core.models import OutboxMessage
from lifeline.testing.factories import make_user
from lifeline.volunteers.models import (
    Booking,
    BookingStatus,
    GroupKind,
    PostKind,
    Roster,
    RosterStatus,
    Unavailability,
)
from lifeline.volunteers.roster_rules import roster_violations
from lifeline.volunteers.services import (
    booking_signup,
    group_create,
    post_create,
    shift_create,
)
from lifeline.volunteers.services.rosters import (
    GAP_REASONS,
    Problem,
    roster_discard,
    roster_edit,
    roster_publish,
    roster_request,
    roster_run,
)
from lifeline.volunteers.tests.helpers import Duty, make_duty, shift, volunteer

pytestmark = pytest.mark.django_db

GROUPS = [
    ("巡逻组", GroupKind.PATROL, PostKind.COMMUNITY, ()),
    ("物资组", GroupKind.SUPPLIES, PostKind.BUILDING, ("driver",)),
    ("核酸组", GroupKind.TESTING, PostKind.SAMPLING, ("sampler",)),
    ("卡口组", GroupKind.GATE, PostKind.CHECKPOINT, ()),
    ("关爱组", GroupKind.ELDERS, PostKind.COMMUNITY, ("medical",)),
    ("宣传组", GroupKind.PUBLICITY, PostKind.COMMUNITY, ()),
    ("楼栋组", GroupKind.OTHER, PostKind.BUILDING, ()),
]


def _run(roster: Roster) -> Roster:
    return roster_run(roster_id=roster.pk)


def _week(duty: Duty) -> dt.date:
    return timezone.localdate(clock.now()) + dt.timedelta(days=1)


def test_scenario_4_a_community_of_200_in_7_task_groups_is_covered_or_each_gap_is_told(city):
    # Given one community's 7 task groups, each with a post staffed 7:30-12:00,
    # 12:00-17:00 and 17:00-22:00 every day for a week, and 200 volunteers and building
    # heads, some with skills, some away on a day
    duty = make_duty(city)
    first = _week(duty)
    origin = timezone.make_aware(dt.datetime.combine(first, dt.time()))
    for g, (name, kind, post_kind, skills) in enumerate(GROUPS):
        group = group_create(actor=duty.coordinator, area=duty.city.community, name=name, kind=kind)
        post = post_create(
            actor=duty.coordinator,
            area=duty.city.community,
            name=f"{name}岗",
            kind=post_kind,
            group=group,
        )
        for day in range(7):
            for start, end in (((7, 30), (12, 0)), ((12, 0), (17, 0)), ((17, 0), (22, 0))):
                begins = origin + dt.timedelta(days=day, hours=start[0], minutes=start[1])
                ends = origin + dt.timedelta(days=day, hours=end[0], minutes=end[1])
                shift_create(
                    actor=duty.coordinator,
                    post=post,
                    starts_at=begins,
                    ends_at=ends,
                    capacity=6 + g,  # 6 to 12 people a shift: 1,701 places
                    skills=skills,
                )
    skilled = ["driver"] * 8 + ["sampler"] * 10 + ["medical"] * 6
    people = []
    for n in range(200):
        people.append(
            volunteer(duty, n, skills=[skilled[n]] if n < len(skilled) else [], max_week_hours=40)
        )
    for person in people[::10]:  # one in ten away on the second day
        Unavailability.objects.create(
            volunteer=person,
            area_path=person.area_path,
            starts_at=origin + dt.timedelta(days=1),
            ends_at=origin + dt.timedelta(days=2),
        )

    # When the coordinator asks for the week's roster and the worker solves it
    roster = roster_request(
        actor=duty.coordinator, area=duty.city.community, starts_on=first, time_limit=10
    )
    roster = _run(roster)

    # Then it is proposed; every shift is full or short by a gap whose reason is told
    assert roster.status == RosterStatus.PROPOSED, roster.message
    problem = Problem(roster)
    assert len(problem.slots) == 7 * 7 * 3
    lines = [tuple(pair) for pair in roster.assignments]
    on = Counter(shift_id for shift_id, _v in lines)
    missing: dict[int, int] = defaultdict(int)
    for gap in roster.gaps:
        assert gap["reason"] in GAP_REASONS
        if not gap["skill"]:
            missing[gap["shift"]] += gap["missing"]
    for slot in problem.slots:
        assert on[slot.key] + missing[slot.key] == slot.need, slot
    # No rule is broken: overlaps, rest, 12 h a day, 40 h a week, the day away
    assert roster_violations(problem.slots, problem.people, lines) == []
    # With 8 hours' rest nobody works two shifts a day: 200 people give 1,380 shifts for the
    # 1,323 places, less the 20 away on the second day (180 for its 189 places): 9 short
    # that day at best; the rest filled, everyone at work, nobody past 7 shifts
    figures = roster.figures
    assert figures["needed"] == 1323
    assert figures["filled"] + sum(missing.values()) == 1323
    assert figures["filled"] >= 1300
    assert sum(missing.values()) >= 9
    assert figures["working"] == 200
    assert figures["hours_max"] <= 35


def _small(duty: Duty, people: int = 3) -> tuple[Roster, list]:
    first = _week(duty)
    # 07:30-11:30 and 20:30-00:30: one person may work both (8 h, 9 h of rest between)
    shifts = [shift(duty, 0, 4, capacity=2, open_call=False), shift(duty, 13, 4, capacity=2)]
    staff = [volunteer(duty, n) for n in range(people)]
    roster = roster_request(actor=duty.coordinator, area=duty.city.community, starts_on=first)
    return _run(roster), [shifts, staff]


def test_edits_are_checked_against_the_rules_and_publishing_books_and_tells(city):
    duty = make_duty(city)
    roster, (shifts, staff) = _small(duty)
    assert roster.status == RosterStatus.PROPOSED
    assert roster.figures["filled"] == 4 and roster.gaps == []
    # Taking someone off leaves a gap with its reason
    first = roster.assignments[0]
    roster = roster_edit(actor=duty.coordinator, roster=roster, remove=[first])
    assert roster.figures["filled"] == 3
    assert [g["missing"] for g in roster.gaps] == [1]
    # Putting someone on a shift already full is refused and nothing changes
    full = next(s for s in shifts if s.pk != first[0])
    other = next(v for v in staff if [full.pk, v.pk] not in roster.assignments)
    with pytest.raises(Conflict) as refused:
        roster_edit(actor=duty.coordinator, roster=roster, add=[(full.pk, other.pk)])
    assert "该班次已满员" in str(refused.value.message)
    roster.refresh_from_db()
    assert roster.figures["filled"] == 3
    # Nonsense lines are refused
    with pytest.raises(ServiceError):
        roster_edit(actor=duty.coordinator, roster=roster, add=[("x", None)])
    roster = roster_edit(actor=duty.coordinator, roster=roster, add=[first])
    assert roster.figures["filled"] == 4

    # When it is published, the worker books every line through the sign-up rules
    texts_before = OutboxMessage.objects.count()
    roster = roster_publish(actor=duty.coordinator, roster=roster)
    assert roster.status == RosterStatus.PUBLISHING
    roster = _run(roster)
    assert roster.status == RosterStatus.PUBLISHED
    booked = Booking.objects.filter(status=BookingStatus.CONFIRMED)
    assert booked.count() == 4
    assert set(booked.values_list("source", flat=True)) == {"roster"}
    told = OutboxMessage.objects.count() - texts_before
    assert told == len({v for _s, v in roster.assignments})
    # A published roster is no longer edited here (its bookings are)
    with pytest.raises(Conflict):
        roster_edit(actor=duty.coordinator, roster=roster, remove=[first])
    # Running the job again books nobody twice
    _run(roster)
    assert booked.count() == 4


def test_a_line_refused_on_publishing_becomes_a_gap(city):
    duty = make_duty(city)
    roster, (shifts, _staff) = _small(duty, people=2)
    # Someone else takes a place on the open call before the roster is published
    late = volunteer(duty, 99)
    sign_up = shifts[1]
    booking_signup(volunteer=late, shift=sign_up)
    sign_up.refresh_from_db()
    booking_signup(volunteer=volunteer(duty, 98), shift=sign_up)
    roster = _run(roster_publish(actor=duty.coordinator, roster=roster))
    assert roster.status == RosterStatus.PUBLISHED
    assert roster.figures["refused"] == 2
    assert [g["reason"] for g in roster.gaps].count("refused") == 2


def test_bookings_already_made_are_kept_on_the_roster(city):
    duty = make_duty(city)
    open_call = shift(duty, 0, 4, capacity=2)
    keen = volunteer(duty, 1)
    booking_signup(volunteer=keen, shift=open_call)
    volunteer(duty, 2)
    roster = _run(
        roster_request(actor=duty.coordinator, area=duty.city.community, starts_on=_week(duty))
    )
    assert [open_call.pk, keen.pk] in roster.assignments
    assert roster.figures["fixed"] == 1
    with pytest.raises(Conflict):
        roster_edit(actor=duty.coordinator, roster=roster, remove=[(open_call.pk, keen.pk)])


@pytest.mark.parametrize(
    ("days", "first", "limit", "field"),
    [(0, 1, 30, "days"), (15, 1, 30, "days"), (7, -1, 30, "starts_on"), (7, 1, 0, "time_limit")],
)
def test_bad_requests_are_refused_and_write_nothing(city, days, first, limit, field):
    duty = make_duty(city)
    shift(duty, 0, 4)
    day = timezone.localdate(clock.now()) + dt.timedelta(days=first)
    with pytest.raises(ServiceError) as refused:
        roster_request(
            actor=duty.coordinator,
            area=duty.city.community,
            starts_on=day,
            days=days,
            time_limit=limit,
        )
    assert field in refused.value.fields
    assert not Roster.objects.exists()


def test_no_shift_to_staff_and_someone_elses_area_are_refused(city):
    duty = make_duty(city)
    with pytest.raises(ServiceError) as refused:
        roster_request(actor=duty.coordinator, area=duty.city.community, starts_on=_week(duty))
    assert "starts_on" in refused.value.fields
    shift(duty, 0, 4)
    stranger = make_user("other_coord", role=Role.VOLUNTEER_COORDINATOR, area=city.grid_b)
    with pytest.raises((PermissionDenied, NotFound)):
        roster_request(actor=stranger, area=duty.city.community, starts_on=_week(duty))
    assert not Roster.objects.exists()


def test_discarded_and_failed_rosters(city):
    duty = make_duty(city)
    roster, _rest = _small(duty)
    roster = roster_discard(actor=duty.coordinator, roster=roster)
    assert roster.status == RosterStatus.DISCARDED
    with pytest.raises(Conflict):
        roster_publish(actor=duty.coordinator, roster=roster)
