"""Two duty desks publishing the same draft at once (PostgreSQL, threads): one publishes,
the other is refused with ``not_draft``, and each affected phone gets one text."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from lifeline.core.clock import frozen_at
from lifeline.core.errors import Conflict
from lifeline.core.models import OutboxMessage
from lifeline.keyusers.models import Interruption
from lifeline.keyusers.services import interruption_plan, interruption_publish
from lifeline.keyusers.tests.helpers import (
    days_later,
    key_user,
    make_power_grid,
    monday,
    vulnerable_households,
)
from lifeline.testing.factories import SmallCity

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8


def test_racing_publishes_send_one_set_of_texts(city: SmallCity) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("races are tested on PostgreSQL")
    grid = make_power_grid(city)
    key_user(grid, 1, grid.feeder_a)
    vulnerable_households(grid.buildings_a, 6, serial=7)
    with frozen_at(monday()):
        draft = interruption_plan(
            actor=grid.duty,
            supply_points=[grid.feeder_a],
            starts_at=days_later(7),
            ends_at=days_later(7, hour=12),
            reason="检修",
        )
        gate = threading.Barrier(THREADS)

        def publish(_n: int) -> str:
            gate.wait()
            try:
                stale = Interruption.objects.get(pk=draft.pk)
                interruption_publish(actor=grid.duty, interruption=stale)
                return "ok"
            except Conflict as refused:
                return refused.code
            finally:
                connections.close_all()

        with ThreadPoolExecutor(THREADS) as pool:
            outcomes = list(pool.map(publish, range(THREADS)))
    assert sorted(outcomes) == ["not_draft"] * (THREADS - 1) + ["ok"]
    assert OutboxMessage.objects.count() == 7
