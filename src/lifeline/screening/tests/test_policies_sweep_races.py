"""Races on PostgreSQL: several workers sweeping at once, and a sweep beside a result import."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from lifeline.core.audit import AuditRecord
from lifeline.core.clock import frozen_at
from lifeline.core.models import IdempotencyRecord
from lifeline.screening.models import Compliance
from lifeline.screening.services import policy_create
from lifeline.screening.services.policies_sweep import OWNER, run_periodic
from lifeline.screening.tests.conftest import at, pool, result
from lifeline.screening.window import DayWindow

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are only real on PostgreSQL"
)
S = dt.date(2022, 11, 14)


def _together(jobs: list[Callable[[], None]]) -> list[BaseException]:
    barrier, errors = threading.Barrier(len(jobs)), []

    def run(job: Callable[[], None]) -> None:
        try:
            barrier.wait()
            job()
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def _policy_from(actor, city, *, n: int, d: int):
    with frozen_at(at(S - dt.timedelta(days=2))):
        return policy_create(
            actor=actor,
            area_id=city.community.pk,
            name=f"{n}/{d}",
            starts_on=S,
            required_tests=n,
            window_days=d,
        )


def _sweep() -> None:
    moment = at(S, 0)
    with frozen_at(moment):
        run_periodic(now=moment)


@pytest.mark.django_db(transaction=True)
def test_four_workers_sweeping_at_once_apply_a_start_once(city, community_staff, sampler, lab):
    person = city.people_a[0]
    day = S - dt.timedelta(days=1)
    result(lab, [pool(sampler, [person], day=day, size=1)], "negative", day=day)
    policy = _policy_from(community_staff, city, n=5, d=7)
    errors = _together([_sweep for _ in range(4)])
    assert errors == []
    assert Compliance.objects.get(person=person).required_tests == 5
    starts = AuditRecord.objects.filter(action="screening.policy_start", object_id=str(policy.pk))
    assert starts.count() == 1
    assert IdempotencyRecord.objects.get(owner=OWNER).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_sweep_beside_a_result_import_loses_nothing(city, community_staff, sampler, lab):
    # given a person tested yesterday under the daily rule, and "1 in 3" starting today
    person = city.people_a[0]
    yesterday = S - dt.timedelta(days=1)
    result(lab, [pool(sampler, [person], day=yesterday, size=1)], "negative", day=yesterday)
    _policy_from(community_staff, city, n=1, d=3)
    today_tube = pool(sampler, [person], day=S, size=1)
    # when today's result arrives while the sweep applies the start
    errors = _together([_sweep, lambda: result(lab, [today_tube], "negative", day=S)])
    # then both days are kept and the new rule reads from both
    assert errors == []
    row = Compliance.objects.get(person=person)
    window = DayWindow(row.last_tested_on, row.day_mask)
    assert window.tests_within(today=S, days=2) == 2
    assert (row.required_tests, row.window_days) == (1, 3)
    assert row.compliant_until == S + dt.timedelta(days=2)
