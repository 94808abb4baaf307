"""``lifeline worker``: runs background tasks and sends the notification outbox.

One process alternates between two jobs:

1. the django-tasks database queue: every ready task is run by django_tasks_db's own
   ``Worker`` (the engine of its ``db_worker`` command) in batch mode, so claiming,
   locking and result bookkeeping are exactly theirs;
2. the outbox: pending ``OutboxMessage`` rows are handed to the SMS backend named by
   ``settings.SMS_BACKEND`` (``console`` prints them with the recipient masked) and marked
   sent. Rows are locked with SKIP LOCKED on PostgreSQL, so several workers can run side
   by side without sending a message twice.

When neither has work it sleeps ``--interval`` seconds. SIGINT/SIGTERM finish the current
task or message and exit. ``--once`` drains both queues once and exits (for cron and tests).
Run as many workers as the load needs; they share nothing but the database.
"""

from __future__ import annotations

import signal
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections, connection, transaction
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django_tasks_db.management.commands.db_worker import Worker

from lifeline.core import clock
from lifeline.core.models import OutboxMessage, OutboxStatus
from lifeline.core.personal import mask_phone

OUTBOX_BATCH = 100
MAX_ATTEMPTS = 5


def outbox_send_pending(*, limit: int = OUTBOX_BATCH, write: Any = print) -> int:
    """Send up to ``limit`` pending messages; returns how many were handled."""
    backend = getattr(settings, "SMS_BACKEND", "console")
    with transaction.atomic():
        pending = OutboxMessage.objects.filter(status=OutboxStatus.PENDING).order_by("id")
        if connection.features.has_select_for_update_skip_locked:
            pending = pending.select_for_update(skip_locked=True)
        messages = list(pending[:limit])
        now = clock.now()
        for message in messages:
            message.attempts += 1
            if backend == "console":
                write(f"[{message.channel}] {mask_phone(message.recipient)}: {message.body}")
                message.status, message.sent_at = OutboxStatus.SENT, now
            else:
                message.last_error = f"unknown SMS backend {backend!r}"
                if message.attempts >= MAX_ATTEMPTS:
                    message.status = OutboxStatus.FAILED
            message.save(update_fields=["attempts", "status", "sent_at", "last_error"])
    return len(messages)


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
        while not self.stopping:
            close_old_connections()
            self.tasks.running = True
            ran_before = self.tasks._run_tasks
            self.tasks.run()
            sent = outbox_send_pending(write=self.stdout.write)
            if options["once"]:
                while sent == OUTBOX_BATCH:
                    sent = outbox_send_pending(write=self.stdout.write)
                break
            if not self.stopping and sent == 0 and self.tasks._run_tasks == ran_before:
                time.sleep(options["interval"])
        close_old_connections()

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True
        self.tasks.running = False  # let the current task finish, then leave its loop
