"""Background work of screening, run by ``lifeline worker`` (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from lifeline.screening.services import results_job_process


@task()
def process_results_job(job_id: int) -> str:
    """Check and import one lab results file; safe to run twice (the job is claimed once)."""
    return str(results_job_process(job_id=job_id).status)
