"""``lifeline sweep``: run the work-order clocks once (warnings and escalations)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from lifeline.workorders.tasks import run_periodic


class Command(BaseCommand):
    help = "Warn about and escalate work orders that are close to or past their targets, once."

    def handle(self, *args: Any, **options: Any) -> None:
        result = run_periodic()
        self.stdout.write(json.dumps(result, sort_keys=True))
