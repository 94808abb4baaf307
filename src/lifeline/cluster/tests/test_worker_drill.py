"""Worker loss: the outbox lease a drill can shorten, the sweep that gives a dead worker's
task to another, and the drill's guards. The drill itself starts PostgreSQL workers and
takes a minute: it is run by ``lifeline cluster drill``, not here."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone, translation
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from lifeline.cluster.worker_drill import TASK_PATH, _running_task_pid, worker_kill_drill
from lifeline.core import clock
from lifeline.core.models import OutboxMessage, OutboxStatus
from lifeline.core.outbox import outbox_claim, outbox_send_pending
from lifeline.core.task_recovery import GAVE_UP, MAX_CLAIMS
from lifeline.core.task_recovery import run_periodic as recover_tasks

T0 = timezone.make_aware(dt.datetime(2026, 5, 1, 9, 0))


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):  # the messages matched below are the English ones
        yield


class CountingBackend:
    sent: list[str] = []

    def __init__(self, *, write: object = print) -> None:
        pass

    def send(self, recipient: str, body: str, *, key: str = "") -> str:
        self.sent.append(body)
        return "id"


def test_a_short_outbox_lease_frees_a_dead_workers_text_sooner(db, settings):
    # given a 20-second lease and a text claimed by a worker that then died
    settings.LIFELINE_OUTBOX_LEASE_SECONDS = 20
    settings.SMS_BACKEND = f"{__name__}.CountingBackend"
    CountingBackend.sent.clear()
    with clock.frozen_at(T0):
        message = OutboxMessage.objects.create(recipient="13800001234", body="one")
        outbox_claim(token="dead-worker")
    message.refresh_from_db()
    assert message.claimed_until == T0 + dt.timedelta(seconds=20)
    # when another worker runs inside the lease, then it leaves the text alone
    with clock.frozen_at(T0 + dt.timedelta(seconds=19)):
        assert outbox_send_pending() == 0
    # when the lease is over, then the text is sent (the margin shrank with the lease)
    with clock.frozen_at(T0 + dt.timedelta(seconds=21)):
        assert outbox_send_pending() == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and CountingBackend.sent == ["one"]


def _task(*, started: dt.datetime | None, claims: int, status: str) -> DBTaskResult:
    return DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path=TASK_PATH,
        backend_name="default",
        run_after=get_date_max(),
        status=status,
        started_at=started,
        worker_ids=[f"w{n}" for n in range(claims)],
    )


def test_a_task_whose_worker_died_is_queued_again_then_given_up(db, settings):
    settings.LIFELINE_TASK_RUNNING_LIMIT_SECONDS = 60
    now = timezone.now()
    # given tasks left RUNNING by dead workers, one claimed for the last time, and one
    # still within the limit
    stale = _task(started=now - dt.timedelta(seconds=61), claims=1, status="RUNNING")
    worn = _task(started=now - dt.timedelta(seconds=61), claims=MAX_CLAIMS, status="RUNNING")
    fresh = _task(started=now - dt.timedelta(seconds=30), claims=1, status="RUNNING")
    # when the sweep runs
    assert recover_tasks(now=now) == {"requeued": 1, "failed": 1}
    # then the stale task is ready for another worker, the worn one failed with the
    # reason, and the fresh one is left to its worker
    stale.refresh_from_db()
    worn.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == TaskResultStatus.READY and stale.started_at is None
    assert DBTaskResult.objects.ready().filter(pk=stale.pk).exists()
    assert worn.status == TaskResultStatus.FAILED and worn.exception_class_path == GAVE_UP
    assert fresh.status == TaskResultStatus.RUNNING
    # and a second sweep finds nothing more to do
    assert recover_tasks(now=now) == {"requeued": 0, "failed": 0}


def test_the_task_sweep_is_off_when_the_limit_is_zero(db, settings):
    settings.LIFELINE_TASK_RUNNING_LIMIT_SECONDS = 0
    task = _task(started=timezone.now() - dt.timedelta(days=1), claims=1, status="RUNNING")
    assert recover_tasks(now=timezone.now()) == {}
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING


def test_the_drill_finds_the_worker_in_the_middle_of_a_task(tmp_path):
    log = tmp_path / "tasks.log"
    log.write_text("start 0 101\ndone 0 101\nstart 1 102\nstart 2 103\n")
    assert _running_task_pid(log, [101, 103]) == 103
    assert _running_task_pid(log, [101]) == 0


@pytest.mark.parametrize(
    ("url", "workers", "message"),
    [
        ("sqlite:///x.sqlite3", 3, "PostgreSQL"),
        ("postgres://postgres@127.0.0.1/x", 1, "at least 2 workers"),
    ],
)
def test_the_drill_refuses_what_it_cannot_run_on(tmp_path: Path, url, workers, message):
    with pytest.raises(ValueError, match=message):
        worker_kill_drill(database_url=url, workdir=tmp_path, write=print, workers=workers)
    assert list(tmp_path.iterdir()) == []
