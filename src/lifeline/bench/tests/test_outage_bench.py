"""The outage benchmark's measuring half at toy size: every building hangs on one bench
feeder, and the impact it times finds exactly the supply-dependent households and key
users of the feeders cut."""

from __future__ import annotations

import random

import pytest

from lifeline.bench import _outage_probe as probe
from lifeline.keyusers.models import BuildingSupply, SupplyPoint
from lifeline.keyusers.tests.helpers import key_user, make_power_grid, vulnerable_households
from lifeline.registry.models import Building, Vulnerability
from lifeline.registry.selectors import SUPPLY_DEPENDENT_NEEDS
from lifeline.testing.factories import SmallCity

pytestmark = pytest.mark.django_db


def test_the_bench_hangs_every_building_and_times_what_it_finds(city: SmallCity) -> None:
    # Given the power company's grid with 5 + 3 supply-dependent households and a key user
    grid = make_power_grid(city)
    vulnerable_households(grid.buildings_a, 5, serial=1)
    vulnerable_households(grid.buildings_b, 3, serial=2)
    key_user(grid, 1, grid.feeder_a)
    # When the bench hangs the buildings on feeders of 4 buildings each
    feeders = probe._feeders(per_feeder=4)
    hung = probe._hang_key_users(feeders, random.Random(1))
    # Then every building is on exactly one bench feeder, and one outage of them all finds
    # every household with a need and the key user
    buildings = Building.objects.count()
    bench = SupplyPoint.objects.filter(code__startswith="BENCH-F")
    assert bench.count() == len(feeders) == -(-buildings // 4)
    assert BuildingSupply.objects.filter(supply_point__in=bench).count() == buildings
    assert hung == 1
    figures = probe._time([feeders])
    dependent = (
        Vulnerability.objects.filter(kind__in=SUPPLY_DEPENDENT_NEEDS)
        .values("person__household_id")
        .distinct()
        .count()
    )
    assert dependent >= 8  # the 8 made here, and the small city's own
    assert figures["households_max"] == dependent
    assert figures["key_users_found"] == 1
    assert figures["max_ms"] >= figures["p50_ms"] > 0


def test_the_command_runs_the_probe_on_its_city_and_reports_both_figures(
    city: SmallCity, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the command's own database and city replaced by the test's (the subprocesses
    # it starts are what the real run adds), with a key user on the power company's grid
    import argparse
    import contextlib
    import io

    from lifeline.bench import outage

    grid = make_power_grid(city)
    vulnerable_households(grid.buildings_a, 2, serial=3)
    key_user(grid, 1, grid.feeder_a)
    calls: list[tuple[str, ...]] = []

    @contextlib.contextmanager
    def this_database(suffix: str, *, keep: bool, sqlite_ok: bool = False):  # type: ignore[no-untyped-def]
        assert (suffix, keep, sqlite_ok) == ("outage", False, True)
        yield "sqlite:///the-bench-database"

    def lifeline(env: dict[str, str], *argv: str, capture: bool = False) -> str:
        calls.append(argv)
        assert env["DATABASE_URL"] == "sqlite:///the-bench-database"
        if argv[0] != "shell":
            return ""
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(argv[2], {})  # the probe's call, run in this process
        return out.getvalue()

    city_figures = {"people": 123, "households": 45, "vulnerabilities": 6, "seconds": 1.5}
    monkeypatch.setattr(outage, "bench_database", this_database)
    monkeypatch.setattr(outage.registry_bench, "_lifeline", lifeline)
    monkeypatch.setattr(outage.registry_bench, "_generate", lambda env, args: city_figures)
    parser = argparse.ArgumentParser()
    outage.add_arguments(parser)
    assert parser.parse_args([]).people == 4_000_000  # the default is the seeds' city
    args = parser.parse_args(["--people", "123", "--buildings-per-feeder", "3", "--outages", "4"])
    # When the command runs
    figures = outage.run(args)
    # Then it migrated, then ran the probe with its arguments, and reports the city's
    # figures with the probe's
    assert [call[0] for call in calls] == ["migrate", "shell"]
    assert "per_feeder=3, outages=4, seed=20221105" in calls[1][2]
    assert (figures["people"], figures["households"], figures["generation_seconds"]) == (
        123,
        45,
        1.5,
    )
    assert figures["buildings_per_feeder"] == 3 and figures["key_users"] == 1
    assert figures["feeders"] == -(-Building.objects.count() // 3)
    assert "bench database: sqlite:///the-bench-database" in capsys.readouterr().out
