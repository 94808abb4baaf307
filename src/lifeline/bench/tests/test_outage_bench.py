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
