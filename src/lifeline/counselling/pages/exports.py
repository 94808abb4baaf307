"""The supervisor's export page: contact counts per day, workplace or area, topic and risk
as CSV or XLSX. A GET shows the choice; the download is a POST, since every export is
recorded in the audit log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import get_language, gettext_lazy
from django.views.decorators.http import require_http_methods

from lifeline.core.errors import NotFound, ServiceError
from lifeline.counselling import exports
from lifeline.web.errors import renders_service_errors


class CountsExportForm(forms.Form):
    since = forms.DateField(
        label=gettext_lazy("First day"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    until = forms.DateField(
        label=gettext_lazy("Last day"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    by = forms.ChoiceField(
        choices=[("enterprise", gettext_lazy("By workplace")), ("area", gettext_lazy("By area"))],
        label=gettext_lazy("Count by"),
    )
    format = forms.ChoiceField(
        choices=[("csv", "CSV"), ("xlsx", "XLSX (Excel)")], label=gettext_lazy("Format")
    )


def _page(request: HttpRequest, form: forms.Form, status: int) -> HttpResponse:
    return render(request, "counselling/export.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@renders_service_errors
def counts(request: HttpRequest) -> HttpResponse:
    actor = request.user
    if not exports.may_export(actor=actor):
        raise NotFound()
    since, until = exports.period(None, None)
    initial: dict[str, Any] = {"since": since, "until": until, "by": "enterprise", "format": "xlsx"}
    form = CountsExportForm(request.POST or None, initial=initial)
    if request.method != "POST":
        return _page(request, form, 200)
    if not form.is_valid():
        return _page(request, form, 400)
    data = form.cleaned_data
    try:
        export = exports.contacts_export(
            actor=actor,
            since=data["since"],
            until=data["until"],
            by=data["by"],
            fmt=data["format"],
            language=get_language() or "zh-hans",
        )
    except ServiceError as error:
        for field, messages in error.fields.items():
            for message in messages:
                form.add_error(field if field in form.fields else None, str(message))
        if not error.fields:
            form.add_error(None, str(error.message))
        return _page(request, form, error.status)
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    return response


urlpatterns = [path("supervisor/export/", counts, name="export_counts")]
