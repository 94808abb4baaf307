#!/usr/bin/env python3
"""The coverage ratchet, run by ``make test-sqlite`` once the suite ran under coverage.

    coverage_ratchet.py REPORT.json           check, print the total (exit 1 on a problem)
    coverage_ratchet.py --total REPORT.json   print the total only (the end of ``make test``)

REPORT.json is ``coverage json``'s report of the SQLite run. Checked (docs/testing.md):

- the total reaches ``fail_under`` of pyproject.toml's ``[tool.coverage.report]``;
- ``fail_under`` is not below the floor recorded in docs/coverage-floor.txt (the floor only
  rises; tests/test_coverage_ratchet.py checks this on every run of the suite too), and a
  total a whole point above it is a reminder to raise both;
- every module under ``GAP_THRESHOLD`` % is listed in docs/coverage-gaps.txt, the modules
  that were under it when the list was made; a listed module that has risen above it is a
  reminder to take it off the list, which only shrinks (a listed file that no longer
  exists fails tests/test_coverage_ratchet.py).
"""

from __future__ import annotations

import json
import math
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
FLOOR_FILE = ROOT / "docs" / "coverage-floor.txt"
GAPS_FILE = ROOT / "docs" / "coverage-gaps.txt"
GAP_THRESHOLD = 50.0  # a module under this percentage of its lines run is a gap


def config_floor(pyproject: Path = PYPROJECT) -> float:
    """``fail_under`` of ``[tool.coverage.report]``."""
    config = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    return float(config["tool"]["coverage"]["report"]["fail_under"])


def _lines(path: Path) -> list[str]:
    """The file's lines without comments (``#`` to the end of a line) and blank lines."""
    lines = (
        line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines()
    )
    return [line for line in lines if line]


def recorded_floor(path: Path = FLOOR_FILE) -> float:
    """The floor recorded in docs/coverage-floor.txt (one number)."""
    (value,) = _lines(path)
    return float(value)


def recorded_gaps(path: Path = GAPS_FILE) -> list[str]:
    """The modules listed in docs/coverage-gaps.txt, one path a line, in file order."""
    return _lines(path)


@dataclass
class Verdict:
    total: float
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def check(report: dict[str, Any], *, fail_under: float, floor: float, gaps: list[str]) -> Verdict:
    """What is wrong with ``report`` (coverage's JSON report) against the ratchet."""
    total = float(report["totals"]["percent_covered"])
    verdict = Verdict(total)
    if fail_under < floor:
        verdict.problems.append(
            f"fail_under = {fail_under:g} in pyproject.toml is below the recorded floor "
            f"{floor:g} (docs/coverage-floor.txt): the floor only rises. Put it back."
        )
    if total < fail_under:
        verdict.problems.append(
            f"total coverage {total:.1f} % is under the floor {fail_under:g} %: "
            "test what you added (docs/testing.md)."
        )
    elif math.floor(total) > max(fail_under, floor):
        verdict.notes.append(
            f"total coverage {total:.1f} % passed the floor: raise fail_under in "
            f"pyproject.toml and docs/coverage-floor.txt to {math.floor(total)}."
        )
    percent = {
        name: float(data["summary"]["percent_covered"])
        for name, data in report["files"].items()
        if data["summary"]["num_statements"]
    }
    under = {name for name, value in percent.items() if value < GAP_THRESHOLD}
    listed = set(gaps)
    for name in sorted(under - listed):
        verdict.problems.append(
            f"{name} is under {GAP_THRESHOLD:g} % ({percent[name]:.1f} %): test it "
            "(docs/coverage-gaps.txt lists only the modules that were under it before)."
        )
    for name in sorted(listed - under):
        if name in percent:
            verdict.notes.append(
                f"{name} is now at {percent[name]:.1f} %: remove it from docs/coverage-gaps.txt."
            )
        else:
            verdict.notes.append(
                f"{name} is not measured (moved or deleted?): remove it from "
                "docs/coverage-gaps.txt."
            )
    if len(gaps) != len(listed):
        verdict.problems.append("docs/coverage-gaps.txt lists a module twice.")
    return verdict


def main(argv: list[str]) -> int:
    total_only = "--total" in argv
    paths = [a for a in argv if a != "--total"]
    if len(paths) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    report_path = Path(paths[0])
    if not report_path.exists():
        print(f"no coverage report at {report_path}: run `make test-sqlite`", file=sys.stderr)
        return 2
    report = json.loads(report_path.read_text(encoding="utf-8"))
    fail_under = config_floor()
    if total_only:
        total = float(report["totals"]["percent_covered"])
        print(f"Coverage of the SQLite run: {total:.1f} % (floor {fail_under:g} %)")
        return 0
    verdict = check(report, fail_under=fail_under, floor=recorded_floor(), gaps=recorded_gaps())
    for note in verdict.notes:
        print(f"coverage: {note}")
    for problem in verdict.problems:
        print(f"coverage FAILED: {problem}")
    print(
        f"Coverage of the SQLite run: {verdict.total:.1f} % (floor {fail_under:g} %; "
        f"{len(recorded_gaps())} modules under {GAP_THRESHOLD:g} % in docs/coverage-gaps.txt)"
    )
    return 1 if verdict.problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
