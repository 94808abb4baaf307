"""The export pages: the whitelist, and one enterprise's testing compliance, as CSV or
XLSX. A GET shows the choice; the download is a POST, since every export is recorded in
the audit log."""

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

from lifeline.core.errors import NotFound, ServiceError
from lifeline.enterprises import exports, selectors
from lifeline.web.errors import renders_service_errors

FORMAT_CHOICES = [("xlsx", "XLSX (Excel)"), ("csv", "CSV")]


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=FORMAT_CHOICES, label=gettext_lazy("Format"))


def _download(export: exports.ExportFile) -> HttpResponse:
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    return response


def _page(request: HttpRequest, form: forms.Form, context: dict[str, Any], status: int) -> Any:
    return render(request, "enterprises/export.html", {"form": form, **context}, status=status)


def _answer(request: HttpRequest, context: dict[str, Any], make: Any) -> HttpResponse:
    form = ExportForm(request.POST or None, initial={"format": "xlsx"})
    if request.method != "POST":
        return _page(request, form, context, 200)
    if not form.is_valid():
        return _page(request, form, context, 400)
    try:
        export = make(form.cleaned_data["format"], get_language() or "zh-hans")
    except ServiceError as error:
        form.add_error(None, str(error.message))
        return _page(request, form, context, error.status)
    return _download(export)


@login_required
@require_http_methods(["GET", "POST"])
@renders_service_errors
def whitelist(request: HttpRequest) -> HttpResponse:
    actor = request.user
    if not exports.may_export(actor=actor):
        raise NotFound()
    context = {"title": _("Export the whitelist"), "back": reverse("enterprises:home")}
    return _answer(
        request,
        context,
        lambda fmt, language: exports.whitelist_export(actor=actor, fmt=fmt, language=language),
    )


@login_required
@require_http_methods(["GET", "POST"])
@renders_service_errors
def compliance(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    enterprise = selectors.enterprise_get(actor=actor, pk=pk)
    context = {
        "title": _("Export the testing compliance"),
        "enterprise": enterprise,
        "back": reverse("enterprises:enterprise", args=[enterprise.pk]),
    }
    return _answer(
        request,
        context,
        lambda fmt, language: exports.compliance_export(
            actor=actor, enterprise=enterprise, fmt=fmt, language=language
        ),
    )


urlpatterns = [
    path("exports/whitelist/", whitelist, name="export_whitelist"),
    path("<int:pk>/compliance/export/", compliance, name="export_compliance"),
]
