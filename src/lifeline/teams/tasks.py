"""Background work of the field teams, run by ``lifeline worker`` (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from lifeline.teams.services import plan_job_run


@task()
def solve_plan_job(job_id: int) -> str:
    """Solve one dispatcher's plan; safe to run twice (the job is claimed once)."""
    return str(plan_job_run(job_id=job_id).status)
