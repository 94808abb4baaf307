"""``lifeline import households FILE --as USERNAME [--dry-run]``.

Checks every row first and imports all or nothing, as the upload page does; prints a
progress bar and, on errors, the row-by-row report, and exits non-zero.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from lifeline.accounts.models import User
from lifeline.core.errors import ServiceError
from lifeline.registry.importing import (
    RowError,
    households_check,
    import_job_create,
    import_job_process,
    import_job_result,
)
from lifeline.registry.models import ImportJob

BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Import a household list (CSV or XLSX): validate every row, then commit all or none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["households"])
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--as",
            dest="username",
            required=True,
            help="the user the import is done as (their scope and role apply)",
        )
        parser.add_argument("--dry-run", action="store_true", help="validate only, write nothing")
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            help="language of the error report (zh-hans or en)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(username=options["username"], is_active=True).first()
        if actor is None:
            raise CommandError(f"no active user {options['username']!r}")
        path: Path = options["file"]
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from exc
        with translation.override(options["language"]):
            if options["dry_run"]:
                self._dry_run(actor, content)
            else:
                self._import(actor, path.name, content, options["language"])

    def _dry_run(self, actor: User, content: bytes) -> None:
        plan, errors = households_check(actor=actor, content=content, progress=self._bar)
        self._end_bar()
        if errors or plan is None:
            self._report(errors)
        self.stdout.write(
            _(
                "%(rows)d rows are valid: %(households)d households, "
                "%(people)d people (dry run, nothing saved)."
            )
            % {
                "rows": plan.total_rows,
                "households": len(plan.households),
                "people": plan.people_count,
            }
        )

    def _import(self, actor: User, name: str, content: bytes, language: str) -> None:
        try:
            job = import_job_create(actor=actor, file_name=name, content=content, language=language)
        except ServiceError as exc:
            raise CommandError(str(exc.message)) from exc
        job = import_job_process(job_id=job.pk, progress=self._bar)
        self._end_bar()
        if job.status != ImportJob.Status.DONE:
            self._report([RowError(**e) for e in job.errors])
        result = import_job_result(job=job)
        self.stdout.write(
            self.style.SUCCESS(
                _("Imported: %(households)d new households, %(people)d people.")
                % {"households": result.households if result else 0, "people": job.created_rows}
            )
        )

    def _bar(self, phase: str, done: int, total: int) -> None:
        share = done / total if total else 1.0
        filled = round(BAR_WIDTH * share)
        label = _("checking") if phase == "validating" else _("saving")
        line = f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {share:4.0%} {done}/{total} {label}"
        self.stdout.write(line, ending="")
        self.stdout.flush()

    def _end_bar(self) -> None:
        self.stdout.write("")

    def _report(self, errors: list[RowError]) -> NoReturn:
        for error in errors:
            where = _("row %(row)d") % {"row": error.row} if error.row else _("file")
            self.stderr.write(f"{where}\t{error.column}\t{error.message}")
        sys.stderr.flush()
        raise CommandError(_("%(count)d errors; nothing was imported.") % {"count": len(errors)})
