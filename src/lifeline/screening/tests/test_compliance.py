"""Seed scenario: "5 tests in 7 days" for workers of a closed-loop enterprise (S10)."""

from __future__ import annotations

import datetime as dt

from lifeline.core.clock import frozen_at
from lifeline.screening.models import Compliance
from lifeline.screening.selectors import screening_counts, screening_list
from lifeline.screening.services import policy_create
from lifeline.screening.tests.conftest import at, pool, result

DAY0 = dt.date(2022, 11, 5)


def _five_in_seven(actor, city):
    with frozen_at(at(DAY0)):
        return policy_create(
            actor=actor,
            area_id=city.community.pk,
            name="7天5检",
            starts_on=DAY0,
            required_tests=5,
            window_days=7,
        )


def test_five_negatives_in_seven_days_is_compliant(city, community_staff, sampler, lab):
    # given a 5-in-7 policy and a worker tested negative on 5 of 7 days
    _five_in_seven(community_staff, city)
    worker = city.people_a[0]
    for offset in (0, 1, 3, 4, 6):
        day = DAY0 + dt.timedelta(days=offset)
        result(lab, [pool(sampler, [worker], day=day, size=1)], "negative", day=day)
    # when the list of non-compliant people is read on day 7
    today = DAY0 + dt.timedelta(days=6)
    with frozen_at(at(today, 21)):
        not_compliant = set(
            screening_list(
                actor=community_staff, area_id=city.grid_a.pk, kind="not_compliant"
            ).values_list("pk", flat=True)
        )
        counts = screening_counts(actor=community_staff, area_id=city.community.pk)
    # then the worker is compliant and counted as such
    row = Compliance.objects.get(person=worker)
    assert row.compliant_until == today
    assert worker.pk not in not_compliant
    assert counts[0]["compliant"] == 1
    assert counts[0]["people"] == 6


def test_four_negatives_in_seven_days_is_not_compliant(city, community_staff, sampler, lab):
    # given a 5-in-7 policy and a worker tested negative on only 4 of 7 days
    _five_in_seven(community_staff, city)
    worker = city.people_a[0]
    for offset in (0, 1, 3, 6):
        day = DAY0 + dt.timedelta(days=offset)
        result(lab, [pool(sampler, [worker], day=day, size=1)], "negative", day=day)
    # when the list is read on day 7
    with frozen_at(at(DAY0 + dt.timedelta(days=6), 21)):
        not_compliant = set(
            screening_list(
                actor=community_staff, area_id=city.grid_a.pk, kind="not_compliant"
            ).values_list("pk", flat=True)
        )
        not_tested = set(
            screening_list(
                actor=community_staff, area_id=city.grid_a.pk, kind="not_tested_today"
            ).values_list("pk", flat=True)
        )
    # then the worker is on the non-compliant list, but not on "not tested today"
    assert worker.pk in not_compliant
    assert worker.pk not in not_tested


def test_a_policy_for_a_list_applies_only_to_the_listed(city, community_staff, sampler, lab):
    # given a 5-in-7 policy for one listed worker only, both tested once today
    listed, other = city.people_a[0], city.people_a[1]
    with frozen_at(at(DAY0)):
        policy_create(
            actor=community_staff,
            area_id=city.community.pk,
            name="闭环企业",
            starts_on=DAY0,
            required_tests=5,
            window_days=7,
            audience="listed",
            person_ids=[listed.pk],
        )
    result(lab, [pool(sampler, [listed, other], day=DAY0)], "negative", day=DAY0)
    # then only the unlisted person (daily rule by default) is compliant today
    assert Compliance.objects.get(person=listed).compliant_until is None
    assert Compliance.objects.get(person=other).compliant_until == DAY0


def test_a_grid_worker_cannot_read_another_grids_list(city, grid_worker_a):
    # when the worker of grid A asks for grid B's list
    # then the area does not exist for them
    import pytest

    from lifeline.core.errors import NotFound

    with pytest.raises(NotFound):
        screening_list(actor=grid_worker_a, area_id=city.grid_b.pk, kind="not_tested_today")
