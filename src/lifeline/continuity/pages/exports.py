"""The export pages: the problem list, and one unit's figure history over a period, as
CSV or XLSX. A GET shows the choice; the download is a POST, since every export is
recorded in the audit log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lifeline.continuity import exports, selectors
from lifeline.core.errors import NotFound, ServiceError
from lifeline.web.errors import renders_service_errors

FORMAT_CHOICES = [("xlsx", "XLSX (Excel)"), ("csv", "CSV")]


class ProblemsExportForm(forms.Form):
    format = forms.ChoiceField(choices=FORMAT_CHOICES, label=gettext_lazy("Format"))
    open_only = forms.BooleanField(required=False, label=gettext_lazy("Open problems only"))


class HistoryExportForm(forms.Form):
    since = forms.DateField(
        label=gettext_lazy("First day"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    until = forms.DateField(
        label=gettext_lazy("Last day"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    format = forms.ChoiceField(choices=FORMAT_CHOICES, label=gettext_lazy("Format"))


def _download(export: exports.ExportFile) -> HttpResponse:
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    return response


def _refused(form: forms.Form, error: ServiceError) -> None:
    for field, messages in error.fields.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, str(message))
    if not error.fields:
        form.add_error(None, str(error.message))


def _page(request: HttpRequest, form: forms.Form, context: dict[str, Any], status: int) -> Any:
    return render(request, "continuity/export.html", {"form": form, **context}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@renders_service_errors
def problems(request: HttpRequest) -> HttpResponse:
    actor = request.user
    if not exports.may_export(actor=actor):
        raise NotFound()
    form = ProblemsExportForm(request.POST or None, initial={"format": "xlsx"})
    context = {"title": _("Export the problem list"), "back": reverse("continuity:home")}
    if request.method != "POST":
        return _page(request, form, context, 200)
    if form.is_valid():
        try:
            export = exports.problems_export(
                actor=actor,
                fmt=form.cleaned_data["format"],
                open_only=form.cleaned_data["open_only"],
                language=get_language() or "zh-hans",
            )
        except ServiceError as error:
            _refused(form, error)
            return _page(request, form, context, error.status)
        return _download(export)
    return _page(request, form, context, 400)


@login_required
@require_http_methods(["GET", "POST"])
@renders_service_errors
def history(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    unit = selectors.lifeline_unit_get(actor=actor, unit_id=pk)
    since, until = exports.period(None, None)
    form = HistoryExportForm(
        request.POST or None, initial={"since": since, "until": until, "format": "xlsx"}
    )
    context = {
        "title": _("Export the figure history"),
        "unit": unit,
        "back": reverse("continuity:unit", args=[unit.pk]),
    }
    if request.method != "POST":
        return _page(request, form, context, 200)
    if form.is_valid():
        data = form.cleaned_data
        try:
            export = exports.history_export(
                actor=actor,
                lifeline_unit=unit,
                since=data["since"],
                until=data["until"],
                fmt=data["format"],
                language=get_language() or "zh-hans",
            )
        except ServiceError as error:
            _refused(form, error)
            return _page(request, form, context, error.status)
        return _download(export)
    return _page(request, form, context, 400)


urlpatterns = [
    path("exports/problems/", problems, name="export_problems"),
    path("units/<int:pk>/history/export/", history, name="export_history"),
]
