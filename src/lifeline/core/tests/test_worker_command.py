from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django_tasks import TaskResultStatus, task

from lifeline.core.models import OutboxMessage, OutboxStatus


@pytest.fixture(autouse=True)
def _keep_test_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    # The worker recycles connections between jobs like a request does; inside a test's
    # transaction that would close the connection (PostgreSQL), so it is a no-op here.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    monkeypatch.setattr(
        "lifeline.core.management.commands.worker.close_old_connections", lambda: None
    )


def test_worker_once_sends_pending_outbox_messages_with_the_number_masked(db: None) -> None:
    # given two pending messages and one already sent
    OutboxMessage.objects.create(recipient="13800001234", body="您的诉求已受理")
    OutboxMessage.objects.create(recipient="13900005678", body="明日核酸 8:00")
    OutboxMessage.objects.create(recipient="13700009999", body="old", status=OutboxStatus.SENT)
    out = StringIO()
    # when the worker drains its queues once
    call_command("worker", "--once", stdout=out)
    # then the pending ones are sent, once, and no full number is printed
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT, attempts=1).count() == 2
    text = out.getvalue()
    assert "您的诉求已受理" in text and "138****1234" in text
    assert "13800001234" not in text and "old" not in text


def test_worker_leaves_messages_pending_when_the_backend_is_unknown(db: None, settings) -> None:
    # given an SMS backend that does not exist
    settings.SMS_BACKEND = "carrier-pigeon"
    message = OutboxMessage.objects.create(recipient="13800001234", body="x")
    # when the worker runs once, then the message stays pending with the reason recorded
    call_command("worker", "--once", stdout=StringIO())
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 1 and "carrier-pigeon" in message.last_error


@task()
def double(number: int) -> int:
    return number * 2


def test_worker_once_runs_queued_tasks_through_django_tasks(db: None) -> None:
    # given a task waiting in the database queue
    result = double.enqueue(21)
    # when the worker drains its queues once
    call_command("worker", "--once", stdout=StringIO())
    # then the task ran and its result is stored
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 42


def test_worker_waits_out_a_database_failure_and_goes_on(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import signal

    from django.db import OperationalError

    from lifeline.core.management.commands import worker

    handlers: dict[int, object] = {}
    monkeypatch.setattr(
        signal, "signal", lambda signum, handler: handlers.update({signum: handler})
    )
    monkeypatch.setattr(worker.connections, "close_all", lambda: None)
    pauses: list[float] = []
    monkeypatch.setattr(worker.time, "sleep", pauses.append)
    rounds: list[str] = []

    def send_pending(**kwargs: object) -> int:
        # given a database that fails twice, then answers (and the worker is then stopped)
        rounds.append("round")
        if len(rounds) <= 2:
            raise OperationalError("server closed the connection unexpectedly")
        handlers[signal.SIGTERM](signal.SIGTERM, None)  # type: ignore[operator]
        return 0

    monkeypatch.setattr(worker, "outbox_send_pending", send_pending)
    # when the worker runs (not --once)
    call_command("worker", "--interval", "0", stdout=StringIO())
    # then it waited 1 s, then 2 s, and went on instead of exiting with a traceback
    assert pauses[:2] == [1.0, 2.0]
    assert len(rounds) == 3


def test_worker_once_reports_a_database_failure(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import OperationalError

    from lifeline.core.management.commands import worker

    def send_pending(**kwargs: object) -> int:
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(worker, "outbox_send_pending", send_pending)
    # given --once (cron): the failure is the command's result, for the caller to see
    with pytest.raises(OperationalError):
        call_command("worker", "--once", stdout=StringIO())
