"""The planner (and its benchmark) must stay importable without Django."""

from __future__ import annotations

import subprocess
import sys


def test_planner_and_benchmark_import_no_django():
    code = (
        "import sys\n"
        "import lifeline.bench.routing, lifeline.teams.planner.solve\n"
        "print('django' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "False"
