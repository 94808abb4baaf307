"""The dispatcher's pages: teams and plans, one plan (routes, unserved visits, baseline
against optimised), its printable route sheet and its map. Every button posts to ``act``,
which calls the service of that step with the version the page was rendered at."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import scope_for, scoped
from lifeline.core import clock
from lifeline.core.actors import Actor
from lifeline.core.errors import NotFound, ServiceError
from lifeline.core.safetext import refuses_unsafe_text
from lifeline.registry.models import Unit
from lifeline.teams import access, selectors, services
from lifeline.teams.models import Plan, PlanRoute, Team, TeamMember, VisitKind
from lifeline.teams.pages.common import (
    error_text,
    int_or_none,
    reason_label,
    signed_in,
    window_text,
)
from lifeline.web.htmx import is_htmx


@signed_in
def home(request: HttpRequest) -> HttpResponse:
    """The teams the actor dispatches or oversees, their recent plans, and a plan form."""
    actor = request.user
    teams = list(selectors.team_list(actor=actor).prefetch_related("vehicles", "areas")[:200])
    context = {
        "teams": teams,
        "units": _plannable_units(actor),
        "may_plan": access.may_plan_anywhere(actor),
        "plans": list(selectors.plan_list(actor=actor)[:50]),
        "tomorrow": clock.today() + dt.timedelta(days=1),
        "today": clock.today(),
    }
    return render(request, "teams/home.html", context)


def _plannable_units(actor: Actor) -> list[Unit]:
    """Units the actor dispatches for (``TEAMS_DISPATCH`` by unit) that have teams, or lie
    above units that do (a company)."""
    parents = dict(Unit.objects.exclude(parent=None).values_list("pk", "parent"))
    wanted: set[int] = set()
    for unit_id in Team.objects.values_list("unit_id", flat=True).distinct():
        node: int | None = unit_id
        while node is not None and node not in wanted:
            wanted.add(node)
            node = parents.get(node)
    mine = wanted & scope_for(actor).grant(Perm.TEAMS_DISPATCH).unit_ids
    return list(scoped(Unit.objects.filter(pk__in=sorted(mine)), actor).order_by("code"))


def _stop_rows(plan: Plan, routes: list[PlanRoute]) -> None:
    for route in routes:
        route.back_at = plan.at(route.end)  # type: ignore[attr-defined]
        route.actual = _actual(list(route.stops.all()))  # type: ignore[attr-defined]
        for stop in route.stops.all():
            stop.window = window_text(stop.earliest, stop.latest)  # type: ignore[attr-defined]


UNSERVED_PAGE = 25


@signed_in
def plan_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan in short: the comparison, one summary line per route and the unserved
    visits a page at a time; one route's stops when it is chosen (``?route=``)."""
    plan = selectors.plan_get(actor=request.user, pk=pk)
    routes = selectors.routes_of(plan)
    _stop_rows(plan, routes)
    chosen_pk = int_or_none(request.GET, "route")
    chosen = next((r for r in routes if r.pk == chosen_pk), None)
    unserved_page = Paginator(plan.unserved.all(), UNSERVED_PAGE).get_page(
        request.GET.get("unserved")
    )
    for row in unserved_page:
        row.reason_text = reason_label(row.reason)  # type: ignore[attr-defined]
        row.window = window_text(row.earliest, row.latest)  # type: ignore[attr-defined]
    editable = plan.status != Plan.Status.SUPERSEDED and access.may_dispatch(
        request.user, unit_id=plan.unit_id, area_path=plan.area_path
    )
    context = {
        "plan": plan,
        "routes": routes,
        "chosen": chosen,
        "unserved_page": unserved_page,
        "unserved_open": "unserved" in request.GET,
        "km": round(sum(r.distance for r in routes) / 1000, 1),
        "served": sum(len(r.stops.all()) for r in routes),
        "saved_percent": round(100 * plan.km_saved / plan.baseline_km) if plan.baseline_km else 0,
        # The buttons, for those who may change the plan (its services check again).
        "editable": editable,
        "urgent": _urgent_context(request, plan) if editable else None,
    }
    return render(request, "teams/plan.html", context)


def _urgent_context(request: HttpRequest, plan: Plan) -> dict[str, Any]:
    q = (request.GET.get("urgent_q") or "").strip()[:100]
    return {"q": q, "choices": selectors.urgent_choices(actor=request.user, plan=plan, q=q)}


@signed_in
def urgent_choices(request: HttpRequest, pk: int) -> HttpResponse:
    """The urgent-visit picker's list for a search (an htmx fragment, or the plan page)."""
    plan = selectors.plan_get(actor=request.user, pk=pk)
    access.require_dispatcher(request.user, unit_id=plan.unit_id, area_path=plan.area_path)
    if not is_htmx(request):
        query = request.GET.urlencode()
        return redirect(reverse("teams:plan", args=[plan.pk]) + (f"?{query}" if query else ""))
    context = {"plan": plan, "urgent": _urgent_context(request, plan)}
    return render(request, "teams/partials/urgent_choices.html", context)


def _actual(stops: list[Any]) -> dict[str, Any] | None:
    """Planned against actual so far: stops reached, mean minutes late against the planned
    time at the door, and the trip meter against the planned kilometres at the last reading."""
    reached = [s for s in stops if s.arrived_at is not None]
    if not reached:
        return None
    delays = [(s.arrived_at - s.eta).total_seconds() / 60 for s in reached]
    metered = [s for s in reached if s.arrived_km is not None]
    last = metered[-1] if metered else None
    return {
        "reached": len(reached),
        "late": sum(1 for s in reached if s.late),
        "delay": round(sum(delays) / len(delays)),
        "km": last.arrived_km if last else None,
        "planned_km": last.planned_km if last else None,
    }


Step = Callable[[HttpRequest, Plan, QueryDict, int], Any]


def _version(data: QueryDict) -> int:
    version = int_or_none(data, "version")
    if version is None:
        raise ServiceError(_("Reload the page and try again."), code="no_version")
    return version


def _urgent(request: HttpRequest, plan: Plan, data: QueryDict, version: int) -> Any:
    kind, _sep, raw = (data.get("visit") or "").partition(":")
    if not (raw.isdigit() and len(raw) < 12) or kind not in VisitKind.values:
        raise ServiceError(
            _("Choose the visit to insert."), fields={"visit": [_("Choose one from the list.")]}
        )
    result = services.plan_insert_urgent(
        actor=request.user,
        plan=plan,
        kind=kind,
        ref_id=int(raw),
        expected_version=version,
    )
    if result.unserved is not None:
        messages.warning(
            request,
            _("It fits nowhere: %(reason)s.") % {"reason": reason_label(result.unserved.reason)},
        )
    return result


def _move(request: HttpRequest, plan: Plan, data: QueryDict, version: int) -> Any:
    stop_id, vehicle_id = int_or_none(data, "stop"), int_or_none(data, "vehicle")
    position = int_or_none(data, "position", high=100_000)
    if stop_id is None or vehicle_id is None or position is None:
        raise ServiceError(_("Choose a vehicle and a place."), code="incomplete")
    return services.plan_move_stop(
        actor=request.user,
        plan=plan,
        stop_id=stop_id,
        vehicle_id=vehicle_id,
        position=position,
        expected_version=version,
    )


STEPS: dict[str, tuple[Step, str]] = {
    "publish": (
        lambda r, p, d, v: services.plan_publish(actor=r.user, plan=p, expected_version=v),
        gettext_noop("Published: the crews see their routes."),
    ),
    "urgent": (_urgent, gettext_noop("Urgent visit inserted.")),
    "move": (_move, gettext_noop("Stop moved.")),
}


@require_POST
@signed_in
@refuses_unsafe_text
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    plan = selectors.plan_get(actor=request.user, pk=pk)
    if action not in STEPS:
        raise NotFound()
    step, done = STEPS[action]
    try:
        result = step(request, plan, request.POST, _version(request.POST))
    except ServiceError as error:
        messages.error(request, error_text(error))
        return redirect("teams:plan", pk=plan.pk)
    if not (action == "urgent" and getattr(result, "unserved", None) is not None):
        messages.success(request, _(done))
    return redirect(reverse("teams:plan", args=[plan.pk]))


@signed_in
def sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable route sheet: one page per used vehicle (or the one asked for)."""
    plan = selectors.plan_get(actor=request.user, pk=pk)
    routes = [r for r in selectors.routes_of(plan) if r.stops.all()]
    only = int_or_none(request.GET, "route")
    if only is not None:
        routes = [r for r in routes if r.pk == only]
    _stop_rows(plan, routes)
    crews: dict[int, list[str]] = {}
    for member in TeamMember.objects.filter(
        active=True, vehicle_id__in=[r.vehicle_id for r in routes]
    ).select_related("user"):
        crews.setdefault(member.vehicle_id or 0, []).append(str(member.user))
    for route in routes:
        route.crew = crews.get(route.vehicle_id, [])  # type: ignore[attr-defined]
    return render(request, "teams/sheet.html", {"plan": plan, "routes": routes})
