"""Periodic sweeps run by ``lifeline worker``: each app exposes ``run_periodic(now)``.

The list lives in ``settings.LIFELINE_PERIODIC_SWEEPS`` (dotted paths). A sweep that fails
is logged and does not stop the others; every sweep must be safe to run from several
workers at once (they take row locks or compare-and-set).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from lifeline.core import clock

log = logging.getLogger(__name__)


def run_periodic_sweeps(*, now: Any = None) -> dict[str, Any]:
    """Run every configured sweep once; returns each sweep's figures (or its error)."""
    moment = now or clock.now()
    results: dict[str, Any] = {}
    for path in getattr(settings, "LIFELINE_PERIODIC_SWEEPS", []):
        try:
            results[path] = import_string(path)(now=moment) or {}
        except Exception as exc:  # one broken sweep must not stop escalation of the others
            log.exception("periodic sweep %s failed", path)
            results[path] = {"error": 1, "detail": str(exc)[:200]}
    return results
