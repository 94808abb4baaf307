"""Pages to upload a household list, watch it being checked, read its report, and export.

Thin: forms read the request, ``importing``/``exporting`` do the work. The job page polls
its progress fragment with htmx every second until the job is final; without JavaScript
the page still reads, with a refresh link.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can_anywhere, scope_for, scoped
from lifeline.core.actors import Actor
from lifeline.core.errors import ServiceError
from lifeline.core.safetext import SafeCharField
from lifeline.registry.exporting import (
    FORMATS,
    export_may_reveal,
    households_export,
    households_template,
)
from lifeline.registry.importing import (
    import_job_confirm,
    import_job_create,
    import_job_get,
    import_job_process,
    import_job_result,
)
from lifeline.registry.importing.columns import COLUMN_BY_KEY, COLUMNS
from lifeline.registry.importing.messages import stored_error_text
from lifeline.registry.models import Area, AreaLevel, ImportJob
from lifeline.web.errors import renders_service_errors

# The page stops polling in these states (a preview waits for the uploader).
FINAL = {
    ImportJob.Status.INVALID,
    ImportJob.Status.DONE,
    ImportJob.Status.FAILED,
    ImportJob.Status.PREVIEW,
}
ERRORS_SHOWN = 500
AREA_CHOICES_MAX = 500


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Household list (CSV, Excel .xlsx/.xls or OpenDocument .ods)"))


class ExportForm(forms.Form):
    area = forms.ChoiceField(label=_("Area"), required=False)
    format = forms.ChoiceField(label=_("Format"), choices=[(f, f.upper()) for f in FORMATS])
    reveal = forms.BooleanField(label=_("Full phone and ID numbers (recorded)"), required=False)
    purpose = SafeCharField(label=_("Why full values are needed"), required=False, max_length=200)

    def __init__(self, *args: Any, areas: list[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", str(_("All of my areas")))]
        choices += [(a.code, f"{'  ' * a.depth}{a.name} ({a.code})") for a in areas]
        area_field = self.fields["area"]
        assert isinstance(area_field, forms.ChoiceField)
        area_field.choices = choices


def _start(job: ImportJob) -> None:
    if settings.LIFELINE_IMPORT_INLINE:
        import_job_process(job_id=job.pk)
        return
    from lifeline.registry.tasks import process_import_job

    transaction.on_commit(lambda: process_import_job.enqueue(job.pk))


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = import_job_create(
                    actor=request.user,
                    file_name=upload.name,
                    content=upload.read(),
                    language=get_language(),
                    preview=True,
                )
            except ServiceError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                _start(job)
                return redirect("registry_import:job", pk=job.pk)
        else:
            status = 400
    columns = [(c.zh, c.en) for c in COLUMNS]
    return render(
        request, "registry/import_upload.html", {"form": form, "columns": columns}, status=status
    )


def _job_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    job = import_job_get(actor=request.user, pk=pk)
    errors = [
        {
            "row": e.get("row", 0),
            "code": e.get("code", ""),
            "message": stored_error_text(e),
            "column_label": str(COLUMN_BY_KEY[e["column"]].label)
            if e.get("column") in COLUMN_BY_KEY
            else "",
        }
        for e in job.errors[:ERRORS_SHOWN]
    ]
    return {
        "job": job,
        "final": job.status in FINAL,
        "errors": errors,
        "more_errors": max(0, len(job.errors) - ERRORS_SHOWN),
        "result": import_job_result(job=job),
        "summary": job.summary or {},
    }


@login_required
@renders_service_errors
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "registry/import_job.html", _job_context(request, pk))


@login_required
@require_POST
@renders_service_errors
def import_job_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The uploader saw the counts and writes the list (checked again as it is written)."""
    job = import_job_get(actor=request.user, pk=pk)
    if import_job_confirm(actor=request.user, job=job):
        _start(job)
    return redirect("registry_import:job", pk=job.pk)


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    """An empty list with the headers in the reader's language and one example row."""
    if not can_anywhere(request.user, Perm.REGISTRY_IMPORT):
        raise Http404
    template = households_template(language=get_language())
    response = HttpResponse(template.content, content_type=template.content_type)
    response["Content-Disposition"] = f'attachment; filename="{template.file_name}"'
    return response


@login_required
@renders_service_errors
def import_job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "registry/partials/import_progress.html", _job_context(request, pk))


def _export_areas(actor: Actor) -> list[Area]:
    qs = scoped(Area.objects.all(), actor, Perm.REGISTRY_EXPORT).exclude(level=AreaLevel.GRID)
    areas = list(qs.order_by("path")[:AREA_CHOICES_MAX])
    roots = scope_for(actor).grant(Perm.REGISTRY_EXPORT).area_paths
    areas += list(Area.objects.filter(path__in=roots, level=AreaLevel.GRID))
    return sorted(areas, key=lambda a: a.path)


@login_required
@require_http_methods(["GET", "POST"])
def export_page(request: HttpRequest) -> HttpResponse:
    areas = _export_areas(request.user)
    form = ExportForm(request.POST or None, areas=areas)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                export = households_export(
                    actor=request.user,
                    area_code=data["area"],
                    fmt=data["format"],
                    reveal=data["reveal"],
                    purpose=data["purpose"],
                    language=get_language(),
                )
            except ServiceError as exc:
                for field, messages in exc.fields.items():
                    if field in form.fields:
                        for message in messages:
                            form.add_error(field, str(message))
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                response = HttpResponse(export.content, content_type=export.content_type)
                response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
                return response
        else:
            status = 400
    return render(
        request,
        "registry/export_page.html",
        {"form": form, "may_reveal": export_may_reveal(actor=request.user)},
        status=status,
    )
