"""``lifeline layers``: check the import contract, or print or redraw its table."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lifeline.core import layers
from lifeline.core.generated_docs import update_file


class Command(BaseCommand):
    help = "Check the import contract between layers (or print its table with --markdown)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--markdown", action="store_true", help="the table for the docs")
        parser.add_argument(
            "--update",
            metavar="FILE",
            help="rewrite the table between the layers-table markers of FILE",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["update"]:
            try:
                update_file(options["update"], layers.START, layers.END, layers.markdown())
            except ValueError as exc:
                raise CommandError(f"{options['update']}: {exc}") from exc
            return
        if options["markdown"]:
            self.stdout.write(layers.markdown(), ending="")
            return
        found = layers.violations()
        for violation in found:
            self.stdout.write(str(violation))
        if found:
            raise CommandError(f"{len(found)} imports break the contract")
        self.stdout.write("The imports keep the contract.")
