"""The notice period counts business days: Monday to Friday, less the public holidays of
``LIFELINE_KEYUSERS_HOLIDAYS``, plus the weekend days worked in exchange
(``LIFELINE_KEYUSERS_WORKDAYS``, 调休)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from lifeline.core.clock import frozen_at
from lifeline.core.errors import ServiceError
from lifeline.keyusers.services import interruption_plan, interruption_publish
from lifeline.keyusers.services.common import (
    business_days_until,
    extra_workdays,
    is_business_day,
    public_holidays,
)
from lifeline.keyusers.tests.helpers import days_later, make_power_grid, monday
from lifeline.testing.factories import SmallCity

MONDAY = dt.date(2026, 9, 28)  # National Day week: 1-7 October 2026 (Thursday to Wednesday)
GOLDEN_WEEK = [f"2026-10-0{n}" for n in range(1, 8)]


def test_without_holidays_only_weekends_are_skipped() -> None:
    assert business_days_until(MONDAY, MONDAY + dt.timedelta(days=10)) == 8


@override_settings(
    LIFELINE_KEYUSERS_HOLIDAYS=GOLDEN_WEEK, LIFELINE_KEYUSERS_WORKDAYS=["2026-10-10"]
)
def test_public_holidays_do_not_count_and_a_weekend_worked_in_exchange_does() -> None:
    # Tue 29, Wed 30 September; 1-7 October off; Thu 8, Fri 9; Saturday 10 worked.
    assert business_days_until(MONDAY, dt.date(2026, 10, 9)) == 4
    assert business_days_until(MONDAY, dt.date(2026, 10, 10)) == 5
    assert business_days_until(MONDAY, dt.date(2026, 10, 11)) == 5


@override_settings(LIFELINE_KEYUSERS_HOLIDAYS="2026-10-01, 2026-10-02 2026-10-05")
def test_the_setting_may_be_one_text_as_an_environment_variable_gives_it() -> None:
    assert public_holidays() == {dt.date(2026, 10, d) for d in (1, 2, 5)}
    assert extra_workdays() == frozenset()


@override_settings(LIFELINE_KEYUSERS_HOLIDAYS=["2026-13-01"])
def test_an_unreadable_holiday_is_a_configuration_error() -> None:
    with pytest.raises(ImproperlyConfigured):
        business_days_until(MONDAY, dt.date(2026, 10, 9))


HOLIDAYS = st.sets(st.dates(dt.date(2026, 1, 1), dt.date(2027, 12, 31)), max_size=20)


@given(
    start=st.dates(dt.date(2026, 1, 1), dt.date(2027, 6, 30)),
    span=st.integers(-3, 200),
    holidays=HOLIDAYS,
    workdays=HOLIDAYS,
)
def test_the_count_is_the_number_of_business_days_one_by_one(
    start: dt.date, span: int, holidays: set[dt.date], workdays: set[dt.date]
) -> None:
    end = start + dt.timedelta(days=span)
    with override_settings(
        LIFELINE_KEYUSERS_HOLIDAYS=sorted(holidays), LIFELINE_KEYUSERS_WORKDAYS=sorted(workdays)
    ):
        days = (start + dt.timedelta(days=n) for n in range(1, max(span, 0) + 1))
        expected = sum(is_business_day(d, frozenset(holidays), frozenset(workdays)) for d in days)
        assert business_days_until(start, end) == expected


@pytest.mark.django_db
def test_a_holiday_in_the_notice_period_makes_publishing_refused(city: SmallCity) -> None:
    grid = make_power_grid(city)
    # Monday 7 December; the start on Monday 14th is 5 business days away ...
    with frozen_at(monday()):
        draft = interruption_plan(
            actor=grid.duty,
            supply_points=[grid.feeder_a],
            starts_at=days_later(7),
            ends_at=days_later(7, 15),
            reason="检修",
        )
        # ... only 3 when Wednesday and Thursday are holidays: fewer than the 4 required.
        with override_settings(LIFELINE_KEYUSERS_HOLIDAYS=["2026-12-09", "2026-12-10"]):
            with pytest.raises(ServiceError) as refused:
                interruption_publish(actor=grid.duty, interruption=draft)
            assert refused.value.code == "short_notice"
        done = interruption_publish(actor=grid.duty, interruption=draft)
    assert done.status == "published"
