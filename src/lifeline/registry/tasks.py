"""Background work of the registry, run by ``lifeline worker`` (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from lifeline.registry.importing import import_job_process


@task()
def process_import_job(job_id: int) -> str:
    """Validate and commit one uploaded list; safe to run twice (the job is claimed once)."""
    return str(import_job_process(job_id=job_id).status)
