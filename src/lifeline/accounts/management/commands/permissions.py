"""``lifeline permissions``: what each role may do, from the one declaration."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lifeline.accounts.permissions import LABELS, ROLE_PERMISSIONS, permissions_table_markdown
from lifeline.core.generated_docs import update_file

START = "<!-- permissions-table:start -->"
END = "<!-- permissions-table:end -->"


class Command(BaseCommand):
    help = "Print the roles-by-permissions table (Markdown with --markdown)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--markdown", action="store_true", help="the table for the docs")
        parser.add_argument(
            "--update",
            metavar="FILE",
            help="rewrite the table between the permissions-table markers of FILE",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["update"]:
            try:
                update_file(options["update"], START, END, permissions_table_markdown())
            except ValueError as exc:
                raise CommandError(f"{options['update']}: {exc}") from exc
            return
        if options["markdown"]:
            self.stdout.write(permissions_table_markdown(), ending="")
            return
        for role, perms in ROLE_PERMISSIONS.items():
            self.stdout.write(f"{role}:")
            for perm in LABELS:
                if perm in perms:
                    self.stdout.write(f"  {perm}")
