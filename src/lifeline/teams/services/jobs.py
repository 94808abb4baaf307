"""Plans solved by the worker: the dispatcher asks (``plan_job_create``, checked at once,
solved later), ``lifeline worker`` solves (``plan_job_run``, through ``teams.tasks``), and
the job page follows it with a progress bar until the plan is made."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.models import User
from lifeline.core import clock
from lifeline.core.actors import Actor, user_of
from lifeline.core.audit import audit_log
from lifeline.core.errors import ServiceError
from lifeline.teams.models import PlanJob
from lifeline.teams.services.plans import DEFAULT_TIME_LIMIT, check_request, plan_create, target_of

logger = logging.getLogger(__name__)


def plan_job_create(
    *,
    actor: Actor,
    day: dt.date,
    team_id: int | None = None,
    unit_id: int | None = None,
    time_limit: float = DEFAULT_TIME_LIMIT,
    help_neighbours: bool = False,
    language: str = "",
) -> PlanJob:
    """A queued request for a plan, refused at once when the actor may not plan that team
    or unit or the day or time limit is wrong. The worker is told after the commit."""
    target = target_of(actor, team_id, unit_id)
    check_request(day, time_limit)
    user = user_of(actor)
    if user is None:
        raise ServiceError(_("Only a person can ask for a plan."), code="no_person")
    with transaction.atomic():
        job = PlanJob.objects.create(
            unit=target.unit,
            team=target.team,
            area_path=target.area_path,
            day=day,
            time_limit=time_limit,
            help_neighbours=help_neighbours,
            language=language or translation.get_language() or "zh-hans",
            created_by=user,
            created_at=clock.now(),
        )
        audit_log(actor=actor, action="teams.plan_job_create", obj=job, fields=["day"])
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from lifeline.teams.tasks import solve_plan_job

    solve_plan_job.enqueue(job_id)


def plan_job_run(*, job_id: int) -> PlanJob:
    """Solve one queued job as the dispatcher who asked; a job already claimed is returned
    untouched, so running it twice makes one plan. Ends done (with its plan) or failed
    (with a message in the dispatcher's language), never half-way."""
    claimed = PlanJob.objects.filter(pk=job_id, status=PlanJob.Status.QUEUED).update(
        status=PlanJob.Status.RUNNING, started_at=clock.now()
    )
    job = PlanJob.objects.select_related("created_by").get(pk=job_id)
    if not claimed:
        return job
    actor: User = job.created_by
    with translation.override(job.language):
        try:
            plan = plan_create(
                actor=actor,
                day=job.day,
                team_id=job.team_id,
                unit_id=None if job.team_id else job.unit_id,
                time_limit=job.time_limit,
                help_neighbours=job.help_neighbours,
            )
        except ServiceError as error:
            details = [str(m) for messages in (error.fields or {}).values() for m in messages]
            text = " ".join([str(error.message), *details])
            _finish(job, PlanJob.Status.FAILED, error=text)
        except Exception:  # the job must end final, never stay "planning"
            logger.exception("plan job %s failed", job.pk)
            _finish(job, PlanJob.Status.FAILED, error=gettext("The planner failed. Try again."))
        else:
            _finish(job, PlanJob.Status.DONE, plan_id=plan.pk)
    return job


def _finish(job: PlanJob, status: str, *, error: str = "", plan_id: int | None = None) -> None:
    job.status, job.error, job.plan_id, job.finished_at = status, error[:500], plan_id, clock.now()
    job.save(update_fields=["status", "error", "plan", "finished_at"])
