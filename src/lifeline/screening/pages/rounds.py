"""Screening rounds: list, create, edit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from lifeline.core import clock
from lifeline.core.errors import ServiceError
from lifeline.screening import progress
from lifeline.screening.forms import (
    RoundForm,
)
from lifeline.screening.pages.common import (
    PLANNING,
    PLANS,
    form_failed,
    require_anywhere,
    screening_page,
)
from lifeline.screening.services import (
    round_create,
)
from lifeline.screening.services.plans_edit import (
    round_update,
)
from lifeline.web.errors import renders_service_errors


@never_cache
@login_required
@renders_service_errors
def round_list(request: HttpRequest) -> HttpResponse:
    require_anywhere(request.user, PLANS)
    rounds = list(progress.round_list(actor=request.user).order_by("-target_date", "pk")[:50])
    rows = [progress.round_progress(actor=request.user, rnd=r) for r in rounds]
    return screening_page(request, "screening/rounds.html", {"rows": rows})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@renders_service_errors
def round_new(request: HttpRequest) -> HttpResponse:
    require_anywhere(request.user, PLANNING)
    form = RoundForm(request.POST or None, actor=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            c = form.cleaned_data
            try:
                rnd = round_create(
                    actor=request.user,
                    area_id=c["area"],
                    name=c["name"],
                    starts_on=c["starts_on"],
                    target_date=c["target_date"],
                    policy_id=c["policy"],
                )
            except ServiceError as error:
                status = form_failed(form, error)
            else:
                messages.success(request, _("Round saved."))
                return redirect("screening:round_edit", pk=rnd.pk)
    elif not form.is_bound:
        form.initial = {"starts_on": clock.today(), "target_date": clock.today()}
    return screening_page(request, "screening/round_form.html", {"form": form}, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@renders_service_errors
def round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = progress.round_get(actor=request.user, round_id=pk)
    status = 200
    if request.method == "POST":
        form = RoundForm(request.POST, actor=request.user, editing=True)
        status = 400
        if form.is_valid():
            c = form.cleaned_data
            try:
                round_update(
                    actor=request.user,
                    round_id=rnd.pk,
                    name=c["name"],
                    starts_on=c["starts_on"],
                    target_date=c["target_date"],
                    policy_id=c["policy"],
                )
            except ServiceError as error:
                status = form_failed(form, error)
            else:
                messages.success(request, _("Round saved."))
                return redirect("screening:round_edit", pk=rnd.pk)
    else:
        form = RoundForm(
            actor=request.user,
            editing=True,
            initial={
                "name": rnd.name,
                "starts_on": rnd.starts_on,
                "target_date": rnd.target_date,
                "policy": rnd.policy_id or "",
            },
        )
    context = {
        "form": form,
        "round": rnd,
        "progress": progress.round_progress(actor=request.user, rnd=rnd, by_child=True),
    }
    return screening_page(request, "screening/round_form.html", context, status=status)


# Sites and sessions
