"""``lifeline audit verify|checkpoint``: check the audit log; checkpoint its chain heads.

``verify`` walks every chain against the audit key and the signed checkpoints and names
each tampered record and each bad checkpoint; it exits non-zero when anything is wrong.
``checkpoint`` appends a signed checkpoint of every chain head now (the worker does so on
its own every ``LIFELINE_AUDIT_CHECKPOINT_INTERVAL`` seconds). Output is plain English: it
is read by operators and by cron's mail.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lifeline.core import clock
from lifeline.core.audit import audit_verify_report
from lifeline.core.audit.checkpoints import (
    checkpoint_path,
    checkpoint_write,
    public_key_hex,
    signing_key,
)


class Command(BaseCommand):
    help = (
        "Audit log tools. 'verify' checks every chain against the audit key and the signed "
        "checkpoints; 'checkpoint' writes a signed checkpoint of every chain head."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "checkpoint"])
        parser.add_argument(
            "--checkpoints",
            nargs="+",
            type=Path,
            metavar="FILE",
            help="verify: check against these checkpoint files (e.g. the copies kept on "
            "another machine) instead of this database's file in LIFELINE_AUDIT_CHECKPOINT_DIR",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "checkpoint":
            self._checkpoint()
        else:
            self._verify(options["checkpoints"])

    def _checkpoint(self) -> None:
        written = checkpoint_write(now=clock.now())
        assert written is not None  # always written when not asked "only if due"
        self.stdout.write(
            f"checkpoint of {len(written.heads)} chain heads at {written.at.isoformat()} "
            f"appended to {written.where}"
        )
        self.stdout.write(f"signed with public key {public_key_hex(signing_key().public_key())}")

    def _verify(self, files: list[Path] | None) -> None:
        for path in files or []:
            if not path.is_file():
                raise CommandError(f"no checkpoint file at {path}")
        report = audit_verify_report(checkpoint_files=files)
        if report.checkpoint_files:
            latest = report.latest_checkpoint
            self.stdout.write(
                f"{report.checkpoints} signed checkpoints read from "
                f"{', '.join(map(str, report.checkpoint_files))}"
                + (f"; latest {latest.at.isoformat()}" if latest else "")
            )
        else:
            self.stderr.write(
                f"warning: no checkpoint file at {checkpoint_path()}: chains are checked "
                "against the audit key only, so a rewrite made with a leaked key would pass. "
                "Run `lifeline worker` (or `lifeline audit checkpoint`) to write checkpoints."
            )
        if report.unkeyed:
            self.stdout.write(
                f"{report.unkeyed} records were written before the log was keyed: checked "
                "with plain SHA-256 and held by their chains' seals"
            )
        if not report.problems:
            self.stdout.write(
                self.style.SUCCESS(
                    f"audit log intact: {report.records} records in {report.chains} chains"
                )
            )
            return
        for problem in report.problems:
            label = "BAD CHECKPOINT" if problem.chain is None else "TAMPERED"
            self.stderr.write(f"{label}: {problem}")
        raise CommandError(f"{len(report.problems)} problem(s) found in the audit log")
