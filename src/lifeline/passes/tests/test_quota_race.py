"""The household quota under concurrency: many threads apply at once, one pass results."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from lifeline.accounts.models import User
from lifeline.core import clock
from lifeline.passes import services
from lifeline.passes.eligibility import Providers
from lifeline.passes.models import ApplicationStatus, PassApplication
from lifeline.passes.tests.conftest import at
from lifeline.registry.models import Unit
from lifeline.testing.factories import SmallCity

pytestmark = pytest.mark.postgres
THREADS = 8


@pytest.mark.django_db(transaction=True)
def test_concurrent_supply_runs_for_one_household_leave_exactly_one_pending(
    city: SmallCity, ladder: dict[str, Unit], grid_worker_a: User, providers: Providers
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are no-ops on SQLite; this race is tested on PostgreSQL")
    person = city.people_a[0]
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def apply() -> None:
        try:
            barrier.wait()
            with clock.frozen_at(at(10)):
                services.pass_application_submit(
                    actor=grid_worker_a,
                    pass_type_code="supply-run",
                    applicant_kind="grid_worker",
                    person=person,
                    area=city.grid_a,
                    valid_from=at(9, day=6),
                    valid_until=at(12, day=6),
                    purpose="采购",
                    providers=providers,
                )
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    # given: eight grid-worker requests for the same household and day, released together
    threads = [threading.Thread(target=apply) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # then: one is pending, the other seven refused for the quota
    assert errors == []
    statuses = list(PassApplication.objects.values_list("status", "refusal_code"))
    assert statuses.count((ApplicationStatus.PENDING, "")) == 1
    assert statuses.count((ApplicationStatus.REFUSED, "household_quota")) == THREADS - 1
