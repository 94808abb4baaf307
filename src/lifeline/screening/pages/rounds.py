"""Screening rounds: list, create, edit."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from lifeline.core import clock
from lifeline.screening import selectors
from lifeline.screening.forms import RoundForm
from lifeline.screening.models import Round
from lifeline.screening.pages.common import (
    PLANNING,
    PLANS,
    plan_form_page,
    require_anywhere,
    screening_page,
)
from lifeline.screening.services import round_create, round_update
from lifeline.web.errors import renders_service_errors


@never_cache
@login_required
@renders_service_errors
def round_list(request: HttpRequest) -> HttpResponse:
    require_anywhere(request.user, PLANS)
    rounds = list(selectors.round_list(actor=request.user).order_by("-target_date", "pk")[:50])
    rows = [selectors.round_progress(actor=request.user, rnd=r) for r in rounds]
    return screening_page(request, "screening/rounds.html", {"rows": rows})


def _round_values(c: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": c["name"],
        "starts_on": c["starts_on"],
        "target_date": c["target_date"],
        "policy_id": c["policy"],
    }


def _to_round(rnd: Round) -> str:
    return reverse("screening:round_edit", args=[rnd.pk])


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@renders_service_errors
def round_new(request: HttpRequest) -> HttpResponse:
    require_anywhere(request.user, PLANNING)
    return plan_form_page(
        request,
        form_class=RoundForm,
        form_kwargs={"actor": request.user},
        initial={"starts_on": clock.today(), "target_date": clock.today()},
        template="screening/round_form.html",
        save=lambda c: round_create(actor=request.user, area_id=c["area"], **_round_values(c)),
        success_message=_("Round saved."),
        success_url=_to_round,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@renders_service_errors
def round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = selectors.round_get(actor=request.user, round_id=pk)
    return plan_form_page(
        request,
        form_class=RoundForm,
        form_kwargs={"actor": request.user, "editing": True},
        initial=lambda: {
            "name": rnd.name,
            "starts_on": rnd.starts_on,
            "target_date": rnd.target_date,
            "policy": rnd.policy_id or "",
        },
        template="screening/round_form.html",
        save=lambda c: round_update(actor=request.user, round_id=rnd.pk, **_round_values(c)),
        success_message=_("Round saved."),
        success_url=_to_round,
        context=lambda: {
            "round": rnd,
            "progress": selectors.round_progress(actor=request.user, rnd=rnd, by_child=True),
        },
    )
