"""The lab's page: boxes of tubes on their way to it, a results file to upload (CSV or
Excel .xlsx) with its template, and the upload's progress and row-by-row report.

Thin: the form reads the request, ``results_jobs`` checks and imports in the worker (or at
once with ``LIFELINE_IMPORT_INLINE``). The job page polls its progress fragment with htmx
until the job is final; without JavaScript it reads, with a refresh link."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from lifeline.core.errors import ServiceError
from lifeline.screening import selectors
from lifeline.screening.models import ResultsJob
from lifeline.screening.pages.common import RESULTS, require_anywhere, screening_page
from lifeline.screening.services import (
    results_job_create,
    results_job_get,
    results_job_start,
    results_template,
)
from lifeline.screening.services.results_jobs import COLUMN_BY_KEY, COLUMNS
from lifeline.web.errors import renders_service_errors

FINAL = {ResultsJob.Status.INVALID, ResultsJob.Status.DONE, ResultsJob.Status.FAILED}
ERRORS_SHOWN = 500


class ResultsUploadForm(forms.Form):
    file = forms.FileField(label=_("Results file (CSV or Excel .xlsx)"))


@never_cache
@login_required
@renders_service_errors
@require_http_methods(["GET", "POST"])
def lab_home(request: HttpRequest) -> HttpResponse:
    require_anywhere(request.user, RESULTS)
    form = ResultsUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = results_job_create(
                    actor=request.user,
                    file_name=upload.name,
                    content=upload.read(),
                    language=get_language(),
                )
            except ServiceError as refused:
                form.add_error(None, str(refused.message))
                status = refused.status
            else:
                results_job_start(job=job, inline=settings.LIFELINE_IMPORT_INLINE)
                return redirect("screening:lab_job", pk=job.pk)
        else:
            status = 400
    context = {
        "form": form,
        "columns": COLUMNS,
        "incoming": list(selectors.shipments_incoming(actor=request.user)[:200]),
    }
    return screening_page(request, "screening/lab.html", context, status=status)


@login_required
@renders_service_errors
def lab_template(request: HttpRequest) -> HttpResponse:
    require_anywhere(request.user, RESULTS)
    response = HttpResponse(
        results_template(language=get_language()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="lab-results-template.csv"'
    return response


def _job_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    job = results_job_get(actor=request.user, pk=pk)
    errors = [
        {**e, "column_label": str(COLUMN_BY_KEY[e["column"]].label) if e.get("column") else ""}
        for e in job.errors[:ERRORS_SHOWN]
    ]
    return {
        "job": job,
        "final": job.status in FINAL,
        "errors": errors,
        "more_errors": max(0, len(job.errors) - ERRORS_SHOWN),
    }


@never_cache
@login_required
@renders_service_errors
def lab_job(request: HttpRequest, pk: int) -> HttpResponse:
    return screening_page(request, "screening/lab_job.html", _job_context(request, pk))


@never_cache
@login_required
@renders_service_errors
def lab_job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "screening/partials/lab_progress.html", _job_context(request, pk))
