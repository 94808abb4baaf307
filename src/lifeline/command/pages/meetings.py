"""The review meeting page of the city or a district: the meeting of a day (who came,
what was said), its actions with their work orders' live status, the form to add one
(it becomes a work order filed to its owner unit), and the last meetings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can, require
from lifeline.command import selectors, services
from lifeline.command.models import ReviewMeeting
from lifeline.command.naming import area_title
from lifeline.command.pages.dashboard import chosen_day
from lifeline.command.pages.reports import report_area
from lifeline.command.services.meetings import NOTES_LIMIT, TEXT_LIMIT, owner_units
from lifeline.core import clock
from lifeline.core.errors import ServiceError
from lifeline.core.safetext import SafeCharField
from lifeline.registry.models import Area
from lifeline.web.errors import renders_service_errors
from lifeline.web.pages import apply_service_error
from lifeline.workorders.models import SETTLED_STATUSES

LOCAL_INPUT = "%Y-%m-%dT%H:%M"
RECENT = 14


class MeetingForm(forms.Form):
    day = forms.DateField(widget=forms.HiddenInput)
    attendees = SafeCharField(
        label=gettext_lazy("Attendees"),
        required=False,
        max_length=NOTES_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    notes = SafeCharField(
        label=gettext_lazy("Notes"),
        required=False,
        max_length=NOTES_LIMIT,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class ActionForm(forms.Form):
    text = SafeCharField(label=gettext_lazy("Action"), max_length=TEXT_LIMIT)
    owner_id = forms.TypedChoiceField(label=gettext_lazy("Owner"), coerce=int)
    due_at = forms.DateTimeField(
        label=gettext_lazy("Due"),
        input_formats=[LOCAL_INPUT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT),
    )

    def __init__(self, *args: Any, area: Area, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["owner_id"]
        field.choices = [(u.pk, u.name) for u in owner_units(area)[:500]]


def _url(area: Area, day: dt.date) -> str:
    return reverse("command:meetings", args=[area.pk]) + "?" + urlencode({"day": day.isoformat()})


def _page(
    request: HttpRequest,
    area: Area,
    day: dt.date,
    *,
    meeting_form: MeetingForm | None = None,
    action_form: ActionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = request.user
    meeting = selectors.meeting_of(actor=actor, area=area, day=day)
    actions = selectors.meeting_actions(meeting=meeting) if meeting else []
    orders = selectors.action_orders(actor=actor, actions=actions)
    now = clock.now()
    rows = []
    for action in actions:
        order = orders.get(action.work_order_id)
        settled = order is not None and order.status in SETTLED_STATUSES
        rows.append(
            {
                "action": action,
                "order": order,
                "status": order.get_status_display() if order else "–",
                "late": action.due_at < now and not settled,
            }
        )
    initial: dict[str, Any] = {"day": day.isoformat()}
    if meeting is not None:
        initial.update(attendees=meeting.attendees, notes=meeting.notes)
    context = {
        "area": area,
        "title": area_title(area),
        "day": day,
        "today": clock.today(),
        "meeting": meeting,
        "actions": rows,
        "recent": list(selectors.meeting_list(actor=actor, area=area).filter(area=area)[:RECENT]),
        "may_report": can(actor, Perm.COMMAND_REPORT, path=area.path),
        "meeting_form": meeting_form or MeetingForm(initial=initial),
        "action_form": action_form or ActionForm(area=area),
    }
    return render(request, "command/meetings.html", context, status=status)


@login_required
@renders_service_errors
def area_meetings(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    area = report_area(actor, pk)
    day = chosen_day(request.GET.get("day"))
    if request.method != "POST":
        return _page(request, area, day)
    require(actor, Perm.COMMAND_REPORT, path=area.path)
    form = MeetingForm(request.POST)
    if not form.is_valid():
        return _page(request, area, day, meeting_form=form, status=400)
    data = dict(form.cleaned_data)
    day = data.pop("day")
    meeting = selectors.meeting_of(actor=actor, area=area, day=day)
    try:
        if meeting is None:
            services.meeting_create(actor=actor, area=area, day=day, **data)
        else:
            services.meeting_update(actor=actor, meeting=meeting, **data)
    except ServiceError as error:
        apply_service_error(form, error)
        return _page(request, area, day, meeting_form=form, status=error.status)
    messages.success(request, _("The meeting is recorded."))
    return redirect(_url(area, day))


@login_required
@require_POST
@renders_service_errors
def meeting_action_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    meeting: ReviewMeeting = selectors.meeting_get(actor=actor, pk=pk)
    require(actor, Perm.COMMAND_REPORT, path=meeting.area_path)
    area = meeting.area
    form = ActionForm(request.POST, area=area)
    if form.is_valid():
        try:
            services.review_action_add(actor=actor, meeting=meeting, **form.cleaned_data)
        except ServiceError as error:
            apply_service_error(form, error)
            return _page(request, area, meeting.day, action_form=form, status=error.status)
        messages.success(request, _("The action is filed with its owner as a work order."))
        return redirect(_url(area, meeting.day))
    return _page(request, area, meeting.day, action_form=form, status=400)
