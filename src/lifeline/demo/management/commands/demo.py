"""``lifeline demo``: migrate, build the demo city if it is missing, print logins, serve.

Everything ``make demo`` needs after installing: the database is migrated, the synthetic
city of Zhuzhou is generated once (later runs find it and skip), the demo logins are
printed, and the site is served on http://127.0.0.1:8000 with a ``lifeline worker`` as a
child process. Ctrl-C stops both. ``--no-serve`` stops after printing the logins.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from types import FrameType
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _

from lifeline.core import clock, config_cache, db
from lifeline.core.audit.checkpoints import checkpoint_path
from lifeline.demo.generator import (
    DEFAULT_PEOPLE,
    DEFAULT_SEED,
    DemoLogin,
    demo_city_complete,
    demo_city_exists,
    generate_city,
    read_logins,
)
from lifeline.registry.models import Area


class Command(BaseCommand):
    help = "Build the synthetic demo city (once) and serve Lifeline on it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--people",
            type=int,
            default=DEFAULT_PEOPLE,
            help="residents to generate (default %(default)s)",
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument(
            "--batch", type=int, default=20_000, help="residents written per transaction"
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="wipe the WHOLE database (flush) and generate again",
        )
        parser.add_argument(
            "--no-serve", action="store_true", help="generate and print the logins, then exit"
        )
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument(
            "--no-worker", action="store_true", help="serve without starting `lifeline worker`"
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help="print the generation figures as one JSON line at the end",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["people"] < 1:
            raise CommandError(_("--people must be at least 1."))
        self._migrate()
        figures: dict[str, Any] = {}
        if options["reset"]:
            self._reset()
        if demo_city_exists():
            self.stdout.write(
                _(
                    "The demo city already exists: generation skipped "
                    "(use --reset to build it again)."
                )
            )
            if not demo_city_complete():
                self.stderr.write(
                    _(
                        "Warning: an earlier generation was interrupted, so the city is "
                        "incomplete. Run `lifeline demo --reset` to build it again."
                    )
                )
            logins = read_logins()
        else:
            logins, figures = self._generate(options)
        self._print_logins(logins)
        if options["json"]:
            self.stdout.write(json.dumps(figures or {"skipped": True}, ensure_ascii=False))
        if not options["no_serve"]:
            self._serve(options["addrport"], with_worker=not options["no_worker"])

    def _migrate(self) -> None:
        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            self.stdout.write(_("Migrating the database…"))
            call_command("migrate", interactive=False, verbosity=0)

    def _reset(self) -> None:
        # Refuse to flush a database that holds anything but the demo city: --reset is for
        # demo databases, never for a city's real registry.
        if Area.objects.exists() and not demo_city_exists():
            raise CommandError(
                _("This database holds areas that are not the demo city; refusing to wipe it.")
            )
        self.stdout.write(_("Wiping the database…"))
        call_command("flush", interactive=False, verbosity=0)
        # The flush reset the sequences and emptied the tables this process keeps copies of.
        db.forget_ids()
        config_cache.forget_all()
        # The old audit checkpoints vouch for chains the flush emptied: set them aside, or
        # `lifeline audit verify` would report every chain as cut short.
        old = checkpoint_path()
        if old.exists():
            old.rename(old.with_name(f"{old.stem}.before-reset-{clock.now():%Y%m%d%H%M%S}.jsonl"))

    def _generate(self, options: dict[str, Any]) -> tuple[list[DemoLogin], dict[str, Any]]:
        people = options["people"]
        self.stdout.write(
            _("Building the demo city of Zhuzhou with %(n)s residents…") % {"n": f"{people:,}"}
        )
        last_shown = [-1]

        def progress(done: int, total: int, rows: int, elapsed: float) -> None:
            percent = 100 * done // total
            if percent // 5 == last_shown[0] // 5 and done < total:
                return
            last_shown[0] = percent
            rate = rows / elapsed if elapsed else 0.0
            bar = "#" * (percent // 5) + "." * (20 - percent // 5)
            counts = _("%(done)s/%(total)s people  %(rate)s rows/s") % {
                "done": f"{done:,}",
                "total": f"{total:,}",
                "rate": f"{rate:,.0f}",
            }
            self.stdout.write(f"  [{bar}] {percent:3d}%  {counts}")
            self.stdout.flush()

        report = generate_city(
            people=people, seed=options["seed"], batch_people=options["batch"], progress=progress
        )
        self.stdout.write(
            _(
                "Generated %(people)s people in %(households)s households, %(buildings)s "
                "buildings, %(vuln)s vulnerabilities in %(seconds).1f s (%(rate)s rows/s)."
            )
            % {
                "people": f"{report.people:,}",
                "households": f"{report.households:,}",
                "buildings": f"{report.buildings:,}",
                "vuln": f"{report.vulnerabilities:,}",
                "seconds": report.seconds,
                "rate": f"{report.rows_per_second:,.0f}",
            }
        )
        from lifeline.demo.checkpoints import seed_demo_checkpoints
        from lifeline.demo.command import seed_demo_dashboard
        from lifeline.demo.continuity import seed_demo_continuity
        from lifeline.demo.counselling import seed_demo_counselling
        from lifeline.demo.enterprises import seed_demo_enterprises
        from lifeline.demo.gas_day import seed_demo_day
        from lifeline.demo.hospitals import seed_demo_hospitals
        from lifeline.demo.keyusers import seed_demo_keyusers
        from lifeline.demo.notices import seed_demo_notices
        from lifeline.demo.sampling import seed_demo_sampling
        from lifeline.demo.supplies import seed_demo_supplies
        from lifeline.demo.volunteers import seed_demo_volunteers

        self.stdout.write(seed_demo_hospitals())
        gas_day = seed_demo_day()
        self.stdout.write(seed_demo_checkpoints())
        self.stdout.write(seed_demo_sampling())
        self.stdout.write(seed_demo_supplies())
        self.stdout.write(seed_demo_volunteers())
        self.stdout.write(seed_demo_continuity())
        self.stdout.write(seed_demo_keyusers())
        self.stdout.write(seed_demo_enterprises())
        self.stdout.write(seed_demo_counselling())
        self.stdout.write(seed_demo_notices())
        # Last: the dashboard counts what the seeds above made.
        self.stdout.write(seed_demo_dashboard())
        if gas_day:
            self.stdout.write(gas_day)
        # Read back: the seeds above may move a login (the checkpoint staff to a bridge).
        return read_logins(), report.figures()

    def _print_logins(self, logins: list[DemoLogin]) -> None:
        self.stdout.write("")
        self.stdout.write(_("Demo logins (DEMO PASSWORDS, public: synthetic data only):"))
        width = max((len(login.username) for login in logins), default=8) + 2
        # Outside the f-string, so that makemessages finds the three words.
        username, password, place = _("username"), _("password"), _("place")
        self.stdout.write(f"  {username:<{width}} {password:<30} {place}")
        for login in logins:
            self.stdout.write(f"  {login.username:<{width}} {login.password:<30} {login.place}")
        self.stdout.write("")

    def _serve(self, addrport: str, *, with_worker: bool) -> None:
        worker = None
        if with_worker:
            worker = subprocess.Popen([sys.executable, "-m", "lifeline.cli", "worker"])
        self.stdout.write(
            _("Serving on http://%(addr)s/ (Ctrl-C stops the server and the worker).")
            % {"addr": addrport}
        )
        # SIGTERM (from a supervisor or `kill`) stops the worker too, like Ctrl-C does.
        signal.signal(signal.SIGTERM, _exit_on_signal)
        try:
            # No autoreloader: it would run this whole command again in a child process.
            call_command("runserver", addrport, use_reloader=False, insecure_serving=True)
        finally:
            if worker is not None:
                worker.terminate()
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    worker.kill()


def _exit_on_signal(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)
