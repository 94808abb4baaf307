"""Asking for a plan and watching it being made: the form posts a job that the worker
solves (``teams.tasks``); the job page polls its progress fragment with htmx every second
and, once the plan is made, goes to it. Without JavaScript the page reads, with a refresh
link and, when done, a link to the plan."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lifeline.accounts.scoping import scoped
from lifeline.core.dates import parse_day
from lifeline.core.errors import NotFound, ServiceError
from lifeline.core.safetext import refuses_unsafe_text
from lifeline.teams import access, services
from lifeline.teams.models import PlanJob
from lifeline.teams.pages.common import error_text, float_or_none, signed_in
from lifeline.web.htmx import is_htmx


def _day(data: QueryDict) -> dt.date:
    day = parse_day(data.get("day"))
    if day is None:
        raise ServiceError(
            _("Please correct the marked fields."), fields={"day": [_("Give a date.")]}
        )
    return day


@require_POST
@signed_in
@refuses_unsafe_text
def create(request: HttpRequest) -> HttpResponse:
    data = request.POST
    kind, _sep, raw = data.get("target", "").partition(":")
    pk = int(raw) if raw.isdigit() and len(raw) < 12 else None
    try:
        job = services.plan_job_create(
            actor=request.user,
            day=_day(data),
            team_id=pk if kind == "team" else None,
            unit_id=pk if kind == "unit" else None,
            time_limit=float_or_none(data, "time_limit") or services.plans.DEFAULT_TIME_LIMIT,
            help_neighbours=data.get("help_neighbours") == "1",
            language=get_language() or "",
        )
    except ServiceError as error:
        messages.error(request, error_text(error))
        return redirect("teams:home")
    return redirect("teams:job", pk=job.pk)


def _job(request: HttpRequest, pk: int) -> PlanJob:
    access.require_reader(request.user)
    job = (
        scoped(PlanJob.objects.select_related("unit", "team", "plan"), request.user)
        .filter(pk=pk)
        .first()
    )
    if job is None:
        raise NotFound(access.NO_PLAN)
    return job


@signed_in
def job_page(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "teams/job.html", {"job": _job(request, pk)})


@signed_in
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment; once the plan is made, htmx is sent to it."""
    job = _job(request, pk)
    response = render(request, "teams/partials/job_progress.html", {"job": job})
    if is_htmx(request) and job.status == PlanJob.Status.DONE and job.plan_id:
        response["HX-Redirect"] = reverse("teams:plan", args=[job.plan_id])
    return response
