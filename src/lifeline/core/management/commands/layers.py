"""``lifeline layers``: check the import contract, or print or redraw its table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lifeline.core import layers


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
            path = Path(options["update"])
            text = path.read_text(encoding="utf-8")
            if layers.START not in text or layers.END not in text:
                raise CommandError(f"{path} has no {layers.START} … {layers.END} markers")
            path.write_text(layers.with_table(text), encoding="utf-8")
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
