"""Races on PostgreSQL: concurrent imports and resent registrations lose and double nothing."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from lifeline.screening.models import Compliance, Sample
from lifeline.screening.services import sample_register
from lifeline.screening.tests.conftest import more_people, pool, result
from lifeline.screening.window import DayWindow

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are only real on PostgreSQL"
)
DAY = dt.date(2022, 11, 10)


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


@pytest.mark.django_db(transaction=True)
def test_concurrent_imports_for_one_person_keep_every_day(city, sampler, lab):
    # given one person sampled singly on 6 different days, each tube in its own file
    person = city.people_a[0]
    days = [DAY - dt.timedelta(days=k) for k in range(6)]
    tubes = [(pool(sampler, [person], day=d, size=1), d) for d in days]
    # when the six files are imported at the same moment
    errors = _together([lambda b=b, d=d: result(lab, [b], "negative", day=DAY) for b, d in tubes])
    # then no day is lost
    assert errors == []
    row = Compliance.objects.get(person=person)
    assert DayWindow(row.last_tested_on, row.day_mask).tests_within(today=DAY, days=7) == 6


@pytest.mark.django_db(transaction=True)
def test_concurrent_imports_sharing_ten_people_keep_every_day(city, sampler, lab):
    # given ten people pooled together on four days, each day's tube in its own file
    people = more_people(city.grid_a, 10)
    days = [DAY - dt.timedelta(days=k) for k in range(4)]
    tubes = [pool(sampler, people, day=d, size=10) for d in days]
    # when the four files are imported at the same moment
    errors = _together([lambda b=b: result(lab, [b], "negative", day=DAY) for b in tubes])
    # then every import commits (rows are locked in one order) and no day is lost
    assert errors == []
    for row in Compliance.objects.filter(person__in=people):
        assert DayWindow(row.last_tested_on, row.day_mask).tests_within(today=DAY, days=7) == 4
    assert Compliance.objects.filter(person__in=people).count() == 10


@pytest.mark.django_db(transaction=True)
def test_a_registration_sent_eight_times_at_once_is_stored_once(city, sampler):
    person = city.people_a[0]
    errors = _together(
        [
            lambda: sample_register(
                actor=sampler, client_id="same", barcode="R1", person_id=person.pk
            )
            for _ in range(8)
        ]
    )
    assert errors == []
    assert Sample.objects.filter(client_id="same").count() == 1
