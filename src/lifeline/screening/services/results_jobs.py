"""A lab's results file (CSV or Excel .xlsx) uploaded on the lab page: kept as a job,
checked row by row by the worker (progress in ``processed_rows``), then imported all or
nothing through ``results_import``.

Each problem is reported with its spreadsheet row (the header is row 1), its column and a
message in the uploader's language; a file with any problem writes nothing but its report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import scope_for
from lifeline.core import clock
from lifeline.core.actors import Actor, user_of
from lifeline.core.dates import EARLIEST, LATEST
from lifeline.core.errors import NotFound, PermissionDenied, ServiceError
from lifeline.core.spreadsheets import FileProblem, cell_text, normalise_header, sheet_rows
from lifeline.screening.models import Outcome, ResultsJob, Tube, TubeStatus
from lifeline.screening.services.results import MAX_ROWS, ResultRow, results_import

MAX_BYTES = 10 * 1024 * 1024
PROGRESS_EVERY = 200
SUMMARY_TUBES = 500


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    aliases: tuple[str, ...]
    required: bool = True


COLUMNS = (
    Column("barcode", gettext_lazy("Tube barcode"), ("barcode", "tube", "条码", "试管条码")),
    Column("result", gettext_lazy("Result"), ("result", "outcome", "结果", "检测结果")),
    Column(
        "reported_at",
        gettext_lazy("Reported at"),
        ("reported_at", "reported", "报告时间"),
        required=False,
    ),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
_HEADER = {alias: c.key for c in COLUMNS for alias in c.aliases}
_OUTCOMES = {
    "negative": Outcome.NEGATIVE,
    "neg": Outcome.NEGATIVE,
    "阴性": Outcome.NEGATIVE,
    "positive": Outcome.POSITIVE,
    "pos": Outcome.POSITIVE,
    "阳性": Outcome.POSITIVE,
    "invalid": Outcome.INVALID,
    "无效": Outcome.INVALID,
}


def results_job_create(
    *, actor: Actor, file_name: str, content: bytes, language: str, lab: str = ""
) -> ResultsJob:
    """Keep an uploaded results file as a job for the worker. Needs ``screening.results``
    somewhere; the tubes it names are checked against the grant when it is processed."""
    if scope_for(actor).grant(Perm.SCREENING_RESULTS).is_empty:
        raise PermissionDenied(gettext_lazy("Your role may not import results."))
    if not content:
        raise ServiceError(gettext_lazy("The file is empty."), code="empty_file")
    if len(content) > MAX_BYTES:
        raise ServiceError(gettext_lazy("The file is larger than 10 MB."), code="too_large")
    return ResultsJob.objects.create(
        created_by=user_of(actor),
        file_name=(file_name or "results")[:255],
        content=content,
        language=language or "zh-hans",
        lab=(lab or "")[:100],
    )


def results_job_get(*, actor: Actor, pk: int) -> ResultsJob:
    """A job of the actor's own (another's is unknown)."""
    if scope_for(actor).grant(Perm.SCREENING_RESULTS).is_empty:
        raise PermissionDenied(gettext_lazy("Your role may not import results."))
    job = ResultsJob.objects.filter(pk=pk, created_by_id=getattr(actor, "pk", None)).first()
    if job is None:
        raise NotFound(gettext_lazy("No such import."))
    return job


def results_job_process(*, job_id: int) -> ResultsJob:
    """Check and import one job; safe to run twice (only a waiting job is claimed)."""
    claimed = ResultsJob.objects.filter(pk=job_id, status=ResultsJob.Status.PENDING).update(
        status=ResultsJob.Status.VALIDATING
    )
    job = ResultsJob.objects.get(pk=job_id)
    if not claimed:
        return job
    with translation.override(job.language):
        try:
            _process(job)
        except Exception:
            _finish(job, ResultsJob.Status.FAILED, [_file_error("failed", _("The import failed."))])
            raise
    return job


def _process(job: ResultsJob) -> None:
    actor = job.created_by
    if actor is None:  # the uploader's account is gone: nobody to import as
        _finish(job, ResultsJob.Status.FAILED, [_file_error("failed", _("The import failed."))])
        return
    try:
        rows, errors = _read(job)
    except FileProblem as problem:
        _finish(job, ResultsJob.Status.INVALID, [_file_error(problem.code, problem.message)])
        return
    errors = sorted(errors + _check_tubes(actor, rows), key=lambda e: e["row"])
    if errors:
        _finish(job, ResultsJob.Status.INVALID, errors)
        return
    job.status = ResultsJob.Status.COMMITTING
    job.save(update_fields=["status"])
    try:
        summary = results_import(actor=actor, rows=[row for _n, row in rows])
    except ServiceError as refused:
        lines = [str(m) for m in refused.fields.get("rows", [])] or [str(refused.message)]
        _finish(job, ResultsJob.Status.INVALID, [_file_error(refused.code, m) for m in lines])
        return
    job.summary = {
        "rows": summary.rows,
        "imported": summary.imported,
        "unchanged": summary.unchanged,
        "positives": len({r.barcode for _n, r in rows if r.outcome == Outcome.POSITIVE}),
        "tubes": [[row.barcode, row.outcome] for _n, row in rows[:SUMMARY_TUBES]],
    }
    job.processed_rows = job.total_rows
    _finish(job, ResultsJob.Status.DONE, [])


def _finish(job: ResultsJob, status: str, errors: list[dict[str, Any]]) -> None:
    job.status, job.errors, job.finished_at = status, errors, clock.now()
    job.content = b""  # the report stays, the file goes
    job.save(
        update_fields=["status", "errors", "finished_at", "content", "summary", "processed_rows"]
    )


def _file_error(code: str, message: str) -> dict[str, Any]:
    return {"row": None, "column": "", "code": code, "message": message}


def _error(row: int, column: str, code: str, message: str) -> dict[str, Any]:
    return {"row": row, "column": column, "code": code, "message": message}


def _read(job: ResultsJob) -> tuple[list[tuple[int, ResultRow]], list[dict[str, Any]]]:
    """The rows of the file (with their spreadsheet row numbers) and the problems of each
    cell; the progress advances as rows are read."""
    cells: Iterator[Any] = iter(sheet_rows(bytes(job.content)))
    header = next(cells, None)
    keys = [_HEADER.get(normalise_header(h), "") for h in (header or [])]
    missing = [c for c in COLUMNS if c.required and c.key not in keys]
    if missing:
        names = ", ".join(str(c.label) for c in missing)
        raise FileProblem(
            "missing_columns", _("The file lacks the columns: %(cols)s.") % {"cols": names}
        )
    raw = [(n, row) for n, row in enumerate(cells, start=2) if any(cell_text(v) for v in row)]
    if not raw:
        raise FileProblem("no_rows", _("The file has no results."))
    if len(raw) > MAX_ROWS:
        raise FileProblem("too_many_rows", _("Too many rows in one import."))
    job.total_rows = len(raw)
    job.save(update_fields=["total_rows"])
    rows: list[tuple[int, ResultRow]] = []
    errors: list[dict[str, Any]] = []
    for done, (n, row) in enumerate(raw, start=1):
        values = {key: cell for key, cell in zip(keys, row, strict=False) if key}
        parsed = _row(n, values, errors, lab=job.lab)
        if parsed is not None:
            rows.append((n, parsed))
        if done % PROGRESS_EVERY == 0:
            ResultsJob.objects.filter(pk=job.pk).update(processed_rows=done)
    job.processed_rows = len(raw)
    job.save(update_fields=["processed_rows"])
    return rows, errors


def _row(
    n: int, values: dict[str, Any], errors: list[dict[str, Any]], *, lab: str
) -> ResultRow | None:
    barcode = cell_text(values.get("barcode"))
    outcome = _OUTCOMES.get(cell_text(values.get("result")).lower())
    before = len(errors)
    if not barcode or len(barcode) > 40:
        errors.append(_error(n, "barcode", "bad_barcode", _("Give the tube's barcode.")))
    if outcome is None:
        errors.append(_error(n, "result", "bad_result", _("Write negative, positive or invalid.")))
    reported = _reported_at(values.get("reported_at"))
    if reported is False:
        errors.append(
            _error(n, "reported_at", "bad_time", _("Write the time as 2024-05-01 14:30."))
        )
    if len(errors) > before or outcome is None:
        return None
    when = reported if isinstance(reported, dt.datetime) else None
    return ResultRow(barcode=barcode, outcome=outcome, lab=lab, reported_at=when)


def _reported_at(value: Any) -> dt.datetime | bool | None:
    """The cell's time, None when empty, False when unreadable."""
    if isinstance(value, dt.datetime):
        moment = value
    else:
        text = cell_text(value)
        if not text:
            return None
        try:
            parsed = parse_datetime(text.replace("/", "-"))
        except ValueError:
            return False
        if parsed is None:
            return False
        moment = parsed
    if not EARLIEST <= moment.date() <= LATEST:
        return False
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _check_tubes(actor: Actor, rows: Sequence[tuple[int, ResultRow]]) -> list[dict[str, Any]]:
    """Each row against its tube, as the import will check it under lock: the tube exists
    where the lab may result, is closed, holds no other result; a tube is listed once."""
    grant = scope_for(actor).grant(Perm.SCREENING_RESULTS)
    barcodes = sorted({row.barcode for _n, row in rows})
    tubes = {
        b: (path, status, outcome)
        for b, path, status, outcome in Tube.objects.filter(barcode__in=barcodes).values_list(
            "barcode", "area_path", "status", "result__outcome"
        )
    }
    errors: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for n, row in rows:
        tube = tubes.get(row.barcode)
        if tube is None or not grant.covers_path(tube[0]):
            errors.append(_error(n, "barcode", "unknown_tube", _("No tube with this barcode.")))
        elif seen.setdefault(row.barcode, row.outcome) != row.outcome:
            message = _("This tube is listed twice with two results.")
            errors.append(_error(n, "result", "twice", message))
        elif tube[1] == TubeStatus.OPEN:
            errors.append(_error(n, "barcode", "tube_open", _("This tube is still open.")))
        elif tube[2] is not None and tube[2] != row.outcome:
            message = _("This tube already has another result.")
            errors.append(_error(n, "result", "other_result", message))
    return errors


def results_template(*, language: str) -> bytes:
    """The CSV to fill in: the column names, each with its meaning in brackets."""
    with translation.override(language):
        header = [f"{c.key} ({c.label})" for c in COLUMNS]
    # No example row: it would be imported as a row. The hints are in the header.
    return ("\ufeff" + ",".join(header) + "\r\n").encode("utf-8")


def results_job_start(*, job: ResultsJob, inline: bool) -> None:
    """Run the job now (``LIFELINE_IMPORT_INLINE``) or queue it for the worker after the
    upload's commit."""
    if inline:
        results_job_process(job_id=job.pk)
        return
    from lifeline.screening.tasks import process_results_job

    transaction.on_commit(lambda: process_results_job.enqueue(job.pk))
