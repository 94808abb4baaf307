"""The supplies and volunteers benchmarks at toy size: their figures add up. The bursts run
in one thread here (the suite's SQLite); their concurrency is what the PostgreSQL race
tests of supplies and volunteers prove, and what ``lifeline bench`` measures."""

from __future__ import annotations

import argparse

import pytest

from lifeline.bench import supplies, volunteers
from lifeline.bench._supplies_burst import run_burst
from lifeline.bench._volunteers_signup import run_signup


def _args(module: object, *argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    module.add_arguments(parser)  # type: ignore[attr-defined]
    return parser.parse_args(list(argv))


def test_the_allocation_part_solves_to_optimality_and_never_gives_more_than_stock():
    figures = supplies.run(
        _args(supplies, "--part=allocation", "--needs=300", "--lots=30", "--items=5")
    )["allocation"]
    assert figures["status"] == "OPTIMAL" and figures["optimal"]
    assert 0 < figures["units_allocated"] <= figures["units_in_stock"]
    assert figures["needs_full"] + figures["needs_partly"] + figures["needs_unserved"] == 300


@pytest.mark.django_db
def test_the_package_burst_counts_exactly_the_cap():
    figures = run_burst(orders=12, cap=5, threads=1, write=lambda line: None)
    assert (figures["accepted"], figures["sold_out"], figures["other_errors"]) == (5, 7, 0)
    assert figures["exactly_cap"] and figures["counter"] == 5


@pytest.mark.django_db
def test_the_sign_up_burst_reports_no_overbooking():
    figures = run_signup(people=12, places=4, threads=1, repeats=2, write=lambda line: None)
    assert (figures["signups"], figures["overbooked_shifts"], figures["errors"]) == (24, 0, 0)
    assert figures["outcomes"] == {"ok": 24}


def test_the_roster_part_covers_what_it_can_and_breaks_no_rule():
    figures = volunteers.run(
        _args(volunteers, "--part=roster", "--volunteers=40", "--posts=4", "--days=2")
    )["roster"]
    assert figures["status"] in ("OPTIMAL", "FEASIBLE")
    assert figures["violations"] == 0
    assert 0 < figures["slots_filled"] <= figures["slots_needed"]
