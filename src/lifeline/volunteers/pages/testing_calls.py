"""Calls for a testing session: the sampling sessions planned in the coordinator's areas,
each with a head count to ask for; the call opens on the site's sampling post and its
link is shared from the shift's page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can_anywhere
from lifeline.core.errors import NotFound, ServiceError
from lifeline.volunteers.models import Skill
from lifeline.volunteers.services.testing_calls import call_for_session, testing_sessions
from lifeline.web.errors import error_text, renders_service_errors


@login_required
@renders_service_errors
def testing_calls(request: HttpRequest) -> HttpResponse:
    actor = request.user
    if not can_anywhere(actor, Perm.VOLUNTEERS_MANAGE):
        raise NotFound()
    if request.method == "POST":
        skills = [Skill.SAMPLER] if request.POST.get("sampler") else []
        try:
            shift, made = call_for_session(
                actor=actor,
                session_id=request.POST.get("session", "")[:12],
                capacity=request.POST.get("capacity", "")[:6],
                skills=skills,
            )
        except ServiceError as error:
            messages.error(request, error_text(error, field_names=False))
            return redirect("volunteers:testing_calls")
        if made:
            messages.success(request, _("The list is open."))
        else:
            messages.info(request, _("This session already has a call: here it is."))
        return redirect("volunteers:shift", pk=shift.pk)
    context = {"sessions": testing_sessions(actor=actor)}
    return render(request, "volunteers/testing_calls.html", context)


urlpatterns = [path("calls/testing/", testing_calls, name="testing_calls")]
