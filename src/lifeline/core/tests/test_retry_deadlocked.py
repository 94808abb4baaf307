"""A transaction PostgreSQL aborted to break a deadlock is run again (a few times), and
nothing else is: other errors, and any error inside a caller's transaction, go up."""

from __future__ import annotations

import pytest
from django.db import OperationalError, transaction

from lifeline.core.db import retry_deadlocked


class _Cause(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def _failing(codes: list[str]):
    calls: list[int] = []

    def work() -> str:
        calls.append(1)
        if len(calls) <= len(codes):
            try:
                raise _Cause(codes[len(calls) - 1])
            except _Cause as cause:
                raise OperationalError("aborted") from cause
        return "done"

    return work, calls


def test_a_deadlocked_transaction_is_run_again_until_it_goes_through():
    work, calls = _failing(["40P01", "40P01"])
    assert retry_deadlocked(work) == "done" and len(calls) == 3


def test_it_gives_up_after_three_attempts_and_other_errors_go_up_at_once():
    work, calls = _failing(["40P01"] * 3)
    with pytest.raises(OperationalError):
        retry_deadlocked(work)
    assert len(calls) == 3
    work, calls = _failing(["57014"])  # statement cancelled: not ours to retry
    with pytest.raises(OperationalError):
        retry_deadlocked(work)
    assert len(calls) == 1


@pytest.mark.django_db
def test_inside_a_callers_transaction_nothing_is_retried():
    work, calls = _failing(["40P01"])
    with transaction.atomic(), pytest.raises(OperationalError):
        retry_deadlocked(work)
    assert len(calls) == 1
