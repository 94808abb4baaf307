"""The coverage ratchet (docs/testing.md): the floor in pyproject.toml only rises and the
list of modules under the gap threshold only shrinks. ``make test-sqlite`` measures and runs
``scripts/coverage_ratchet.py`` on the report; these tests hold the recorded files in
shape on every run of the suite, and show that the script's check can fail."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _ratchet() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "coverage_ratchet", ROOT / "scripts" / "coverage_ratchet.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    return module


ratchet = _ratchet()


def test_the_floor_in_the_config_is_not_below_the_recorded_floor():
    fail_under, floor = ratchet.config_floor(), ratchet.recorded_floor()
    assert fail_under >= floor, (
        f"fail_under = {fail_under:g} in pyproject.toml is below the recorded floor {floor:g} "
        "(docs/coverage-floor.txt): the floor only rises"
    )
    assert fail_under == math.floor(fail_under), "the floor is a whole number"
    assert fail_under == floor, "raise docs/coverage-floor.txt together with fail_under"


def test_the_gap_list_names_measured_modules_once_in_order():
    gaps = ratchet.recorded_gaps()
    assert gaps == sorted(set(gaps)), "docs/coverage-gaps.txt: sorted, each module once"
    for name in gaps:
        assert (ROOT / name).is_file(), f"{name} is gone: remove it from docs/coverage-gaps.txt"
        assert name.startswith("src/lifeline/") and name.endswith(".py"), name
        assert "/migrations/" not in name and "/tests/" not in name, f"{name} is not measured"


def _report(total: float, **files: float) -> dict[str, Any]:
    return {
        "totals": {"percent_covered": total},
        "files": {
            name: {"summary": {"percent_covered": value, "num_statements": 10}}
            for name, value in files.items()
        },
    }


def test_the_check_passes_a_report_that_keeps_the_ratchet():
    report = _report(80.4, **{"src/a.py": 90.0, "src/b.py": 10.0})
    verdict = ratchet.check(report, fail_under=80, floor=80, gaps=["src/b.py"])
    assert (verdict.problems, verdict.notes) == ([], [])


def test_a_lowered_floor_fails():
    verdict = ratchet.check(_report(80.4), fail_under=70, floor=80, gaps=[])
    assert any("below the recorded floor" in p for p in verdict.problems)


def test_a_total_under_the_floor_fails_and_one_above_it_says_raise():
    assert ratchet.check(_report(79.9), fail_under=80, floor=80, gaps=[]).problems
    verdict = ratchet.check(_report(82.1), fail_under=80, floor=80, gaps=[])
    assert verdict.problems == [] and "to 82" in verdict.notes[0]


def test_a_new_module_under_the_threshold_fails():
    report = _report(80.4, **{"src/new.py": 12.0})
    verdict = ratchet.check(report, fail_under=80, floor=80, gaps=[])
    assert ["src/new.py is under" in p for p in verdict.problems] == [True]


def test_a_listed_module_that_rose_is_a_reminder_to_take_it_off():
    report = _report(80.4, **{"src/old.py": 75.0})
    verdict = ratchet.check(report, fail_under=80, floor=80, gaps=["src/old.py", "src/gone.py"])
    assert verdict.problems == []
    old, gone = sorted(verdict.notes, key=lambda p: not p.startswith("src/old.py"))
    assert "now at 75.0 %: remove it from docs/coverage-gaps.txt" in old
    assert gone.startswith("src/gone.py is not measured")
