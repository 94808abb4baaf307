"""Compliance kept true when policies start, end or change, and when the day rolls over.

A base "1 test in 2 days" rule holds in the community; a "5 in 7" policy for it is set
ahead of time. Without the sweep the rows would keep the rule of their last result.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from lifeline.core.audit import AuditRecord
from lifeline.core.clock import frozen_at
from lifeline.core.errors import NotFound, ServiceError
from lifeline.core.models import IdempotencyRecord
from lifeline.core.periodic import run_periodic_sweeps
from lifeline.screening.models import Compliance, Policy
from lifeline.screening.selectors import screening_counts, screening_list
from lifeline.screening.services import policy_create, policy_end, policy_update
from lifeline.screening.services.policies_sweep import OWNER, run_periodic
from lifeline.screening.services.reevaluate import rerule_area
from lifeline.screening.tests.conftest import at, pool, result

S = dt.date(2022, 11, 14)  # the day the 5-in-7 policy starts
SWEEP = "lifeline.screening.services.policies_sweep.run_periodic"
WORKER = "lifeline.core.management.commands.worker"


def _midnight(day: dt.date, minute: int = 5) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(0, minute)))


def _test(sampler, lab, person, day: dt.date) -> None:
    result(lab, [pool(sampler, [person], day=day, size=1)], "negative", day=day)


def _not_compliant(actor, city, day: dt.date) -> set[int]:
    with frozen_at(at(day, 10)):
        people = screening_list(actor=actor, area_id=city.grid_a.pk, kind="not_compliant")
        return set(people.values_list("pk", flat=True))


def _not_tested(actor, city, day: dt.date) -> set[int]:
    with frozen_at(at(day, 10)):
        people = screening_list(actor=actor, area_id=city.grid_a.pk, kind="not_tested_today")
        return set(people.values_list("pk", flat=True))


def _sweep(day: dt.date, minute: int = 5) -> dict[str, int]:
    moment = _midnight(day, minute)
    with frozen_at(moment):
        return run_periodic(now=moment)


@pytest.fixture
def base_and_strict(city, community_staff):
    """1 in 2 days since long ago; 5 in 7 from S through S+2, both set days ahead."""
    with frozen_at(at(S - dt.timedelta(days=20))):
        base = policy_create(
            actor=community_staff,
            area_id=city.community.pk,
            name="48小时",
            starts_on=S - dt.timedelta(days=20),
            required_tests=1,
            window_days=2,
        )
    with frozen_at(at(S - dt.timedelta(days=3))):
        strict = policy_create(
            actor=community_staff,
            area_id=city.community.pk,
            name="7天5检",
            starts_on=S,
            ends_on=S + dt.timedelta(days=2),
            required_tests=5,
            window_days=7,
        )
    return base, strict


def test_a_person_is_non_compliant_when_five_in_seven_starts_and_compliant_when_it_ends(
    city, community_staff, sampler, lab, base_and_strict
):
    worker = city.people_a[0]
    # given the worker tested the day before the strict policy starts (1 in 2: compliant)
    _test(sampler, lab, worker, S - dt.timedelta(days=1))
    assert worker.pk not in _not_compliant(community_staff, city, S - dt.timedelta(days=1))
    # then on S, before the sweep, the row still holds the old rule
    assert Compliance.objects.get(person=worker).compliant_until == S
    # when the day's sweep runs
    figures = _sweep(S)
    # then the 5-in-7 rule applies and one test is not enough
    assert figures["policy_transitions"] == 1 and figures["compliance_rows_changed"] >= 1
    row = Compliance.objects.get(person=worker)
    assert (row.required_tests, row.window_days, row.compliant_until) == (5, 7, None)
    assert worker.pk in _not_compliant(community_staff, city, S)
    # given three more tests while the strict policy holds (4 in 7: still not compliant)
    for k in range(3):
        _test(sampler, lab, worker, S + dt.timedelta(days=k))
    assert Compliance.objects.get(person=worker).compliant_until is None
    # when the strict policy's last day has passed and the sweep runs
    figures = _sweep(S + dt.timedelta(days=3))
    # then the base rule is back: tested yesterday, compliant today and tomorrow
    assert figures["policy_transitions"] == 1
    row = Compliance.objects.get(person=worker)
    assert (row.required_tests, row.window_days) == (1, 2)
    assert row.compliant_until == S + dt.timedelta(days=3)
    assert worker.pk not in _not_compliant(community_staff, city, S + dt.timedelta(days=3))


def test_the_sweep_applies_each_transition_once(city, sampler, lab, base_and_strict):
    _test(sampler, lab, city.people_a[0], S - dt.timedelta(days=1))
    first = _sweep(S)
    # when the worker beats again the same day, and the next day
    again = _sweep(S, minute=6)
    next_day = _sweep(S + dt.timedelta(days=1))
    # then nothing is done twice, and one audit record tells of the start
    assert first["policy_transitions"] == 1
    assert again == next_day == {"policy_transitions": 0, "compliance_rows_changed": 0}
    _base, strict = base_and_strict
    assert (
        AuditRecord.objects.filter(
            action="screening.policy_start", object_id=str(strict.pk)
        ).count()
        == 1
    )


def test_a_start_missed_while_no_worker_ran_is_applied_later(city, sampler, lab, base_and_strict):
    worker = city.people_a[0]
    _test(sampler, lab, worker, S - dt.timedelta(days=1))
    # given no sweep ran on S: the row still holds the base rule
    assert Compliance.objects.get(person=worker).required_tests == 1
    # when the first sweep after the outage runs two days late
    figures = _sweep(S + dt.timedelta(days=1))
    # then the start is applied
    assert figures["policy_transitions"] == 1
    assert Compliance.objects.get(person=worker).required_tests == 5


def test_the_day_rollover_moves_tested_today_without_a_write(city, community_staff, sampler, lab):
    worker = city.people_a[0]
    day = S
    _test(sampler, lab, worker, day)
    assert worker.pk not in _not_tested(community_staff, city, day)
    with frozen_at(at(day, 21)):
        today_counts = screening_counts(actor=community_staff, area_id=city.grid_a.pk)[0]
    before = list(Compliance.objects.values_list())
    # when the day rolls over and the worker beats
    figures = _sweep(day + dt.timedelta(days=1))
    # then the worker is "not tested today" again, and no row was rewritten for it
    assert worker.pk in _not_tested(community_staff, city, day + dt.timedelta(days=1))
    with frozen_at(at(day + dt.timedelta(days=1), 10)):
        next_counts = screening_counts(actor=community_staff, area_id=city.grid_a.pk)[0]
    assert today_counts["tested_today"] == 1 and next_counts["tested_today"] == 0
    assert next_counts["not_tested_today"] == today_counts["not_tested_today"] + 1
    assert figures == {"policy_transitions": 0, "compliance_rows_changed": 0}
    assert list(Compliance.objects.values_list()) == before


def test_the_sweep_is_configured_for_lifeline_worker(
    city, sampler, lab, base_and_strict, monkeypatch
):
    # The worker recycles connections between jobs; inside a test's transaction that would
    # close the connection (PostgreSQL), so it is a no-op here (as in core's worker tests).
    for module in ("django_tasks_db.management.commands.db_worker", WORKER):
        monkeypatch.setattr(f"{module}.close_old_connections", lambda: None)
    worker = city.people_a[0]
    _test(sampler, lab, worker, S - dt.timedelta(days=1))
    # when `lifeline worker --once` runs on S
    with frozen_at(_midnight(S)):
        call_command("worker", "--once")
        figures = run_periodic_sweeps(now=_midnight(S, 7))
    # then it has applied the start (and the beat after it finds nothing to do)
    assert Compliance.objects.get(person=worker).required_tests == 5
    assert figures[SWEEP] == {"policy_transitions": 0, "compliance_rows_changed": 0}


def test_a_live_claim_is_left_alone_and_a_stale_one_taken_over(city, sampler, lab, base_and_strict):
    worker = city.people_a[0]
    _test(sampler, lab, worker, S - dt.timedelta(days=1))
    _base, strict = base_and_strict
    key = f"policy:{strict.pk}:start:{S.isoformat()}"
    claimed = _midnight(S, 1)
    IdempotencyRecord.objects.create(
        owner=OWNER, key=key, endpoint="x", request_hash=claimed.isoformat()
    )
    # when another worker sweeps while the claim is fresh
    assert _sweep(S, minute=10)["policy_transitions"] == 0
    assert Compliance.objects.get(person=worker).required_tests == 1
    # and when the claim has gone stale (its worker died)
    assert _sweep(S, minute=59)["policy_transitions"] == 1
    assert Compliance.objects.get(person=worker).required_tests == 5
    assert IdempotencyRecord.objects.get(owner=OWNER, key=key).status_code == 200


def test_adding_a_person_to_a_listed_policy_applies_at_once(city, community_staff, sampler, lab):
    listed, other = city.people_a[0], city.people_a[1]
    _test(sampler, lab, listed, S)
    _test(sampler, lab, other, S)
    with frozen_at(at(S, 12)):
        policy = policy_create(
            actor=community_staff,
            area_id=city.community.pk,
            name="闭环企业",
            starts_on=S,
            required_tests=5,
            window_days=7,
            audience="workers",
            person_ids=[listed.pk],
        )
        assert Compliance.objects.get(person=listed).compliant_until is None
        assert Compliance.objects.get(person=other).compliant_until == S
        # when the other worker joins the list and the first leaves it
        policy_update(
            actor=community_staff,
            policy_id=policy.pk,
            name=policy.name,
            starts_on=S,
            ends_on=None,
            required_tests=5,
            window_days=7,
            audience="workers",
            person_ids=[other.pk],
        )
    # then both rows follow at once
    assert Compliance.objects.get(person=listed).compliant_until == S
    assert Compliance.objects.get(person=other).compliant_until is None
    assert AuditRecord.objects.filter(action="screening.policy_update").exists()


def test_a_rule_change_applies_at_once_and_ending_yesterday_ends_it_now(
    city, community_staff, sampler, lab
):
    worker = city.people_a[0]
    for k in range(3):
        _test(sampler, lab, worker, S - dt.timedelta(days=k))
    with frozen_at(at(S, 12)):
        policy = policy_create(
            actor=community_staff,
            area_id=city.community.pk,
            name="7天3检",
            starts_on=S - dt.timedelta(days=1),
            required_tests=3,
            window_days=7,
        )
        assert Compliance.objects.get(person=worker).compliant_until == S + dt.timedelta(days=4)
        # when the rule is tightened to 5 in 7
        policy_update(
            actor=community_staff,
            policy_id=policy.pk,
            name=policy.name,
            starts_on=policy.starts_on,
            ends_on=None,
            required_tests=5,
            window_days=7,
            audience="everyone",
        )
        assert Compliance.objects.get(person=worker).compliant_until is None
        # and when it is ended as of yesterday
        policy_end(actor=community_staff, policy_id=policy.pk, last_day=S - dt.timedelta(days=1))
    # then the daily rule holds again: tested today
    row = Compliance.objects.get(person=worker)
    assert (row.required_tests, row.window_days, row.compliant_until) == (1, 1, S)
    # and the sweep does not apply that end a second time
    assert _sweep(S + dt.timedelta(days=1))["policy_transitions"] == 0


def test_ending_a_policy_refuses_days_in_the_past_and_before_its_start(city, community_staff):
    with frozen_at(at(S)):
        upcoming = policy_create(
            actor=community_staff,
            area_id=city.community.pk,
            name="下周",
            starts_on=S + dt.timedelta(days=7),
            required_tests=1,
            window_days=1,
        )
        for last_day in (S - dt.timedelta(days=5), S + dt.timedelta(days=1)):
            with pytest.raises(ServiceError) as caught:
                policy_end(actor=community_staff, policy_id=upcoming.pk, last_day=last_day)
            assert "last_day" in caught.value.fields
    assert Policy.objects.get(pk=upcoming.pk).ends_on is None


def test_a_policy_update_is_validated_field_by_field(city, community_staff):
    with frozen_at(at(S)):
        policy = policy_create(
            actor=community_staff,
            area_id=city.community.pk,
            name="每日",
            starts_on=S,
        )
        with pytest.raises(ServiceError) as caught:
            policy_update(
                actor=community_staff,
                policy_id=policy.pk,
                name=" ",
                starts_on=S,
                ends_on=S - dt.timedelta(days=1),
                required_tests=8,
                window_days=7,
                audience="listed",
                person_ids=[],
            )
    assert set(caught.value.fields) >= {"name", "ends_on", "required_tests", "person_ids"}
    assert Policy.objects.get(pk=policy.pk).name == "每日"


def test_a_grid_worker_cannot_change_the_communitys_policy(city, community_staff, grid_worker_a):
    with frozen_at(at(S)):
        policy = policy_create(
            actor=community_staff, area_id=city.community.pk, name="每日", starts_on=S
        )
        with pytest.raises(NotFound):
            policy_end(actor=grid_worker_a, policy_id=policy.pk)


def test_rerule_area_only_writes_rows_whose_rule_changed(city, community_staff, sampler, lab):
    for person in city.people_a + city.people_b:
        _test(sampler, lab, person, S)
    # nothing changed since the results: a re-evaluation writes nothing
    assert rerule_area(area_path=city.city.path, today=S) == 0
    # a policy slipped in behind the services' back: grid A's three rows change, once
    Policy.objects.create(
        name="x",
        area=city.grid_a,
        area_path=city.grid_a.path,
        starts_on=S,
        required_tests=2,
        window_days=3,
    )
    assert rerule_area(area_path=city.community.path, today=S) == 3
    assert rerule_area(area_path=city.community.path, today=S) == 0


def test_an_editor_keeps_the_people_listed_outside_their_scope(city, command_staff, grid_worker_a):
    with frozen_at(at(S)):
        policy = policy_create(
            actor=command_staff,
            area_id=city.grid_a.pk,
            name="名单",
            starts_on=S,
            audience="listed",
            person_ids=[city.people_a[0].pk, city.people_b[0].pk],
        )
        # when grid A's worker replaces the list with another person of grid A
        policy_update(
            actor=grid_worker_a,
            policy_id=policy.pk,
            name="名单",
            starts_on=S,
            ends_on=None,
            required_tests=1,
            window_days=1,
            audience="listed",
            person_ids=[city.people_a[1].pk],
        )
    # then grid B's person, whom the worker cannot see, is still listed
    assert set(policy.people.values_list("pk", flat=True)) == {
        city.people_a[1].pk,
        city.people_b[0].pk,
    }
