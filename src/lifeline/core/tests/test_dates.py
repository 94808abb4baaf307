"""Dates typed into query strings and forms: a bad or far-off date is a 400, not a 500."""

from __future__ import annotations

import datetime as dt

import pytest

from lifeline.core.dates import parse_day
from lifeline.core.errors import ServiceError


def test_an_empty_day_is_none_and_a_good_one_is_read():
    assert parse_day("") is None and parse_day(None) is None
    assert parse_day(" 2022-11-05 ") == dt.date(2022, 11, 5)


@pytest.mark.parametrize(
    "text", ["9999-99-99", "0000-01-01", "9999-12-31", "0001-01-01", "2022-02-30", "tomorrow"]
)
def test_an_unreadable_or_out_of_range_day_is_refused_naming_the_field(text):
    with pytest.raises(ServiceError) as refused:
        parse_day(text, field="day")
    assert refused.value.status == 400 and set(refused.value.fields) == {"day"}
