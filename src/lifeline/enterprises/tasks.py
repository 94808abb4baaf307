"""Background work of the enterprises app, run by ``lifeline worker`` on its beat."""

from __future__ import annotations

import datetime as dt

from lifeline.enterprises.services.closure import bubble_positives_sweep


def run_periodic(now: dt.datetime | None = None) -> dict[str, int]:
    """One beat: a closed loop with a member's recent positive result is suspended."""
    return {"loops_suspended": bubble_positives_sweep(now=now)}
