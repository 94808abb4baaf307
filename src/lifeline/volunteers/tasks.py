"""Background work of the volunteers, run by ``lifeline worker``: the duty clock (no-shows,
coordinators told, reminders) on its beat (``settings.LIFELINE_PERIODIC_SWEEPS``), and
rosters solved and published as django-tasks."""

from __future__ import annotations

from django_tasks import task

from lifeline.volunteers.services.duty_sweep import run_periodic
from lifeline.volunteers.services.rosters import roster_run

__all__ = ["roster_job", "run_periodic"]


@task()
def roster_job(roster_id: int) -> str:
    """Solve or publish one roster; safe to run twice (each step is claimed once)."""
    return str(roster_run(roster_id=roster_id).status)
