"""Reports arriving at once from many threads on PostgreSQL, all below the coal
threshold, open exactly one problem (the threshold's row lock), and every report is kept."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from lifeline.continuity.models import FigureReport, Problem
from lifeline.continuity.services import figure_report
from lifeline.continuity.tests.helpers import make_plants
from lifeline.testing.factories import SmallCity

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8


def test_reports_at_once_below_the_threshold_open_one_problem(city: SmallCity) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("once-while-open under concurrency is tested on PostgreSQL")
    plants = make_plants(city)
    figure_report(
        actor=plants.power_desk, lifeline_unit=plants.power, figure_id=plants.burn.pk, value=12000
    )
    gate = threading.Barrier(THREADS)

    def one(n: int) -> str:
        gate.wait()
        try:
            figure_report(
                actor=plants.power_desk,
                lifeline_unit=plants.power,
                figure_id=plants.coal.pk,
                value=40000 - n,
            )
            return "ok"
        except Exception as exc:  # counted: nothing may fail
            return f"error: {exc!r}"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(THREADS) as pool:
        outcomes = list(pool.map(one, range(THREADS)))
    assert outcomes == ["ok"] * THREADS
    assert FigureReport.objects.filter(figure=plants.coal).count() == THREADS
    assert Problem.objects.count() == 1
