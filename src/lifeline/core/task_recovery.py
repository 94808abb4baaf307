"""Stale-task sweep: queue again the background tasks whose worker died running them.

django_tasks_db marks a task ``RUNNING`` when a worker claims it and ``SUCCESSFUL`` or
``FAILED`` when that worker finishes it. A worker killed in between (``kill -9``, out of
memory, a lost machine) leaves the task ``RUNNING`` for ever: the package never retries it
and records no heartbeat that would show the worker is gone. The only sign there is is the
claim's age, so a task ``RUNNING`` longer than ``settings.LIFELINE_TASK_RUNNING_LIMIT_SECONDS``
is taken to have lost its worker and put back ``READY`` for another worker to run again.
The limit must therefore exceed the longest task (a task still running past it would run
twice), and a task may run more than once. A task claimed ``MAX_CLAIMS`` times (each claim
adds to ``worker_ids``) is marked ``FAILED`` instead, so that one that kills its worker
every time does not come back for ever.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from lifeline.core import clock

MAX_CLAIMS = 3
GAVE_UP = "lifeline.core.task_recovery.WorkerLost"


def run_periodic(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Put stale ``RUNNING`` tasks back in the queue, or fail them after ``MAX_CLAIMS``.
    Safe from several workers: each row changes only while still ``RUNNING`` and stale."""
    limit = int(getattr(settings, "LIFELINE_TASK_RUNNING_LIMIT_SECONDS", 3600) or 0)
    if limit <= 0:
        return {}
    moment = now or clock.now()
    stale = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=moment - dt.timedelta(seconds=limit)
    )
    requeued = failed = 0
    for pk, worker_ids in stale.values_list("pk", "worker_ids"):
        if len(worker_ids or []) >= MAX_CLAIMS:
            failed += stale.filter(pk=pk).update(
                status=TaskResultStatus.FAILED,
                finished_at=moment,
                exception_class_path=GAVE_UP,
                traceback=f"worker lost {MAX_CLAIMS} times while running this task",
            )
        else:
            requeued += stale.filter(pk=pk).update(status=TaskResultStatus.READY, started_at=None)
    return {"requeued": requeued, "failed": failed}
