"""The outbox: backoff, dead letters, claims that outlive their worker, and retries."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from lifeline.core import clock
from lifeline.core.actors import system
from lifeline.core.models import AuditRecord, OutboxMessage, OutboxStatus
from lifeline.core.outbox import (
    BACKOFF,
    JITTER,
    LEASE,
    MAX_ATTEMPTS,
    outbox_claim,
    outbox_dead_letters,
    outbox_retry,
    outbox_send_pending,
)
from lifeline.core.sms_backends import PermanentSendError, TemporarySendError

T0 = timezone.make_aware(dt.datetime(2026, 5, 1, 9, 0))
HERE = "lifeline.core.tests.test_outbox"


class RecordingBackend:
    """Accepts every text and remembers it (thread-safe, for the race)."""

    sent: Counter[int] = Counter()
    lock = threading.Lock()

    def __init__(self, *, write: object = print) -> None:
        pass

    def send(self, recipient: str, body: str, *, key: str = "") -> str:
        with self.lock:
            self.sent[int(body)] += 1
        return f"id-{body}"


class DownBackend:
    def __init__(self, *, write: object = print) -> None:
        pass

    def send(self, recipient: str, body: str, *, key: str = "") -> str:
        raise TemporarySendError(f"gateway answered 503 for {recipient}")


class RefusingBackend:
    def __init__(self, *, write: object = print) -> None:
        pass

    def send(self, recipient: str, body: str, *, key: str = "") -> str:
        raise PermanentSendError("gateway answered 400")


def _message(body: str = "您好", recipient: str = "13800001234") -> OutboxMessage:
    return OutboxMessage.objects.create(recipient=recipient, body=body)


def test_a_failing_backend_retries_with_growing_delays_then_dead_letters(db, settings):
    # given a message and a provider that is down
    settings.SMS_BACKEND = f"{HERE}.DownBackend"
    with clock.frozen_at(T0):
        message = _message()
    moment, waits = T0, []
    # when the worker runs each time the message falls due
    for attempt in range(1, MAX_ATTEMPTS + 1):
        with clock.frozen_at(moment):
            assert outbox_send_pending() == 1
            assert outbox_send_pending() == 0  # not due again at once
        message.refresh_from_db()
        assert message.attempts == attempt
        if attempt < MAX_ATTEMPTS:
            assert message.status == OutboxStatus.PENDING
            waits.append(message.next_attempt_at - moment)
            moment = message.next_attempt_at
    # then each wait was the table's, jittered, and longer than the one before
    for wait, base in zip(waits, BACKOFF, strict=False):
        assert base * (1 - JITTER) <= wait <= base * (1 + JITTER)
    assert waits == sorted(waits)
    # and after the last attempt it is in the dead-letter list with the error, number masked
    assert message.status == OutboxStatus.FAILED
    assert message.failed_at == moment
    assert "503" in message.last_error and "138****1234" in message.last_error
    assert "13800001234" not in message.last_error
    assert list(outbox_dead_letters()) == [message]


def test_a_permanent_refusal_dead_letters_at_once(db, settings):
    settings.SMS_BACKEND = f"{HERE}.RefusingBackend"
    message = _message()
    outbox_send_pending()
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED and message.attempts == 1
    assert message.last_error == "gateway answered 400"


def test_a_sent_message_keeps_the_provider_id_and_is_not_sent_again(db, settings):
    settings.SMS_BACKEND = f"{HERE}.RecordingBackend"
    RecordingBackend.sent.clear()
    message = _message(body="7")
    outbox_send_pending()
    outbox_send_pending()
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and message.provider_message_id == "id-7"
    assert message.claimed_by == "" and message.claimed_until is None
    assert RecordingBackend.sent == Counter({7: 1})


def test_a_claim_whose_worker_died_is_sent_after_the_lease(db, settings):
    # given a message claimed by a worker that died before sending it
    settings.SMS_BACKEND = f"{HERE}.RecordingBackend"
    RecordingBackend.sent.clear()
    with clock.frozen_at(T0):
        message = _message(body="8")
        assert outbox_claim(token="dead-worker") == [message]
        # when another worker runs during the lease, then it leaves the message alone
        assert outbox_send_pending() == 0
    # when the lease has run out
    with clock.frozen_at(T0 + LEASE + dt.timedelta(seconds=1)):
        assert outbox_send_pending() == 1
    # then the message is sent, once, and nothing is lost
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and message.attempts == 2
    assert RecordingBackend.sent == Counter({8: 1})


def test_a_late_outcome_of_a_dead_claim_does_not_overwrite_the_new_claim(db, settings):
    # given a message the first worker claimed, then lost to a second one after the lease
    settings.SMS_BACKEND = f"{HERE}.DownBackend"
    with clock.frozen_at(T0):
        message = _message()
        outbox_claim(token="first")
    with clock.frozen_at(T0 + LEASE + dt.timedelta(seconds=1)):
        outbox_claim(token="second")
    # when the first worker's failure arrives late, then it changes nothing
    from lifeline.core.outbox import _record_failure

    _record_failure(message, token="first", error="late", permanent=True)
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING and message.claimed_by == "second"


def test_an_unusable_backend_leaves_the_messages_pending_with_the_reason(db, settings):
    settings.SMS_BACKEND = "lifeline.core.sms_backends.HttpJsonBackend"
    settings.SMS_HTTP_URL = ""
    message = _message()
    outbox_send_pending()
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING and message.attempts == 1
    assert "SMS_HTTP_URL" in message.last_error


def test_a_retried_dead_letter_is_queued_again_audited_and_sent(db, settings):
    # given a dead letter
    settings.SMS_BACKEND = f"{HERE}.RefusingBackend"
    message = _message(body="9")
    outbox_send_pending()
    # when an operator retries it (and a message still pending is named by mistake)
    pending = _message(body="10")
    with clock.frozen_at(T0 + dt.timedelta(days=1)):
        count = outbox_retry(actor=system("test"), message_ids=[message.pk, pending.pk])
    # then only the dead letter is put back, due now, with fresh attempts, and audited
    assert count == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING and message.attempts == 0
    assert message.next_attempt_at == T0 + dt.timedelta(days=1) and message.failed_at is None
    record = AuditRecord.objects.get(action="outbox.retry")
    assert record.object_id == str(message.pk) and record.object_type == "core.outboxmessage"
    # and the next round sends it
    settings.SMS_BACKEND = f"{HERE}.RecordingBackend"
    RecordingBackend.sent.clear()
    outbox_send_pending()
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT


def test_messages_left_too_little_lease_are_given_back_not_counted(db, settings, monkeypatch):
    # given two claimed messages and a clock that jumps past the lease's margin after one
    settings.SMS_BACKEND = f"{HERE}.RecordingBackend"
    RecordingBackend.sent.clear()
    with clock.frozen_at(T0):
        first, second = _message(body="11"), _message(body="12")
    moments = [T0, T0, T0, T0 + LEASE]  # claim, first check, first sent, second check
    monkeypatch.setattr(clock, "now", lambda: moments.pop(0) if len(moments) > 1 else moments[0])
    outbox_send_pending()
    # then the first is sent and the second is free again, its attempt not counted
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == OutboxStatus.SENT
    assert second.status == OutboxStatus.PENDING and second.attempts == 0
    assert second.claimed_by == ""


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_several_workers_at_once_send_each_message_exactly_once(settings):
    if connection.vendor == "sqlite":
        pytest.skip("row-level concurrency only exists on PostgreSQL")
    # given 300 pending messages and six workers starting together
    settings.SMS_BACKEND = f"{HERE}.RecordingBackend"
    RecordingBackend.sent.clear()
    OutboxMessage.objects.bulk_create(
        OutboxMessage(recipient="13800001234", body=str(i)) for i in range(300)
    )
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait(timeout=30)
            while outbox_send_pending(limit=7):
                pass
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(6)]
    # when they all drain the outbox
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    # then every message was sent exactly once
    assert not errors
    assert RecordingBackend.sent == Counter({i: 1 for i in range(300)})
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == 300
