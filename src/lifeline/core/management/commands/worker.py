"""``lifeline worker``: runs background tasks and sends the notification outbox.

One process alternates between two jobs:

1. the django-tasks database queue: every ready task is run by django_tasks_db's own
   ``Worker`` (the engine of its ``db_worker`` command) in batch mode, so claiming,
   locking and result bookkeeping are exactly theirs;
2. the outbox: due ``OutboxMessage`` rows are claimed, handed to the SMS backend named by
   ``settings.SMS_BACKEND`` outside any transaction, and marked sent, retried later or
   dead-lettered (``core/outbox.py``). Claims use SKIP LOCKED on PostgreSQL and expire,
   so several workers can run side by side and a dead one loses nothing.

3. periodic sweeps (``settings.LIFELINE_PERIODIC_SWEEPS``: work-order escalation, pass
   approval clocks), every ``--beat`` seconds; each is safe to run from several workers.

When neither has work it sleeps ``--interval`` seconds. When the database fails (down,
restarting, failing over) it waits, 1 s and doubling up to 30 s, and goes on.
SIGINT/SIGTERM finish the current task or message and exit. ``--once`` drains both queues
once and exits (for cron and tests). Run as many workers as the load needs; they share
nothing but the database.
"""

from __future__ import annotations

import logging
import signal
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, close_old_connections, connections
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django_tasks_db.management.commands.db_worker import Worker

from lifeline.core.errors import database_unavailable
from lifeline.core.outbox import OUTBOX_BATCH, outbox_send_pending
from lifeline.core.periodic import run_periodic_sweeps

log = logging.getLogger(__name__)
MAX_PAUSE = 30.0


class Command(BaseCommand):
    help = "Run background tasks (django-tasks database queue) and send the outbox."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--queue-name", default="*", help="task queues, comma-separated; '*' for all (default)"
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="seconds to sleep when there is nothing to do",
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help="drain the task queue and the outbox once, then exit",
        )
        parser.add_argument("--backend", default="default", help="django-tasks backend alias")
        parser.add_argument(
            "--beat",
            type=float,
            default=60.0,
            help="seconds between periodic sweeps (SLA escalation, approval clocks)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["interval"] < 0:
            raise CommandError(_("--interval must not be negative."))
        self.stopping = False
        self.tasks = Worker(
            queue_names=options["queue_name"].split(","),
            interval=0,
            batch=True,
            backend_name=options["backend"],
            startup_delay=False,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        if not options["once"]:
            signal.signal(signal.SIGINT, self._stop)
            signal.signal(signal.SIGTERM, self._stop)
            self.stdout.write(_("Worker started (queues: %(q)s).") % {"q": options["queue_name"]})
        self.next_beat = 0.0
        pause = 0.0  # seconds to wait after the database failed, doubling while it does
        while not self.stopping:
            close_old_connections()
            try:
                idle = self._round(options)
            except DatabaseError as exc:
                # Down, restarting or failing over: wait and try again, as a supervisor
                # would restart the process, without losing the claims of this one.
                if options["once"] or not database_unavailable(exc):
                    raise
                pause = min(max(pause * 2, 1.0), MAX_PAUSE)
                log.warning("database unavailable (%s); trying again in %.0f s", exc, pause)
                connections.close_all()
                time.sleep(pause)
                continue
            pause = 0.0
            if options["once"]:
                break
            if idle and not self.stopping:
                time.sleep(options["interval"])
        close_old_connections()

    def _round(self, options: dict[str, Any]) -> bool:
        """One pass over the sweeps (when due), the task queue and the outbox; True when
        there was nothing to do."""
        if time.monotonic() >= self.next_beat:
            for name, figures in run_periodic_sweeps().items():
                if any(figures.values()):
                    self.stdout.write(f"{name}: {figures}")
            self.next_beat = time.monotonic() + options["beat"]
        self.tasks.running = True
        ran_before = self.tasks._run_tasks
        self.tasks.run()
        sent = outbox_send_pending(write=self.stdout.write)
        if options["once"]:
            while sent == OUTBOX_BATCH:
                sent = outbox_send_pending(write=self.stdout.write)
        return sent == 0 and self.tasks._run_tasks == ran_before

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True
        self.tasks.running = False  # let the current task finish, then leave its loop
