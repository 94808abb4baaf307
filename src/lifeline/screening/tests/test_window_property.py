"""Property: compliance kept incrementally equals recomputation from the raw results."""

from __future__ import annotations

import datetime as dt
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from lifeline.screening.window import MAX_WINDOW_DAYS, DayWindow

BASE = dt.date(2022, 11, 1)


def _naive(days: set[dt.date], *, today: dt.date, n: int, d: int) -> tuple[bool, int, bool]:
    inside = {x for x in days if today - dt.timedelta(days=d) < x <= today}
    return today in days, len(inside), len(inside) >= n


@st.composite
def histories(draw):
    d = draw(st.integers(min_value=1, max_value=MAX_WINDOW_DAYS))
    n = draw(st.integers(min_value=1, max_value=d))
    offsets = draw(st.lists(st.integers(min_value=0, max_value=120), max_size=40))
    seed = draw(st.integers(min_value=0, max_value=2**16))
    later = draw(st.integers(min_value=0, max_value=40))
    return n, d, offsets, seed, later


@settings(max_examples=300, deadline=None)
@given(histories())
def test_incremental_compliance_equals_recomputation(case):
    # given results for random days, arriving in a random order, under a random policy
    n, d, offsets, seed, later = case
    days = [BASE + dt.timedelta(days=o) for o in offsets]
    random.Random(seed).shuffle(days)
    window = DayWindow(None, 0)
    for day in days:
        window = window.add(day)
    # when "today" is any day from the last result onwards
    today = max(days, default=BASE) + dt.timedelta(days=later)
    until = window.compliant_until(required=n, days=d)
    # then tested-today, tests in the window and compliance agree with the raw history
    tested, count, compliant = _naive(set(days), today=today, n=n, d=d)
    assert (window.last == today) == tested
    assert window.tests_within(today=today, days=d) == count
    assert (until is not None and until >= today) == compliant
