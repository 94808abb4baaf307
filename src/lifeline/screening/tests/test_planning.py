"""Sites, sessions, door-to-door lists, the daily review and special sessions from a list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from lifeline.core.clock import frozen_at
from lifeline.core.errors import ServiceError
from lifeline.registry.models import VulnerabilityKind
from lifeline.screening.models import SessionKind, SiteKind
from lifeline.screening.selectors import daily_review, door_to_door_list
from lifeline.screening.services import (
    policy_create,
    round_create,
    session_create,
    session_create_from_list,
    site_create,
)
from lifeline.screening.tests.conftest import at, more_people, pool, result
from lifeline.testing.factories import make_household, make_person

DAY = dt.date(2022, 11, 9)


def _night(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(20)))
    return start, start + dt.timedelta(hours=4)


def test_a_night_session_serves_the_grids_it_names(city, community_staff):
    site = site_create(
        actor=community_staff, area_id=city.community.pk, name="社区广场", kind=SiteKind.FIXED
    )
    starts, ends = _night(DAY)
    session = session_create(
        actor=community_staff,
        site_id=site.pk,
        kind=SessionKind.NIGHT,
        name="夜间专场",
        starts_at=starts,
        ends_at=ends,
        grid_ids=[city.grid_a.pk],
    )
    assert list(session.grids.all()) == [city.grid_a]


def test_a_session_ending_before_it_starts_is_refused(city, community_staff):
    site = site_create(
        actor=community_staff, area_id=city.community.pk, name="上门队", kind=SiteKind.DOOR_TO_DOOR
    )
    starts, ends = _night(DAY)
    with pytest.raises(ServiceError) as caught:
        session_create(
            actor=community_staff,
            site_id=site.pk,
            kind=SessionKind.NIGHT,
            name="x",
            starts_at=ends,
            ends_at=starts,
        )
    assert "ends_at" in caught.value.fields


def test_a_policy_wider_than_thirty_days_is_refused(city, community_staff):
    with pytest.raises(ServiceError):
        policy_create(
            actor=community_staff,
            area_id=city.community.pk,
            name="x",
            starts_on=DAY,
            required_tests=5,
            window_days=40,
        )


def test_a_round_has_a_target_date(city, community_staff):
    rnd = round_create(
        actor=community_staff,
        area_id=city.community.pk,
        name="第十轮",
        starts_on=DAY,
        target_date=DAY + dt.timedelta(days=1),
    )
    assert rnd.area_path == city.community.path


def test_the_door_to_door_list_holds_the_bedridden_of_the_grid(city, grid_worker_a):
    bedridden = make_person(
        household=make_household(grid=city.grid_a, unit_no="B01"),
        name="卧床老人",
        vulnerabilities=[VulnerabilityKind.BEDRIDDEN],
    )
    make_person(
        household=make_household(grid=city.grid_b, unit_no="B02"),
        name="另一网格",
        vulnerabilities=[VulnerabilityKind.BEDRIDDEN],
    )
    people = list(door_to_door_list(actor=grid_worker_a, grid_id=city.grid_a.pk))
    assert people == [bedridden]


def test_a_list_becomes_a_special_session_in_one_action(city, community_staff, sampler, lab):
    # given everyone of grid A but one tested today
    result(lab, [pool(sampler, city.people_a[:2], day=DAY)], "negative", day=DAY)
    site = site_create(
        actor=community_staff, area_id=city.community.pk, name="流动队", kind=SiteKind.MOBILE
    )
    starts, ends = _night(DAY)
    # when the "not tested today" list of grid A becomes a session
    with frozen_at(at(DAY, 19)):
        session = session_create_from_list(
            actor=community_staff,
            area_id=city.grid_a.pk,
            list_kind="not_tested_today",
            site_id=site.pk,
            starts_at=starts,
            ends_at=ends,
        )
    # then it invites exactly the untested person and serves grid A
    assert list(session.invited.all()) == [city.people_a[2]]
    assert list(session.grids.all()) == [city.grid_a]


def test_the_daily_review_counts_throughput_turnaround_and_backlog(city, sampler, lab):
    done = pool(sampler, more_people(city.grid_a, 10), day=DAY)
    pool(sampler, more_people(city.grid_a, 5), day=DAY, size=5)
    result(lab, [done], "negative", day=DAY)
    review = daily_review(actor=lab, day=DAY)
    assert sum(s["samples"] for s in review["sessions"]) == 15
    assert review["backlog"]["closed"] == 1
    assert review["turnaround_minutes"] == 11 * 60.0
