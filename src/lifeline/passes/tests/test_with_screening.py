"""The supply-run testing rule read from the real screening compliance, not a fake."""

from __future__ import annotations

import datetime as dt

import pytest

from lifeline.accounts.models import User
from lifeline.core import clock
from lifeline.passes import services
from lifeline.passes.models import ApplicationStatus
from lifeline.passes.tests.conftest import at
from lifeline.registry.models import Person, Unit
from lifeline.screening import selectors as screening
from lifeline.screening.services.compliance import PersonOutcome, compliance_apply
from lifeline.testing.factories import SmallCity


def _negatives(person: Person, days: list[dt.date]) -> None:
    compliance_apply(
        outcomes=[
            PersonOutcome(person.pk, person.grid_id, person.area_path, day, "negative")
            for day in days
        ]
    )


def _supply_run(actor: User, person: Person, city: SmallCity) -> object:
    return services.pass_application_submit(
        actor=actor,
        pass_type_code="supply-run",
        applicant_kind="grid_worker",
        person=person,
        area=city.grid_a,
        valid_from=at(9, day=6),
        valid_until=at(12, day=6),
        purpose="采购生活物资",
    )


@pytest.mark.parametrize(("tested_days", "refused"), [(4, True), (5, False)])
def test_supply_run_follows_the_screening_record(
    city: SmallCity,
    ladder: dict[str, Unit],
    grid_worker_a: User,
    tested_days: int,
    refused: bool,
) -> None:
    # given: negative tests on the last N of the 7 days before the application
    person = city.people_a[1]
    today = dt.date(2026, 11, 5)
    _negatives(person, [today - dt.timedelta(days=k) for k in range(tested_days)])
    assert screening.tests_in_window(person_id=person.pk, days=7, at=at(10)) == tested_days
    # when: the grid worker applies with the installed providers
    with clock.frozen_at(at(10)):
        application = _supply_run(grid_worker_a, person, city)
    # then: 4 in 7 is refused for the testing policy, 5 in 7 is not
    if refused:
        assert application.status == ApplicationStatus.REFUSED  # type: ignore[attr-defined]
        assert application.refusal_code == "testing_policy"  # type: ignore[attr-defined]
    else:
        assert application.status == ApplicationStatus.PENDING  # type: ignore[attr-defined]


def test_tests_older_than_the_window_do_not_count(city: SmallCity) -> None:
    person = city.people_a[2]
    _negatives(person, [dt.date(2026, 10, 20), dt.date(2026, 10, 21)])
    assert screening.tests_in_window(person_id=person.pk, days=7, at=at(10)) == 0
    assert screening.tests_in_window(person_id=city.people_a[0].pk, days=7, at=at(10)) == 0
