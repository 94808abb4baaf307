"""The export pages: the register (with the search's filters) and an interruption's list
of those affected, as CSV or XLSX. A GET shows the choice; the download is a POST, since
every export is written to the audit log."""

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

from lifeline.keyusers import exports, selectors
from lifeline.keyusers.models import KeyUserKind
from lifeline.keyusers.pages.register import require_view
from lifeline.web.errors import renders_service_errors

FORMAT_CHOICES = [("xlsx", "XLSX (Excel)"), ("csv", "CSV")]


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=FORMAT_CHOICES, label=gettext_lazy("Format"))


class RegisterExportForm(ExportForm):
    q = forms.CharField(max_length=100, required=False, label=gettext_lazy("Search"))
    kind = forms.ChoiceField(
        choices=[("", gettext_lazy("All kinds")), *KeyUserKind.choices],
        required=False,
        label=gettext_lazy("Kind"),
    )
    field_order = ["q", "kind", "format"]


def _download(export: exports.ExportFile) -> HttpResponse:
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    return response


def _page(request: HttpRequest, form: forms.Form, context: dict[str, Any], status: int) -> Any:
    return render(request, "keyusers/export.html", {"form": form, **context}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@renders_service_errors
def register(request: HttpRequest) -> HttpResponse:
    require_view(request)
    initial = {
        "format": "xlsx",
        "q": request.GET.get("q", "")[:100],
        "kind": request.GET.get("kind", "")
        if request.GET.get("kind") in KeyUserKind.values
        else "",
    }
    form = RegisterExportForm(request.POST or None, initial=initial)
    context = {"title": _("Export the register"), "interruption": None}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        export = exports.register_export(
            actor=request.user,
            q=data["q"].strip(),
            kind=data["kind"],
            fmt=data["format"],
            language=get_language() or "zh-hans",
        )
        return _download(export)
    return _page(request, form, context, 400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
@renders_service_errors
def affected(request: HttpRequest, pk: int) -> HttpResponse:
    require_view(request)
    interruption = selectors.interruption_get(actor=request.user, pk=pk)
    form = ExportForm(request.POST or None, initial={"format": "xlsx"})
    context = {"title": _("Export those affected"), "interruption": interruption}
    if request.method == "POST" and form.is_valid():
        export = exports.affected_export(
            actor=request.user,
            interruption=interruption,
            fmt=form.cleaned_data["format"],
            language=get_language() or "zh-hans",
        )
        return _download(export)
    return _page(request, form, context, 400 if request.method == "POST" else 200)


urlpatterns = [
    path("export/", register, name="export_register"),
    path("interruptions/<int:pk>/export/", affected, name="export_affected"),
]
