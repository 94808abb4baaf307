"""Daily report pages: an area's reports (and those of the areas below it) with a form to
open the report of a day, the report itself (narrative, sign-off), its printable page
and its PDF and XLSX. What is shown comes from the stored content, never live counters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can, require
from lifeline.command import selectors, services
from lifeline.command.document import document_of, section_titles
from lifeline.command.models import DailyReport
from lifeline.command.naming import area_titles
from lifeline.command.pdf import FontMissing
from lifeline.command.report_files import report_file
from lifeline.command.services.reports import SECTION_LIMIT, check_level, verified
from lifeline.core import clock
from lifeline.core.errors import Conflict, ServiceError
from lifeline.core.safetext import SafeCharField
from lifeline.registry.models import Area
from lifeline.web.errors import renders_service_errors
from lifeline.web.pages import form_page

LISTED = 60


class DayForm(forms.Form):
    day = forms.DateField(
        label=gettext_lazy("Day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


def report_area(actor: Any, pk: int) -> Area:
    """The city or district ``pk`` whose reports and meetings the actor may see."""
    area = selectors.dashboard_area(actor=actor, pk=pk)
    check_level(area)
    return area


@login_required
@renders_service_errors
def area_reports(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    area = report_area(actor, pk)
    may_report = can(actor, Perm.COMMAND_REPORT, path=area.path)
    if request.method == "POST":
        require(actor, Perm.COMMAND_REPORT, path=area.path)

    def save(data: dict[str, Any]) -> DailyReport:
        return services.report_generate(actor=actor, area=area, day=data["day"])

    def context() -> dict[str, Any]:
        reports = list(selectors.report_list(actor=actor, area=area)[:LISTED])
        titles = area_titles([area.path, *[r.area_path for r in reports]])
        return {
            "area": area,
            "title": titles.get(area.path, area.name),
            "reports": [(r, titles.get(r.area_path, "")) for r in reports],
            "may_report": may_report,
        }

    return form_page(
        request,
        form_class=DayForm,
        template="command/reports.html",
        save=save,
        success_url=lambda report: reverse("command:report", args=[report.pk]),
        initial={"day": clock.today() - dt.timedelta(days=1)},
        context=context,
    )


def _report_context(request: HttpRequest, report: DailyReport) -> dict[str, Any]:
    actor = request.user
    doc = document_of(report)
    may_report = can(actor, Perm.COMMAND_REPORT, path=report.area_path)
    return {
        "report": report,
        "doc": doc,
        "verified": verified(report),
        "may_edit": may_report and not report.is_signed,
        "early": report.taken_at < report.cutoff,
        "area": report.area,
    }


def _report_page(
    request: HttpRequest, report: DailyReport, *, status: int = 200, error: str = ""
) -> HttpResponse:
    context = {**_report_context(request, report), "sign_error": error}
    return render(request, "command/report.html", context, status=status)


@login_required
@renders_service_errors
def report_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _report_page(request, selectors.report_get(actor=request.user, pk=pk))


@login_required
@renders_service_errors
def report_print(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get(actor=request.user, pk=pk)
    return render(request, "command/report_print.html", _report_context(request, report))


@login_required
@require_POST
@renders_service_errors
def report_sign(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get(actor=request.user, pk=pk)
    try:
        services.report_sign(
            actor=request.user,
            report=report,
            expected_hash=request.POST.get("content_hash", "")[:64],
        )
    except ServiceError as error:
        if error.status in (403, 404):
            raise
        return _report_page(request, report, status=error.status, error=str(error.message))
    messages.success(request, _("The report is signed."))
    return redirect("command:report", report.pk)


class SectionsForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, title in section_titles().items():
            self.fields[name] = SafeCharField(
                label=title,
                required=False,
                max_length=SECTION_LIMIT,
                widget=forms.Textarea(attrs={"rows": 6}),
            )


@login_required
@renders_service_errors
def report_sections(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    report = selectors.report_get(actor=actor, pk=pk)
    require(actor, Perm.COMMAND_REPORT, path=report.area_path)
    if report.is_signed:
        raise Conflict(_("The report is signed and can no longer be changed."), code="signed")
    stored = {name: text for name, _title, text in document_of(report).sections}

    def save(data: dict[str, Any]) -> DailyReport:
        sections = {name: data.get(name, "") for name in section_titles()}
        return services.report_sections_save(
            actor=actor, report=report, sections=sections, expected_version=data["version"]
        )

    return form_page(
        request,
        form_class=SectionsForm,
        template="command/report_sections.html",
        save=save,
        success_url=reverse("command:report", args=[report.pk]),
        success_message=_("The narrative is saved."),
        initial={"version": report.version, **stored},
        context=lambda: {"report": report, "doc": document_of(report)},
    )


@login_required
@renders_service_errors
def report_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    report = selectors.report_get(actor=request.user, pk=pk)
    try:
        found = report_file(actor=request.user, report=report, fmt=fmt)
    except FontMissing as error:
        context = {"status": 503, "title": _("Cannot make the PDF"), "message": str(error.message)}
        return render(request, "web/error.html", context, status=503)
    response = HttpResponse(found.content, content_type=found.content_type)
    response["Content-Disposition"] = f'attachment; filename="{found.file_name}"'
    return response
