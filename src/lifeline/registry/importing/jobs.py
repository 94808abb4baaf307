"""Import jobs: an uploaded list is stored, checked whole, then committed all or nothing.

``import_job_process`` is what the worker task, the upload page (inline mode) and the CLI
run. It claims the job by compare-and-set, so a retried or duplicated task never imports a
file twice, and it always leaves the job in a final state, whatever happens.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from django.db import IntegrityError
from django.utils import translation
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can_anywhere
from lifeline.core import clock
from lifeline.core.actors import Actor, user_of
from lifeline.core.errors import PermissionDenied, ServiceError
from lifeline.core.models import AuditRecord
from lifeline.core.spreadsheets import FileProblem
from lifeline.registry.importing.commit import CommitResult, plan_commit
from lifeline.registry.importing.matching import plan_match
from lifeline.registry.importing.reader import read_table
from lifeline.registry.importing.validate import Plan, RowError, households_validate
from lifeline.registry.models import ImportJob

logger = logging.getLogger(__name__)
MAX_BYTES = 20 * 1024 * 1024
Status = ImportJob.Status
# (phase, done, total): phase is "validating" or "committing"
ProgressHook = Callable[[str, int, int], None]


def import_job_create(
    *, actor: Actor, file_name: str, content: bytes, language: str, preview: bool = False
) -> ImportJob:
    """Store an uploaded list as a pending job; nothing in the registry changes yet.
    ``preview``: stop after the check with the counts, and write only once confirmed
    (``import_job_confirm``)."""
    if not can_anywhere(actor, Perm.REGISTRY_IMPORT):
        raise PermissionDenied(_("Your role may not change the registry."))
    if len(content) > MAX_BYTES:
        raise ServiceError(
            _("The file is larger than %(mb)d MB; split it into smaller files.")
            % {"mb": MAX_BYTES // (1024 * 1024)},
            code="too_large",
        )
    return ImportJob.objects.create(
        kind="households",
        created_by=user_of(actor),
        file_name=os.path.basename(file_name)[:255],
        content=content,
        language=language,
        preview=preview,
    )


def import_job_confirm(*, actor: Actor, job: ImportJob) -> bool:
    """Let a previewed job be written: it goes back to pending, to be checked again and
    committed. False when it was not waiting for confirmation (confirmed twice)."""
    if job.created_by_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Only the person who uploaded the list may confirm it."))
    return bool(
        ImportJob.objects.filter(pk=job.pk, status=Status.PREVIEW).update(
            status=Status.PENDING, preview=False
        )
    )


def households_check(
    *, actor: Actor, content: bytes, progress: ProgressHook | None = None
) -> tuple[Plan | None, list[RowError]]:
    """Validate a file without writing anything (the CLI's --dry-run)."""
    try:
        table = read_table(content)
        plan = households_validate(actor=actor, table=table, progress=_phase(progress))
    except FileProblem as exc:
        return None, [RowError.of_file(exc)]
    if plan.errors:
        return plan, plan.errors
    return plan, plan_match(plan).errors


def import_job_process(*, job_id: int, progress: ProgressHook | None = None) -> ImportJob:
    """Validate and commit one pending job; a job already claimed is returned untouched."""
    claimed = ImportJob.objects.filter(pk=job_id, status=Status.PENDING).update(
        status=Status.VALIDATING
    )
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if not claimed:
        return job
    with translation.override(job.language):
        try:
            _run(job, progress)
        except Exception:  # the job must end in a final state, never stay "checking"
            logger.exception("import job %s failed", job.pk)
            _finish(
                job,
                Status.FAILED,
                [RowError(0, "", "internal")],
            )
    return job


def _run(job: ImportJob, progress: ProgressHook | None) -> None:
    def report(phase: str, done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=done, total_rows=total)
        job.processed_rows, job.total_rows = done, total
        if progress:
            progress(phase, done, total)

    try:
        table = read_table(bytes(job.content))
        report("validating", 0, len(table.rows))
        plan = households_validate(actor=job.created_by, table=table, progress=_phase(report))
    except FileProblem as exc:
        _finish(job, Status.INVALID, [RowError.of_file(exc)])
        return
    if plan.errors:
        _finish(job, Status.INVALID, plan.errors)
        return
    match = plan_match(plan)
    job.summary = match.summary()
    if match.errors:
        _finish(job, Status.INVALID, match.errors)
        return
    job.area_path = _common_path([h.grid.path for h in plan.households.values()])
    if job.preview:
        job.status = Status.PREVIEW
        job.errors = []
        job.save(update_fields=["area_path", "status", "summary", "errors"])
        return
    job.status = Status.COMMITTING
    job.save(update_fields=["area_path", "status"])
    if progress:
        progress("committing", 0, plan.total_rows)
    try:
        result = plan_commit(actor=job.created_by, plan=plan, job=job)
    except IntegrityError:
        _finish(
            job,
            Status.FAILED,
            [RowError(0, "", "conflict")],
        )
        return
    job.created_rows = result.people
    _finish(job, Status.DONE, [])
    if progress:
        progress("committing", plan.total_rows, plan.total_rows)


def _phase(progress: ProgressHook | None) -> Callable[[int, int], None] | None:
    if progress is None:
        return None
    hook = progress
    return lambda done, total: hook("validating", done, total)


def _finish(job: ImportJob, status: str, errors: list[RowError]) -> None:
    job.status = status
    job.errors = [e.as_dict() for e in errors]
    job.finished_at = clock.now()
    job.save(update_fields=["status", "errors", "finished_at", "created_rows", "summary"])


def _common_path(paths: list[str]) -> str:
    if not paths:
        return ""
    # Area paths are "/a/b/" strings; cut the shared prefix back to a whole segment.
    prefix = os.path.commonprefix(paths)  # noqa: RUF071
    return prefix[: prefix.rfind("/") + 1]


def import_job_result(*, job: ImportJob) -> CommitResult | None:
    """What a finished job created, as recorded in its ``import.commit`` audit record."""
    if job.status != Status.DONE:
        return None
    purpose = (
        AuditRecord.objects.filter(
            object_type="registry.importjob", object_id=str(job.pk), action="import.commit"
        )
        .values_list("purpose", flat=True)
        .first()
    )
    return CommitResult.from_text(purpose or "")


def import_job_get(*, actor: Actor, pk: int) -> ImportJob:
    """A job is seen by the person who uploaded it only: it holds their file."""
    from lifeline.core.errors import NotFound

    job = ImportJob.objects.filter(pk=pk, created_by_id=getattr(actor, "pk", None)).first()
    if job is None or not getattr(actor, "is_authenticated", False):
        raise NotFound(_("No such import."))
    return job
