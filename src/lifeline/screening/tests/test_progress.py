"""Round progress read from the day masks, door-to-door households as team visits, and the
policies set above an actor's own areas."""

from __future__ import annotations

import datetime as dt

from lifeline.core.clock import frozen_at
from lifeline.registry.models import Building, VulnerabilityKind
from lifeline.screening.models import Round
from lifeline.screening.selectors import (
    SERVICE_BASE,
    SERVICE_PER_PERSON,
    as_team_visits,
    door_to_door_stops,
    policies_above,
    round_progress,
)
from lifeline.screening.services import policy_create, round_create
from lifeline.screening.tests.conftest import at, pool, result
from lifeline.testing.factories import make_household, make_person

START = dt.date(2022, 11, 1)
TARGET = dt.date(2022, 11, 3)


def _round(actor, area) -> Round:
    return round_create(
        actor=actor, area_id=area.pk, name="第一轮", starts_on=START, target_date=TARGET
    )


def _negative(sampler, lab, person, day: dt.date) -> None:
    result(lab, [pool(sampler, [person], day=day, size=1)], "negative", day=day)


def test_round_progress_counts_tests_inside_the_rounds_dates_only(
    city, community_staff, sampler, lab
):
    inside, inside_then_later, only_later = city.people_a
    extra, before = city.people_b[:2]
    _negative(sampler, lab, inside, START + dt.timedelta(days=1))
    _negative(sampler, lab, inside_then_later, START)
    _negative(sampler, lab, inside_then_later, TARGET + dt.timedelta(days=5))
    _negative(sampler, lab, only_later, TARGET + dt.timedelta(days=2))
    _negative(sampler, lab, before, START - dt.timedelta(days=1))
    _negative(sampler, lab, extra, TARGET)
    rnd = _round(community_staff, city.community)
    # when progress is read a week after the target date
    with frozen_at(at(TARGET + dt.timedelta(days=7))):
        progress = round_progress(actor=community_staff, rnd=rnd, by_child=True)
    # then only tests dated inside the round count, whatever came after
    assert (progress.total.tested, progress.total.people) == (3, 6)
    assert [(c.name, c.tested, c.untested) for c in progress.children] == [
        (city.grid_a.name, 2, 1),
        (city.grid_b.name, 1, 2),
    ]
    assert progress.overdue


def test_round_progress_of_a_grid_is_limited_to_the_actors_scope(
    city, community_staff, grid_worker_a, sampler, lab
):
    _negative(sampler, lab, city.people_a[0], START)
    rnd = _round(community_staff, city.grid_a)
    with frozen_at(at(START, 21)):
        mine = round_progress(actor=grid_worker_a, rnd=rnd)
    assert (mine.total.tested, mine.total.people, mine.total.percent) == (1, 3, 33.3)
    assert not mine.overdue


def test_door_to_door_households_become_team_visits(city, grid_worker_a, sampler, lab):
    placed = make_household(grid=city.grid_a, unit_no="H1")
    placed.building.lat, placed.building.lng = 27.8, 113.1
    placed.building.save()
    a = make_person(household=placed, name="卧床甲", vulnerabilities=[VulnerabilityKind.BEDRIDDEN])
    b = make_person(household=placed, name="卧床乙", vulnerabilities=[VulnerabilityKind.BEDRIDDEN])
    nowhere = Building.objects.create(
        grid=city.grid_a, area_path=city.grid_a.path, name="无坐标楼", address="未定位"
    )
    unplaced = make_household(grid=city.grid_a, unit_no="H2", building=nowhere)
    make_person(household=unplaced, name="失能丙", vulnerabilities=[VulnerabilityKind.DISABLED])
    done = make_household(grid=city.grid_a, unit_no="H3")
    tested = make_person(household=done, name="卧床丁", vulnerabilities=["bedridden"])
    _negative(sampler, lab, tested, START)
    with frozen_at(at(START, 21)):
        stops = door_to_door_stops(actor=grid_worker_a, grid_id=city.grid_a.pk)
    visits, left = as_team_visits(stops, grid=city.grid_a, day=START)
    # the two-person household is one visit of size 2; the tested one none; the one
    # without a map position is handed back to be placed by hand
    assert [(v.size, v.skill, v.area) for v in visits] == [(2, "sampling", city.grid_a.path)]
    assert visits[0].service == SERVICE_BASE + 2 * SERVICE_PER_PERSON
    assert [s.household_id for s in left] == [unplaced.pk]
    assert {pk for s in stops for pk, _n, _t in s.people} >= {a.pk, b.pk, tested.pk}
    assert all(name.count("*") for s in stops for _pk, name, _t in s.people)


def test_policies_set_above_are_visible_to_a_grid_worker(city, community_staff, grid_worker_a):
    with frozen_at(at(START)):
        above = policy_create(
            actor=community_staff, area_id=city.community.pk, name="社区每日", starts_on=START
        )
        policy_create(actor=community_staff, area_id=city.grid_b.pk, name="二网格", starts_on=START)
    assert list(policies_above(actor=grid_worker_a)) == [above]
