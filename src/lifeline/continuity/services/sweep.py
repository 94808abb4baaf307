"""The continuity beat (``settings.LIFELINE_PERIODIC_SWEEPS``): thresholds and critical
roles checked against the latest reports, so a breach missed at report time (a threshold
added later, a daily use reported first) still opens its problem, once while open."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction

from lifeline.continuity.models import CriticalRole, Threshold
from lifeline.continuity.services.problems import THRESHOLD_CHECK, open_once
from lifeline.continuity.services.reports import check_role, measured
from lifeline.core.actors import system

log = logging.getLogger(__name__)


def run_periodic(now: dt.datetime | None = None) -> dict[str, int]:
    """One beat: every tripped threshold and short-staffed role has an open problem."""
    del now  # the latest reports are what count; the clock lives on the work orders
    actor = system(THRESHOLD_CHECK)
    opened = 0
    for threshold in Threshold.objects.select_related("figure__lifeline_unit__unit", "figure__use"):
        value = measured(threshold)
        if value is None or value >= threshold.below:
            continue
        with transaction.atomic():
            unit = threshold.figure.lifeline_unit
            if open_once(actor=actor, unit=unit, threshold=threshold, role=None):
                opened += 1
    for role in CriticalRole.objects.select_related("lifeline_unit__unit"):
        with transaction.atomic():
            if check_role(actor=actor, role=role) is not None:
                opened += 1
    if opened:
        log.info("continuity sweep: %s problems opened", opened)
    return {"continuity_problems_opened": opened}
