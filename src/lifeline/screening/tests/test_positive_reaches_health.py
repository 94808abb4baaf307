"""Scenario: a positive test reaches health. The members of a positive pool are told to stay
home and call for help whenever they ask whether they may go to hospital, and their grid
worker finds them on the grid's lists; a positive single tube makes its person a case; a
negative recheck lifts the suspicion."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from lifeline.api.tests.helpers import client_for
from lifeline.core.clock import frozen_at
from lifeline.health.models import HealthStatus
from lifeline.health.services import access_decide
from lifeline.health.vocab import How, Notify, StatusSource
from lifeline.screening.tests.conftest import at, more_people, pool, result

DAY = dt.date(2022, 11, 6)
NEXT_DAY = DAY + dt.timedelta(days=1)


def _answer(actor, person, day=DAY):
    with frozen_at(at(day, 21)):
        return access_decide(actor=actor, person=person, urgency="necessary")


def _listed(worker, grid, kind, day=DAY):
    url = reverse("screening:list", kwargs={"area_id": grid.pk, "kind": kind})
    with frozen_at(at(day, 21)):
        response = client_for(worker).get(url)
    assert response.status_code == 200
    return {p.pk for p in response.context["people"]}


def test_a_positive_pool_sends_its_members_home_and_onto_their_grid_workers_list(
    city, sampler, lab, command_staff, grid_worker_a, grid_worker_b
):
    # given a pool of 3 people of grid A and 2 of grid B, all green before
    in_a, in_b = more_people(city.grid_a, 3), more_people(city.grid_b, 2)
    members = in_a + in_b
    before = _answer(command_staff, members[0])
    assert before.how == How.OWN_WAY_MASKED  # "go there yourself, with a mask"
    # when the lab reports the pool positive
    barcode = pool(sampler, members, day=DAY)
    result(lab, [barcode], "positive", day=DAY)
    # then every member's medical-access answer says: stay home, call for help
    for person in members:
        answer = _answer(command_staff, person)
        assert answer.rule.name == "quarantined_any_need", person
        assert answer.how == How.TRANSFER_120
        assert answer.notify[0] == Notify.COMMUNITY_LEAD
        assert "call 120" in answer.instructions_en
        assert "Do not go on your own" in answer.instructions_en
    # as suspected cases set by a rule: yellow code, home quarantine
    statuses = HealthStatus.objects.filter(person__in=members, current=True)
    assert {(s.colour, s.quarantine, s.source) for s in statuses} == {
        ("yellow", "home_quarantine", StatusSource.RULE)
    }
    # and each grid's worker finds them on the grid's lists, and only their own grid's
    assert _listed(grid_worker_a, city.grid_a, "staying_home") == {p.pk for p in in_a}
    assert _listed(grid_worker_a, city.grid_a, "pending_recheck") == {p.pk for p in in_a}
    assert _listed(grid_worker_b, city.grid_b, "staying_home") == {p.pk for p in in_b}
    # and the same result imported again writes no second status
    result(lab, [barcode], "positive", day=DAY)
    assert HealthStatus.objects.filter(person__in=members).count() == len(members)


def test_a_positive_single_tube_makes_a_case_and_a_negative_recheck_lifts_the_suspicion(
    city, sampler, lab, command_staff, grid_worker_a
):
    # given two members of a positive pool
    confirmed, cleared = more_people(city.grid_a, 2)
    result(lab, [pool(sampler, [confirmed, cleared], day=DAY, size=5)], "positive", day=DAY)
    # when their single-tube rechecks come back, one positive and one negative
    result(lab, [pool(sampler, [confirmed], day=NEXT_DAY, size=1)], "positive", day=NEXT_DAY)
    result(lab, [pool(sampler, [cleared], day=NEXT_DAY, size=1)], "negative", day=NEXT_DAY)
    # then the positive one is a case: red code, still told to stay home and call 120
    case = _answer(command_staff, confirmed, NEXT_DAY)
    assert case.rule.name == "red_any_need" and case.how == How.TRANSFER_120
    assert _listed(grid_worker_a, city.grid_a, "staying_home", NEXT_DAY) == {confirmed.pk}
    # and the negative one is back to what held before the pool: green, free to go
    free = _answer(command_staff, cleared, NEXT_DAY)
    assert free.rule.name == "green_default" and free.how == How.OWN_WAY_MASKED
