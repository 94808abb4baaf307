"""``lifeline prune [--dry-run]``: delete the rows whose retention is over, now.

The worker prunes on its own every ``LIFELINE_PRUNE_EVERY_MINUTES`` (a bounded number of
batches each time); this command runs every kind to the end, in the same batches. With
``--dry-run`` it only counts. Output is plain English, one line per kind (for operators and
cron's mail). Kinds and defaults: docs/operations.md, "Retention".
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lifeline.core.retention import prune, retention_days, rules


class Command(BaseCommand):
    help = (
        "Delete rows kept past their retention: idempotency records, one-time codes, task "
        "results, sent and dead-lettered texts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="count the rows that would go; delete nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = bool(options["dry_run"])
        counts = prune(dry_run=dry_run)
        verb = "would delete" if dry_run else "deleted"
        for rule in rules():
            days = retention_days(rule)
            kept = f"older than {days} days" if days > 0 else "kept for ever"
            self.stdout.write(
                f"{rule.kind} ({rule.model}, {kept}): {verb} {counts.get(rule.kind, 0)}"
            )
