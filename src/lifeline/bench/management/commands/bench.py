"""``lifeline bench NAME [options]``: runs lifeline.bench.NAME, prints its figures as JSON last."""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

import lifeline.bench


def _bench_names() -> list[str]:
    return sorted(
        m.name
        for m in pkgutil.iter_modules(lifeline.bench.__path__)
        if not m.name.startswith("_") and m.name not in ("management", "apps")
    )


class Command(BaseCommand):
    help = "Run a benchmark; the last line printed is one JSON object with its figures."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="one of: " + ", ".join(_bench_names()))
        parser.add_argument("bench_args", nargs=argparse.REMAINDER)

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["name"]
        if name not in _bench_names():
            raise CommandError(f"unknown benchmark {name!r}; known: {', '.join(_bench_names())}")
        module = importlib.import_module(f"lifeline.bench.{name}")
        parser = argparse.ArgumentParser(prog=f"lifeline bench {name}")
        module.add_arguments(parser)
        bench_args = parser.parse_args(options["bench_args"])
        figures = module.run(bench_args)
        sys.stdout.flush()
        self.stdout.write(json.dumps({"bench": name, **figures}, ensure_ascii=False))
