"""``lifeline export households --area CODE --as USERNAME --format csv|xlsx -o FILE``.

Phones and ID numbers are masked unless ``--reveal --purpose "..."`` is given by
command-centre staff or an administrator; the reveal is audited.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from lifeline.accounts.models import User
from lifeline.core.errors import ServiceError
from lifeline.registry.exporting import FORMATS, households_export


class Command(BaseCommand):
    help = "Export households (one row per person) as CSV or XLSX, masked unless --reveal."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["households"])
        parser.add_argument("--area", default="", help="area code (default: all of your scope)")
        parser.add_argument("--as", dest="username", required=True)
        parser.add_argument("--format", dest="fmt", choices=FORMATS, default="csv")
        parser.add_argument("-o", "--output", type=Path, required=True)
        parser.add_argument(
            "--reveal",
            action="store_true",
            help="full phone and ID numbers (command staff only; audited)",
        )
        parser.add_argument("--purpose", default="", help="why full values are needed")
        parser.add_argument("--language", default=settings.LANGUAGE_CODE)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(username=options["username"], is_active=True).first()
        if actor is None:
            raise CommandError(f"no active user {options['username']!r}")
        with translation.override(options["language"]):
            try:
                export = households_export(
                    actor=actor,
                    area_code=options["area"],
                    fmt=options["fmt"],
                    reveal=options["reveal"],
                    purpose=options["purpose"],
                    language=options["language"],
                )
            except ServiceError as exc:
                raise CommandError(str(exc.message)) from exc
            options["output"].write_bytes(export.content)
            self.stdout.write(
                _("%(rows)d rows written to %(file)s.")
                % {"rows": export.rows, "file": options["output"]}
            )
