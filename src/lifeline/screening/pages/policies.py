"""Screening policies: list, create, edit, end."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import scoped
from lifeline.core import clock
from lifeline.core.errors import ServiceError
from lifeline.core.personal import mask_name
from lifeline.screening import selectors
from lifeline.screening.forms import (
    PolicyEndForm,
    PolicyForm,
)
from lifeline.screening.models import Policy
from lifeline.screening.pages.common import (
    PLANNING,
    PLANS,
    form_failed,
    plan_form_page,
    require_anywhere,
    resolve_people,
    screening_page,
)
from lifeline.screening.services import policy_create, policy_end, policy_update
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
    rows = list(selectors.policy_list(actor=request.user)[:300])
    above = list(selectors.policies_above(actor=request.user)[:100])
    for policy in [*rows, *above]:
        policy.state = _policy_state(policy, today)  # type: ignore[attr-defined]
    return screening_page(request, "screening/policies.html", {"policies": rows, "above": above})


def _posted_people(request: HttpRequest) -> tuple[Any, list[int], dict[str, list[str]]]:
    """The posted form with its list of people resolved: the data the form reads (found
    people as their ``P`` codes), their ids, and the lines not found."""
    if request.method != "POST":
        return None, [], {}
    data = request.POST.copy()
    ids, errors, shown = resolve_people(request.user, data.get("people", ""))
    data["people"] = shown
    return data, ids, {"people": errors}


def _policy_values(c: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": c["name"],
        "starts_on": c["starts_on"],
        "ends_on": c["ends_on"],
        "required_tests": c["required_tests"],
        "window_days": c["window_days"],
        "audience": c["audience"],
        "enterprise_ids": c["enterprises"],
    }


def _to_policy(policy: Policy) -> str:
    return reverse("screening:policy_edit", args=[policy.pk])


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@renders_service_errors
def policy_new(request: HttpRequest) -> HttpResponse:
    require_anywhere(request.user, PLANNING)
    data, person_ids, errors = _posted_people(request)
    return plan_form_page(
        request,
        form_class=PolicyForm,
        form_kwargs={"actor": request.user},
        initial={"starts_on": clock.today()},
        data=data,
        field_errors=errors,
        template="screening/policy_form.html",
        save=lambda c: policy_create(
            actor=request.user, area_id=c["area"], person_ids=person_ids, **_policy_values(c)
        ),
        success_message=_("Policy saved."),
        success_url=_to_policy,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@renders_service_errors
def policy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    policy = selectors.policy_get(actor=request.user, policy_id=pk)
    data, person_ids, errors = _posted_people(request)

    def initial() -> dict[str, Any]:
        # The people the editor plans for: those outside stay listed (``policy_update``).
        listed = scoped(policy.people.all(), request.user, PLANNING).order_by("pk")
        return {
            "name": policy.name,
            "starts_on": policy.starts_on,
            "ends_on": policy.ends_on,
            "required_tests": policy.required_tests,
            "window_days": policy.window_days,
            "audience": policy.audience,
            "people": "\n".join(f"P{pk}" for pk in listed.values_list("pk", flat=True)),
            "enterprises": list(policy.enterprises.values_list("pk", flat=True)),
        }

    def context() -> dict[str, Any]:
        shown = scoped(policy.people.all(), request.user, Perm.SCREENING_VIEW).order_by("pk")
        return {
            "policy": policy,
            "state": _policy_state(policy, clock.today()),
            "end_form": PolicyEndForm(initial={"last_day": clock.today()}),
            "listed": [(p.pk, mask_name(p.name)) for p in shown[:200]],
        }

    return plan_form_page(
        request,
        form_class=PolicyForm,
        form_kwargs={"actor": request.user, "editing": True},
        initial=initial,
        data=data,
        field_errors=errors,
        template="screening/policy_form.html",
        save=lambda c: policy_update(
            actor=request.user, policy_id=policy.pk, person_ids=person_ids, **_policy_values(c)
        ),
        success_message=_("Policy saved."),
        success_url=_to_policy,
        context=context,
    )


@login_required
@require_POST
@renders_service_errors
def policy_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    policy = selectors.policy_get(actor=request.user, policy_id=pk)
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
