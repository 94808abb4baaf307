"""Periodic work of the health app: standing needs' transport orders, filed ahead of time.

``run_periodic(now)`` is on ``lifeline worker``'s beat (``LIFELINE_PERIODIC_SWEEPS``).
"""

from __future__ import annotations

import datetime as dt
import logging

from lifeline.core import clock
from lifeline.health.services.standing import standing_trips_create

log = logging.getLogger(__name__)


def run_periodic(now: dt.datetime | None = None) -> dict[str, int]:
    """One beat: every session within its lead time gets its order, once."""
    result = standing_trips_create(now=now or clock.now())
    figures = {"standing_trips_created": result.created, "standing_trips_failed": result.failed}
    if any(figures.values()):
        log.info("health sweep: %s", figures)
    return figures
