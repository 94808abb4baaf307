"""Screening policies: list, create, edit, end."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from lifeline.accounts.permissions import Perm
from lifeline.core import clock
from lifeline.core.errors import ServiceError
from lifeline.core.personal import mask_name
from lifeline.core.scoping import scoped
from lifeline.screening import progress
from lifeline.screening.forms import (
    PolicyEndForm,
    PolicyForm,
)
from lifeline.screening.models import Policy
from lifeline.screening.pages.common import (
    PLANNING,
    PLANS,
    form_failed,
    require_anywhere,
    resolve_people,
    screening_page,
)
from lifeline.screening.services.policies_sweep import policy_add, policy_end, policy_update
from lifeline.web.errors import renders_service_errors


def _policy_state(policy: Policy, today: dt.date) -> str:
    if policy.starts_on > today:
        return str(_("Upcoming"))
    if policy.ends_on is not None and policy.ends_on < today:
        return str(_("Ended"))
    return str(_("In force"))


@never_cache
@login_required
@renders_service_errors
def policy_list(request: HttpRequest) -> HttpResponse:
    require_anywhere(request.user, PLANS)
    today = clock.today()
    rows = list(progress.policy_list(actor=request.user)[:300])
    above = list(progress.policies_above(actor=request.user)[:100])
    for policy in [*rows, *above]:
        policy.state = _policy_state(policy, today)  # type: ignore[attr-defined]
    return screening_page(request, "screening/policies.html", {"policies": rows, "above": above})


def _policy_form_data(request: HttpRequest) -> tuple[Any, list[int], list[str]]:
    data = request.POST.copy()
    ids, errors, shown = resolve_people(request.user, data.get("people", ""))
    data["people"] = shown
    return data, ids, errors


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@renders_service_errors
def policy_new(request: HttpRequest) -> HttpResponse:
    require_anywhere(request.user, PLANNING)
    status = 200
    if request.method != "POST":
        form = PolicyForm(actor=request.user, initial={"starts_on": clock.today()})
        return screening_page(request, "screening/policy_form.html", {"form": form})
    data, person_ids, errors = _policy_form_data(request)
    form = PolicyForm(data, actor=request.user)
    valid = form.is_valid()
    for error in errors:
        form.add_error("people", error)
    if valid and not errors:
        c = form.cleaned_data
        try:
            policy = policy_add(
                actor=request.user,
                area_id=c["area"],
                name=c["name"],
                starts_on=c["starts_on"],
                ends_on=c["ends_on"],
                required_tests=c["required_tests"],
                window_days=c["window_days"],
                audience=c["audience"],
                person_ids=person_ids,
                enterprise_ids=c["enterprises"],
            )
        except ServiceError as error:
            status = form_failed(form, error)
        else:
            messages.success(request, _("Policy saved."))
            return redirect("screening:policy_edit", pk=policy.pk)
    else:
        status = 400
    return screening_page(request, "screening/policy_form.html", {"form": form}, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@renders_service_errors
def policy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    policy = progress.policy_get(actor=request.user, policy_id=pk)
    status = 200
    if request.method == "POST":
        data, person_ids, errors = _policy_form_data(request)
        form = PolicyForm(data, actor=request.user, editing=True)
        valid = form.is_valid()
        for error in errors:
            form.add_error("people", error)
        if valid and not errors:
            c = form.cleaned_data
            try:
                policy_update(
                    actor=request.user,
                    policy_id=policy.pk,
                    name=c["name"],
                    starts_on=c["starts_on"],
                    ends_on=c["ends_on"],
                    required_tests=c["required_tests"],
                    window_days=c["window_days"],
                    audience=c["audience"],
                    person_ids=person_ids,
                    enterprise_ids=c["enterprises"],
                )
            except ServiceError as error:
                status = form_failed(form, error)
            else:
                messages.success(request, _("Policy saved."))
                return redirect("screening:policy_edit", pk=policy.pk)
        else:
            status = 400
    else:
        # The people the editor plans for: those outside stay listed (``policy_update``).
        listed = scoped(policy.people.all(), request.user, PLANNING).order_by("pk")
        form = PolicyForm(
            actor=request.user,
            editing=True,
            initial={
                "name": policy.name,
                "starts_on": policy.starts_on,
                "ends_on": policy.ends_on,
                "required_tests": policy.required_tests,
                "window_days": policy.window_days,
                "audience": policy.audience,
                "people": "\n".join(f"P{pk}" for pk in listed.values_list("pk", flat=True)),
                "enterprises": list(policy.enterprises.values_list("pk", flat=True)),
            },
        )
    shown = scoped(policy.people.all(), request.user, Perm.SCREENING_VIEW).order_by("pk")
    context = {
        "form": form,
        "policy": policy,
        "state": _policy_state(policy, clock.today()),
        "end_form": PolicyEndForm(initial={"last_day": clock.today()}),
        "listed": [(p.pk, mask_name(p.name)) for p in shown[:200]],
    }
    return screening_page(request, "screening/policy_form.html", context, status=status)


@login_required
@require_POST
@renders_service_errors
def policy_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    policy = progress.policy_get(actor=request.user, policy_id=pk)
    form = PolicyEndForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            policy_end(
                actor=request.user, policy_id=policy.pk, last_day=form.cleaned_data["last_day"]
            )
        except ServiceError as error:
            status = form_failed(form, error)
        else:
            messages.success(request, _("Policy ended."))
            return redirect("screening:policy_edit", pk=policy.pk)
    context = {"policy": policy, "end_form": form, "state": _policy_state(policy, clock.today())}
    return screening_page(request, "screening/policy_end.html", context, status=status)


# Rounds
