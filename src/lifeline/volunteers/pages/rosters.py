"""The coordinator's rosters: ask the solver for an area's week, follow it, read the
proposal by day and post with its gaps and their reasons and the hours of each volunteer,
edit it line by line, publish or discard it; and the coverage of a day by post and hour."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can, can_anywhere
from lifeline.core import clock
from lifeline.core.errors import NotFound, ServiceError
from lifeline.registry.models import Area
from lifeline.volunteers import selectors
from lifeline.volunteers.models import Roster, RosterStatus, Skill
from lifeline.volunteers.services import rosters as service
from lifeline.web.errors import error_text, renders_service_errors
from lifeline.web.htmx import is_htmx
from lifeline.web.pages import form_page

WORKING = (RosterStatus.QUEUED, RosterStatus.RUNNING, RosterStatus.PUBLISHING)


def _require_view(request: HttpRequest) -> None:
    if not can_anywhere(request.user, (Perm.VOLUNTEERS_VIEW, Perm.VOLUNTEERS_MANAGE)):
        raise NotFound()


class RosterForm(forms.Form):
    area = forms.ModelChoiceField(queryset=Area.objects.none(), label=gettext_lazy("Area"))
    starts_on = forms.DateField(
        label=gettext_lazy("First day"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    days = forms.IntegerField(
        min_value=1, max_value=service.MAX_DAYS, label=gettext_lazy("Number of days")
    )
    time_limit = forms.IntegerField(
        min_value=1, max_value=120, label=gettext_lazy("Solver's time (seconds)")
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["area"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = selectors.manage_areas(actor=actor)


@login_required
@renders_service_errors
def roster_list(request: HttpRequest) -> HttpResponse:
    """The rosters asked for, newest first, and the form to ask for one."""
    _require_view(request)
    actor = request.user
    may_manage = can_anywhere(actor, Perm.VOLUNTEERS_MANAGE)
    if request.method == "POST" and not may_manage:
        raise NotFound()

    def save(data: dict[str, Any]) -> Roster:
        return service.roster_request(
            actor=actor,
            area=data["area"],
            starts_on=data["starts_on"],
            days=data["days"],
            time_limit=data["time_limit"],
        )

    monday = timezone.localdate(clock.now()) + dt.timedelta(days=1)
    return form_page(
        request,
        form_class=RosterForm,
        form_kwargs={"actor": actor},
        template="volunteers/rosters.html",
        save=save,
        success_url=lambda roster: reverse("volunteers:roster", args=[roster.pk]),
        success_message=_("The solver is making the roster."),
        initial={"starts_on": monday, "days": 7, "time_limit": 30},
        context=lambda: {
            "rosters": selectors.roster_list(actor=actor)[:30],
            "may_manage": may_manage,
        },
    )


def _lines(roster: Roster, request: HttpRequest) -> dict[str, Any]:
    """The roster by day and shift: who is on it, how many are missing and why."""
    pairs = [tuple(pair) for pair in roster.assignments]
    shifts = selectors.shifts_by_id(
        actor=request.user,
        ids=list({s for s, _v in pairs} | {g["shift"] for g in roster.gaps}),
    )
    shifts |= {s.pk: s for s in service.roster_shifts(roster) if s.pk not in shifts}
    people = selectors.volunteers_named(actor=request.user, ids=[v for _s, v in pairs])
    on: dict[int, list[Any]] = defaultdict(list)
    minutes: dict[int, int] = defaultdict(int)
    for shift_id, person_id in pairs:
        if shift_id in shifts and person_id in people:
            on[shift_id].append(people[person_id])
            minutes[person_id] += shifts[shift_id].minutes
    gaps: dict[int, list[str]] = defaultdict(list)
    skills = dict(Skill.choices)
    for gap in roster.gaps:
        reason = str(service.GAP_REASONS.get(gap["reason"], gap["reason"]))
        if gap.get("skill"):
            reason = f"{reason} ({skills.get(gap['skill'], '')})"
        gaps[gap["shift"]].append(
            _("%(count)d missing: %(reason)s") % {"count": gap["missing"], "reason": reason}
        )
    days: dict[dt.date, list[dict[str, Any]]] = defaultdict(list)
    for shift in sorted(shifts.values(), key=lambda s: (s.starts_at, s.post.name)):
        people_on = sorted(on.get(shift.pk, []), key=lambda v: v.name)
        row = {"shift": shift, "people": people_on, "gaps": gaps.get(shift.pk, [])}
        days[timezone.localtime(shift.starts_at).date()].append(row)
    hours = sorted(
        ((people[pid], round(m / 60, 1)) for pid, m in minutes.items()),
        key=lambda item: (-item[1], item[0].name),
    )
    return {
        "days": sorted(days.items()),
        "hours": hours,
        "shift_choices": sorted(shifts.values(), key=lambda s: (s.starts_at, s.post.name)),
        "people_choices": sorted(
            selectors.volunteer_list(actor=request.user, status="active").filter(
                area_path__startswith=roster.area_path
            )[:1000],
            key=lambda v: v.name,
        ),
    }


@login_required
@renders_service_errors
def roster_page(request: HttpRequest, pk: int) -> HttpResponse:
    _require_view(request)
    roster = selectors.roster_get(actor=request.user, pk=pk)
    context: dict[str, Any] = {
        "roster": roster,
        "working": roster.status in WORKING,
        "may_edit": roster.status == RosterStatus.PROPOSED
        and can(request.user, Perm.VOLUNTEERS_MANAGE, path=roster.area_path),
        "figures": roster.figures,
    }
    if roster.status in (RosterStatus.PROPOSED, RosterStatus.PUBLISHED, RosterStatus.PUBLISHING):
        context |= _lines(roster, request)
    return render(request, "volunteers/roster.html", context)


@login_required
@renders_service_errors
def roster_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The waiting fragment; the page is reloaded once the worker is done."""
    _require_view(request)
    roster = selectors.roster_get(actor=request.user, pk=pk)
    response = render(request, "volunteers/partials/roster_progress.html", {"roster": roster})
    if is_htmx(request) and roster.status not in WORKING:
        response["HX-Refresh"] = "true"
    return response


def _pair(request: HttpRequest) -> list[list[str]]:
    return [[request.POST.get("shift", "")[:12], request.POST.get("volunteer", "")[:12]]]


@login_required
@require_POST
@renders_service_errors
def roster_change(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Add or remove a line, publish or discard: each refused with the reason, on the page."""
    roster = selectors.roster_get(actor=request.user, pk=pk)
    actor = request.user
    done = {
        "add": _("Added to the roster."),
        "remove": _("Taken off the roster."),
        "publish": _("The roster is being published: everyone on it is booked and told."),
        "discard": _("The roster is discarded."),
    }
    try:
        if action == "add":
            service.roster_edit(actor=actor, roster=roster, add=_pair(request))
        elif action == "remove":
            service.roster_edit(actor=actor, roster=roster, remove=_pair(request))
        elif action == "publish":
            service.roster_publish(actor=actor, roster=roster)
        elif action == "discard":
            service.roster_discard(actor=actor, roster=roster)
        else:
            raise NotFound()
        messages.success(request, done[action])
    except NotFound:
        raise
    except ServiceError as error:
        messages.error(request, error_text(error, field_names=False))
    return redirect("volunteers:roster", pk=roster.pk)


def _day_of(request: HttpRequest) -> dt.date:
    today = timezone.localdate(clock.now())
    try:
        day = dt.date.fromisoformat(request.GET.get("day", "")[:10])
    except ValueError:
        return today
    return day if abs((day - today).days) <= 366 else today


@login_required
@renders_service_errors
def coverage(request: HttpRequest) -> HttpResponse:
    """A day's shifts by post and hour: on duty against needed, hour by hour."""
    _require_view(request)
    day = _day_of(request)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time()))
    end = start + dt.timedelta(days=1)
    shifts = selectors.shift_list(actor=request.user, since=start, until=end)[:2000]
    posts: dict[int, dict[str, Any]] = {}
    for shift in shifts:
        row = posts.setdefault(
            shift.post_id,
            {"post": shift.post, "hours": [[0, 0] for _h in range(24)]},
        )
        for hour in range(24):
            begins = start + dt.timedelta(hours=hour)
            if shift.starts_at < begins + dt.timedelta(hours=1) and begins < shift.ends_at:
                row["hours"][hour][0] += shift.confirmed
                row["hours"][hour][1] += shift.capacity
    rows = []
    for row in sorted(posts.values(), key=lambda r: r["post"].name):
        cells = [
            {
                "on": on,
                "need": need,
                "state": "none" if not need else "ok" if on >= need else "short",
            }
            for on, need in row["hours"]
        ]
        rows.append({"post": row["post"], "cells": cells})
    context = {
        "day": day,
        "previous": day - dt.timedelta(days=1),
        "next": day + dt.timedelta(days=1),
        "hours": range(24),
        "rows": rows,
    }
    return render(request, "volunteers/coverage.html", context)


urlpatterns = [
    path("rosters/", roster_list, name="rosters"),
    path("rosters/<int:pk>/", roster_page, name="roster"),
    path("rosters/<int:pk>/progress/", roster_progress, name="roster_progress"),
    path("rosters/<int:pk>/<str:action>/", roster_change, name="roster_change"),
    path("coverage/", coverage, name="coverage"),
]
