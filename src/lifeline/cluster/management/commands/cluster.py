"""``lifeline cluster up|down|status|drill``: the rehearsed topology on one machine."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from lifeline.cluster.topology import default_base_dir, load_state


class Command(BaseCommand):
    help = "Start, stop or inspect the one-machine cluster, or run a failure drill on it."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        up = actions.add_parser("up", help="start what is not running")
        up.add_argument("--app-servers", type=int, default=2)
        up.add_argument("--workers", type=int, default=2)
        down = actions.add_parser("down", help="stop what up started")
        down.add_argument("--purge", action="store_true", help="remove the base folder too")
        actions.add_parser("status", help="what runs, and the replica's lag")
        from lifeline.cluster.drills import DRILLS

        drill = actions.add_parser("drill", help="run a failure drill on the running cluster")
        drill.add_argument("name", choices=sorted(DRILLS))
        drill.add_argument("--seconds", type=float, default=None, help="seconds of load")
        drill.add_argument("--clients", type=int, default=8, help="client threads")
        for sub in (up, down, drill, actions.choices["status"]):
            sub.add_argument("--base-dir", type=Path, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        from lifeline.cluster.launcher import ClusterError

        base_dir = (options["base_dir"] or default_base_dir()).resolve()
        try:
            self._run(options["action"], base_dir, options)
        except (ClusterError, RuntimeError, OSError, psycopg.Error) as error:
            raise CommandError(str(error)) from error
        except subprocess.TimeoutExpired as error:
            raise CommandError(_("Timed out: %(command)s") % {"command": error.cmd}) from error

    def _write(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()

    def _run(self, action: str, base_dir: Path, options: dict[str, Any]) -> None:
        from lifeline.cluster import drills, launcher, status

        if action == "up":
            state = launcher.cluster_up(
                base_dir=base_dir,
                app_servers=options["app_servers"],
                workers=options["workers"],
                write=self._write,
            )
            self._write(json.dumps({"cluster": "up", "lb_url": state.lb_url,
                                    "app_urls": state.app_urls, "base_dir": state.base_dir,
                                    "pooler_dsn": state.pooler_dsn,
                                    "primary_dsn": state.primary_dsn,
                                    "replica_dsn": state.replica_dsn}))  # fmt: skip
            return
        if action == "down":
            launcher.cluster_down(base_dir=base_dir, purge=options["purge"], write=self._write)
            return
        found = load_state(base_dir)
        if found is None:
            raise CommandError(
                _("No cluster in %(dir)s: start one with 'lifeline cluster up'.")
                % {"dir": base_dir}
            )
        if action == "status":
            figures = status.cluster_status(state=found, write=self._write)
            self._write(json.dumps({"cluster": "status", **figures}, ensure_ascii=False))
            return
        result = drills.run_drill(
            options["name"],
            state=found,
            seconds=options["seconds"],
            clients=options["clients"],
            write=self._write,
        )
        sys.stdout.flush()
        self._write(json.dumps({"drill": options["name"], **result}, ensure_ascii=False))
        if not result.get("ok", False):
            raise CommandError(_("The drill failed: see its findings above."), returncode=1)
