"""Guessing codes in parallel: real threads against PostgreSQL. Tries are counted under a
row lock, so twenty guesses at once get no more codes compared than the limit allows, and
a double submit of the same resident request files one order. (SQLite serialises writers,
so the race cannot happen there.)"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from django.db import connection

from lifeline.core.errors import ServiceError
from lifeline.core.models import OutboxMessage
from lifeline.core.personal import lookup_hash
from lifeline.workorders.models import Channel, Status, WorkOrder
from lifeline.workorders.services import (
    closing,
    resident,
    verification_check,
    verification_send,
    workorder_accept,
    workorder_confirm,
    workorder_create,
    workorder_resolve,
)

THREADS = 20
PHONE = "13712345678"


def _at_once(work: Callable[[int], Any]) -> tuple[list[Any], list[BaseException]]:
    """Run ``work(i)`` in THREADS threads released together; each result or ServiceError."""
    start = threading.Barrier(THREADS)
    results: list[Any] = []
    crashes: list[BaseException] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            start.wait()
            try:
                outcome: Any = work(i)
            except ServiceError as refused:
                outcome = refused
            with lock:
                results.append(outcome)
        except BaseException as exc:  # surfaced by the caller: a thread must not fail silently
            crashes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, crashes


class CountingHash:
    """Wraps ``lookup_hash`` to count the codes a service compares."""

    def __init__(self) -> None:
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self, value: str) -> str:
        with self._lock:
            self.calls += 1
        return lookup_hash(value)


def _skip_on_sqlite() -> None:
    if connection.vendor == "sqlite":
        pytest.skip("row-level races need PostgreSQL")


def _wrong(right: str, i: int) -> str:
    return f"{(int(right) + 1 + i) % 1_000_000:06d}"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_guesses_of_a_phone_code_get_five_tries_at_most(city):
    _skip_on_sqlite()
    # given a code sent to a phone
    verification_send(phone=PHONE, ip="10.0.0.1")
    body = OutboxMessage.objects.get(recipient=PHONE).body
    right = re.search(r"(?<!\d)\d{6}(?!\d)", body).group(0)
    counter = CountingHash()
    # when twenty wrong guesses arrive at once
    with mock.patch.object(resident, "lookup_hash", counter):
        results, crashes = _at_once(
            lambda i: verification_check(phone=PHONE, code=_wrong(right, i))
        )
        # then none succeeds and no more than five codes were compared
        assert crashes == []
        assert len(results) == THREADS and all(isinstance(r, ServiceError) for r in results)
        assert counter.calls <= resident.MAX_ATTEMPTS
    # and the right code, after the limit, is refused too
    with pytest.raises(ServiceError):
        verification_check(phone=PHONE, code=right)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_guesses_of_a_confirmation_code_get_five_tries_at_most(
    city, ladder, categories, community_staff, committee_staff
):
    _skip_on_sqlite()
    # given a resolved order awaiting the resident's code
    order = workorder_create(
        actor=community_staff,
        category_code="other",
        area=city.community,
        description="事",
        contact_phone=PHONE,
    ).order
    workorder_accept(actor=committee_staff, order=order)
    workorder_resolve(actor=committee_staff, order=order, note="办好了")
    body = OutboxMessage.objects.filter(recipient=PHONE).order_by("-pk").first().body
    right = re.search(r"(?<!\d)\d{6}(?!\d)", body).group(0)
    counter = CountingHash()
    # when twenty wrong guesses arrive at once
    with mock.patch.object(closing, "lookup_hash", counter):
        results, crashes = _at_once(
            lambda i: workorder_confirm(number=order.number, code=_wrong(right, i))
        )
        # then none succeeds and no more than five codes were compared
        assert crashes == []
        assert len(results) == THREADS and all(isinstance(r, ServiceError) for r in results)
        assert counter.calls <= closing.CONFIRM_MAX_ATTEMPTS
    order.refresh_from_db()
    assert order.status == Status.RESOLVED
    assert order.confirm_attempts == closing.CONFIRM_MAX_ATTEMPTS
    # and the right code, after the limit, is refused too
    with pytest.raises(ServiceError):
        workorder_confirm(number=order.number, code=right)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_resident_request_submitted_twenty_times_at_once_files_one_order(
    city, ladder, categories
):
    _skip_on_sqlite()

    def submit(i: int) -> Any:
        return workorder_create(
            actor=None,
            description="家里没菜了",
            category_code="other",
            channel=Channel.FORM,
            area=city.community,
            contact_phone=PHONE,
            address="1栋101",
            client_ip="10.0.0.1",
        )

    results, crashes = _at_once(submit)
    assert crashes == []
    assert WorkOrder.objects.count() == 1
    order = WorkOrder.objects.get()
    assert all(r.order.pk == order.pk for r in results)
    assert sum(1 for r in results if not r.repeat) == 1
    assert OutboxMessage.objects.filter(object_id=str(order.pk)).exists()
