"""The command benchmark at toy size, in the suite's own database: the synthetic city's
counters add up the tree as the refresh would write them, the dashboard pages answer,
and the notice reaches every phone once. The options default to the issue's city."""

from __future__ import annotations

import argparse
import datetime as dt

import pytest

from lifeline.bench import command
from lifeline.bench._command_city import DAYS
from lifeline.command.models import AreaFigure, DailyReport
from lifeline.core import clock
from lifeline.core.models import OutboxMessage
from lifeline.registry.models import Area, AreaLevel, Household

pytestmark = pytest.mark.django_db


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    return parser.parse_args(list(argv))


def test_the_defaults_are_the_issues_city() -> None:
    args = _args()
    assert (args.people, args.phones) == (4_000_000, 1_000_000)


def test_a_small_city_is_measured_and_its_figures_add_up() -> None:
    lines: list[str] = []
    args = _args("--people=3000", "--phones=500", "--requests=3", "--warmup=1", "--workers=1")
    figures = command.run_city(args, write=lines.append)
    # the city: areas, households, 500 phones, counters for every area over 14 days
    grids = Area.objects.filter(level=AreaLevel.GRID)
    assert figures["grids"] == grids.count() > 0
    assert figures["households"] == Household.objects.count() == 750
    assert Household.objects.exclude(phone="").count() == 500
    city = Area.objects.get(level=AreaLevel.CITY)
    today = clock.today()
    people = AreaFigure.objects.get(area_path=city.path, day=today, key="registry.people")
    grid_people = sum(
        AreaFigure.objects.filter(
            level=AreaLevel.GRID, day=today, key="registry.people"
        ).values_list("value", flat=True)
    )
    assert people.value == grid_people > 0
    assert AreaFigure.objects.values("day").distinct().count() == DAYS
    ratio = AreaFigure.objects.get(area_path=city.path, day=today, key="screening.compliance")
    assert 0 < ratio.value <= 10000
    # the pages answered and were timed, the notice reached every phone once
    assert figures["dashboard_city_p95_ms"] > 0 and figures["dashboard_grid_p95_ms"] > 0
    # the district's report of yesterday was generated and timed
    assert figures["district_report_seconds"] >= 0
    report = DailyReport.objects.get()
    assert report.area.level == AreaLevel.DISTRICT and report.day == today - dt.timedelta(days=1)
    assert figures["fanout_texts"] == 500 == OutboxMessage.objects.count()
    assert figures["fanout_households"] == 750
    assert any(line.startswith("fan-out:") for line in lines)


def test_the_outer_run_works_in_a_database_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def run_inside(name: str, suffix: str, *, keep: bool, forwarded: list[str]) -> dict:
        calls.append((name, suffix, keep, forwarded))
        return {"fanout_seconds": 1.0}

    monkeypatch.setattr(command, "run_inside", run_inside)
    assert command.run(_args("--people=400000", "--phones=100000")) == {"fanout_seconds": 1.0}
    name, suffix, keep, forwarded = calls[0]
    assert (name, suffix, keep) == ("command", "bench_command", False)
    assert "--people=400000" in forwarded and "--phones=100000" in forwarded
