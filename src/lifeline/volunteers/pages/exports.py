"""The coordinator's export pages: each volunteer's hours over a period, and a shift's
roll, as CSV or XLSX. A GET shows the choice; the download is a POST, since every export
is recorded in the audit log. The lead mounts ``urlpatterns`` in ``volunteers.urls``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lifeline.core.errors import NotFound, ServiceError
from lifeline.volunteers import exports, selectors
from lifeline.web.errors import renders_service_errors

FORMAT_CHOICES = [("csv", "CSV"), ("xlsx", "XLSX (Excel)")]


class RollExportForm(forms.Form):
    format = forms.ChoiceField(choices=FORMAT_CHOICES, label=gettext_lazy("Format"))


class HoursExportForm(RollExportForm):
    since = forms.DateField(
        label=gettext_lazy("First day"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    until = forms.DateField(
        label=gettext_lazy("Last day"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    field_order = ["since", "until", "format"]


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
    return render(request, "volunteers/export.html", {"form": form, **context}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@renders_service_errors
def hours(request: HttpRequest) -> HttpResponse:
    """Each volunteer's shifts worked, minutes credited and no-shows over a period."""
    actor = request.user
    if not exports.may_export(actor=actor):
        raise NotFound()
    since, until = exports.period(None, None)
    form = HoursExportForm(
        request.POST or None, initial={"since": since, "until": until, "format": "xlsx"}
    )
    context = {"title": _("Volunteer hours"), "shift": None}
    if request.method != "POST":
        return _page(request, form, context, 200)
    if form.is_valid():
        data = form.cleaned_data
        try:
            export = exports.hours_export(
                actor=actor,
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


@login_required
@require_http_methods(["GET", "POST"])
@renders_service_errors
def roll(request: HttpRequest, pk: int) -> HttpResponse:
    """One shift's roll: who is on it and who waits, with check-in and check-out times."""
    actor = request.user
    shift = selectors.shift_get(actor=actor, pk=pk)
    form = RollExportForm(request.POST or None, initial={"format": "xlsx"})
    context = {"title": _("Export the roll"), "shift": shift}
    if request.method == "POST" and form.is_valid():
        export = exports.roll_export(
            actor=actor,
            shift=shift,
            fmt=form.cleaned_data["format"],
            language=get_language() or "zh-hans",
        )
        return _download(export)
    return _page(request, form, context, 400 if request.method == "POST" else 200)


urlpatterns = [
    path("exports/hours/", hours, name="export_hours"),
    path("shifts/<int:pk>/roll/export/", roll, name="export_roll"),
]
