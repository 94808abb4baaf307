"""Field-team fixtures: the gas company's fleet over the small city, at 06:00 on the
planned day (so no plan is cut short by the time of day unless a test moves the clock)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lifeline.core import clock
from lifeline.teams.tests.helpers import MORNING, Fleet, make_fleet
from lifeline.testing.factories import SmallCity


@pytest.fixture(autouse=True)
def _morning() -> Iterator[None]:
    with clock.frozen_at(MORNING):
        yield


@pytest.fixture
def fleet(city: SmallCity) -> Fleet:
    return make_fleet(city)
