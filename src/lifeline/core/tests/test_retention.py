"""Retention: each kind of short-lived row goes once its time is up, and only then."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from lifeline.core import clock
from lifeline.core.models import AuditRecord, IdempotencyRecord, OutboxMessage, OutboxStatus
from lifeline.core.periodic import run_periodic_sweeps
from lifeline.core.retention import forget_last_sweep, prune, run_periodic
from lifeline.workorders.models import OneTimeCode

NOW = timezone.make_aware(dt.datetime(2026, 6, 1, 12, 0))
DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _fresh_sweep() -> None:
    forget_last_sweep()


def _idempotency(age: dt.timedelta, key: str) -> IdempotencyRecord:
    with clock.frozen_at(NOW - age):
        return IdempotencyRecord.objects.create(
            owner="u1", key=key, endpoint="/x", request_hash="h", status_code=201, response={}
        )


def _code(expired_ago: dt.timedelta) -> OneTimeCode:
    expires = NOW - expired_ago
    return OneTimeCode.objects.create(
        phone="13800001234",
        code_hash="x",
        created_at=expires - dt.timedelta(minutes=10),
        expires_at=expires,
    )


def _outbox(age: dt.timedelta, status: str) -> OutboxMessage:
    with clock.frozen_at(NOW - age):
        return OutboxMessage.objects.create(recipient="13800001234", body="x", status=status)


@task()
def noop() -> None:
    return None


def _task_result(finished_ago: dt.timedelta | None) -> DBTaskResult:
    result = noop.enqueue()
    if finished_ago is not None:
        DBTaskResult.objects.filter(id=result.id).update(
            status=TaskResultStatus.SUCCESSFUL, finished_at=NOW - finished_ago
        )
    return DBTaskResult.objects.get(id=result.id)


def test_idempotency_records_go_after_seven_days(db):
    old, fresh = _idempotency(8 * DAY, "old"), _idempotency(6 * DAY, "fresh")
    assert prune(now=NOW)["idempotency"] == 1
    assert list(IdempotencyRecord.objects.all()) == [fresh]
    assert old.pk is not None


def test_one_time_codes_go_a_day_after_they_expire(db):
    _code(2 * DAY)
    kept = _code(dt.timedelta(hours=12))
    assert prune(now=NOW)["one_time_codes"] == 1
    assert list(OneTimeCode.objects.all()) == [kept]


def test_finished_task_results_go_after_fourteen_days_and_waiting_ones_stay(db):
    _task_result(15 * DAY)
    recent = _task_result(13 * DAY)
    waiting = _task_result(None)
    assert prune(now=NOW)["task_results"] == 1
    assert set(DBTaskResult.objects.values_list("id", flat=True)) == {recent.id, waiting.id}


def test_sent_texts_go_after_thirty_days_dead_letters_after_ninety_pending_never(db):
    _outbox(31 * DAY, OutboxStatus.SENT)
    sent = _outbox(29 * DAY, OutboxStatus.SENT)
    _outbox(91 * DAY, OutboxStatus.FAILED)
    failed = _outbox(89 * DAY, OutboxStatus.FAILED)
    pending = _outbox(400 * DAY, OutboxStatus.PENDING)
    counts = prune(now=NOW)
    assert counts["outbox_sent"] == 1 and counts["outbox_failed"] == 1
    assert set(OutboxMessage.objects.all()) == {sent, failed, pending}


def test_a_dry_run_counts_and_deletes_nothing(db):
    _idempotency(8 * DAY, "a")
    _outbox(31 * DAY, OutboxStatus.SENT)
    counts = prune(now=NOW, dry_run=True)
    assert counts["idempotency"] == 1 and counts["outbox_sent"] == 1
    assert IdempotencyRecord.objects.count() == 1 and OutboxMessage.objects.count() == 1
    assert not AuditRecord.objects.filter(action="retention.prune").exists()


def test_zero_days_keeps_a_kind_for_ever(db, settings):
    settings.LIFELINE_RETENTION_DAYS = {"idempotency": 0}
    _idempotency(800 * DAY, "ancient")
    assert prune(now=NOW)["idempotency"] == 0
    assert IdempotencyRecord.objects.count() == 1


def test_deletes_in_bounded_batches_and_audits_how_many(db, settings):
    # given five stale records and batches of two
    settings.LIFELINE_PRUNE_BATCH = 2
    for i in range(5):
        _idempotency(8 * DAY, f"k{i}")
    # when one batch is allowed, then two go; unbounded, the rest go
    assert prune(now=NOW, max_batches=1)["idempotency"] == 2
    assert prune(now=NOW)["idempotency"] == 3
    assert IdempotencyRecord.objects.count() == 0
    records = AuditRecord.objects.filter(action="retention.prune").order_by("seq")
    assert [r.object_id for r in records] == ["2", "3"]
    assert {r.object_type for r in records} == {"core.idempotencyrecord"}


def test_the_worker_sweep_prunes_at_most_once_an_hour(db, settings):
    assert "lifeline.core.retention.run_periodic" in settings.LIFELINE_PERIODIC_SWEEPS
    _idempotency(8 * DAY, "a")
    figures = run_periodic_sweeps(now=NOW)["lifeline.core.retention.run_periodic"]
    assert figures["idempotency"] == 1
    _idempotency(8 * DAY, "b")
    assert run_periodic(now=NOW + dt.timedelta(minutes=30)) == {}
    assert IdempotencyRecord.objects.count() == 1
    assert run_periodic(now=NOW + dt.timedelta(minutes=61))["idempotency"] == 1


def test_the_prune_command_prints_counts_and_dry_run_keeps_rows(db):
    _outbox(400 * DAY, OutboxStatus.SENT)  # stale by the real clock too
    out = StringIO()
    call_command("prune", "--dry-run", stdout=out)
    assert "outbox_sent (core.OutboxMessage, older than 30 days): would delete 1" in out.getvalue()
    assert OutboxMessage.objects.count() == 1
    out = StringIO()
    call_command("prune", stdout=out)
    assert "outbox_sent (core.OutboxMessage, older than 30 days): deleted 1" in out.getvalue()
    assert "one_time_codes" in out.getvalue()
    assert OutboxMessage.objects.count() == 0
