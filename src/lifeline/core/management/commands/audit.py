"""``lifeline audit verify``: walk every audit chain and name the first tampered record."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lifeline.core.audit import audit_verify
from lifeline.core.models import AuditRecord


class Command(BaseCommand):
    help = "Audit log tools. 'verify' checks every hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        total = AuditRecord.objects.count()
        self.stdout.write(f"checking {total} audit records...")
        problems = audit_verify()
        if not problems:
            self.stdout.write(self.style.SUCCESS(f"audit log intact: {total} records"))
            return
        for p in problems:
            self.stderr.write(
                f"TAMPERED: chain {p.chain} record #{p.record_id} (seq {p.seq}): {p.reason}"
            )
        raise CommandError(f"{len(problems)} chain(s) broken")
