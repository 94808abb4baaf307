"""Screening pages: the sampling console (phone, offline queue), the screening lists (a
list opens a session in one action), the management of policies, rounds, sites and
sessions, the daily review and the door-to-door list of a grid."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from lifeline.core import clock
from lifeline.core.errors import NotFound, ServiceError
from lifeline.core.personal import mask_name, mask_phone
from lifeline.core.scoping import scoped
from lifeline.registry.models import Person
from lifeline.screening import progress, selectors
from lifeline.screening.forms import (
    ListSessionForm,
    PolicyEndForm,
    PolicyForm,
    RoundForm,
    SessionForm,
    SiteForm,
    apply_service_error,
)
from lifeline.screening.models import POOL_SIZES, Policy, Session, SessionKind
from lifeline.screening.services import (
    round_create,
    sample_register,
    session_create,
    site_create,
    tube_close,
)
from lifeline.screening.services.plans_edit import (
    round_update,
    session_open_for_list,
    session_update,
    site_update,
)
from lifeline.screening.services.policies_sweep import policy_add, policy_end, policy_update
from lifeline.web.errors import renders_service_errors
from lifeline.web.navigation import area_breadcrumbs

MAX_SYNC_ITEMS = 500


@never_cache
@login_required
def console(request: HttpRequest) -> HttpResponse:
    return render(request, "screening/console.html", {"pool_sizes": POOL_SIZES})


@require_POST
@login_required
def console_sync(request: HttpRequest) -> JsonResponse:
    """Apply queued console actions in order; each answers alone, retries are replays."""
    try:
        items = json.loads(request.body or b"{}").get("items", [])
        if not isinstance(items, list) or len(items) > MAX_SYNC_ITEMS:
            raise ValueError
    except (ValueError, AttributeError):
        error = ServiceError(_('The sync body must be {"items": [...]}.'), code="bad_body")
        return JsonResponse(error.as_dict(), status=400)
    results = [_apply(request.user, item) for item in items]
    return JsonResponse({"results": results})


def _apply(actor: Any, item: Any) -> dict[str, Any]:
    client_id = str(item.get("client_id", "")) if isinstance(item, dict) else ""
    try:
        if not isinstance(item, dict):
            raise ServiceError(_("Each item must be an object."), code="bad_item")
        if item.get("kind") == "close":
            tube_close(actor=actor, barcode=str(item.get("barcode", "")))
            return {"client_id": client_id, "status": "closed"}
        person = selectors.person_by_code(actor=actor, code=str(item.get("code", "")))
        when = parse_datetime(str(item.get("sampled_at") or ""))
        sample, created = sample_register(
            actor=actor,
            client_id=client_id,
            barcode=str(item.get("barcode", "")),
            person_id=person.pk,
            pool_size=int(item.get("pool_size") or 10),
            per_household=bool(item.get("per_household")),
            sampled_at=when,
        )
    except ServiceError as error:
        return {"client_id": client_id, "status": "error", **error.as_dict()}
    except (TypeError, ValueError):
        unreadable = ServiceError(_("The item is not readable."), code="bad_item")
        return {"client_id": client_id, "status": "error", **unreadable.as_dict()}
    return {
        "client_id": client_id,
        "status": "created" if created else "replayed",
        "name": mask_name(person.name),
        "members": sample.tube.members,
    }


_LIST_NAMES = {
    "not_tested_today": _lazy("Not tested today"),
    "not_compliant": _lazy("Not compliant"),
    "pending_recheck": _lazy("Pending recheck"),
    "yellow_code": _lazy("Yellow code"),
}


def _list_people(actor: Any, area_id: int, kind: str) -> QuerySet[Person]:
    if kind == "yellow_code":
        return progress.yellow_code_list(actor=actor, area_id=area_id)
    return selectors.screening_list(actor=actor, area_id=area_id, kind=kind)


def _list_session_name(kind: str) -> str:
    return str(_("Special session: %(list)s") % {"list": _LIST_NAMES.get(kind, kind)})


def _list_page(
    request: HttpRequest,
    area_id: int,
    kind: str,
    *,
    session_form: ListSessionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    people = _list_people(request.user, area_id, kind)
    area = progress.area_get(actor=request.user, area_id=area_id)
    counts = selectors.screening_counts(actor=request.user, area_id=area_id)
    progress.yellow_code_counts(actor=request.user, area=area, children=counts)
    if session_form is None:
        session_form = ListSessionForm(
            actor=request.user,
            initial={"name": _list_session_name(kind), **_session_times(None)},
        )
    context = {
        "kind": kind,
        "kind_name": _LIST_NAMES[kind],
        "area": area,
        "area_id": area_id,
        "breadcrumbs": area_breadcrumbs(actor=request.user, area=area),
        "counts": counts,
        "people": people.select_related("grid")[:500],
        "kinds": [(k, _LIST_NAMES[k]) for k in progress.PAGE_LIST_KINDS],
        "session_form": session_form,
    }
    return _page(request, "screening/list.html", context, status=status)


@never_cache
@login_required
@renders_service_errors
def screening_list(request: HttpRequest, area_id: int, kind: str) -> HttpResponse:
    """A screening list of an area; ``?format=csv`` exports it (names and phones masked)."""
    if kind not in progress.PAGE_LIST_KINDS:
        raise NotFound(_("Unknown list."))
    if request.GET.get("format") == "csv":
        people = _list_people(request.user, area_id, kind)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{kind}-{area_id}.csv"'
        writer = csv.writer(response)
        writer.writerow([_("Person"), _("Name"), _("Phone"), _("Grid")])
        for pk, name, phone, grid in people.values_list("pk", "name", "phone", "grid__name"):
            writer.writerow([pk, mask_name(name), mask_phone(phone), grid])
        return response
    return _list_page(request, area_id, kind)


# Management pages ---------------------------------------------------------------------------
# Policies, rounds, sites and sessions: lists scoped to the actor, forms that show the
# services' validation messages on their fields, changes audited by the services.


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    roots = progress.root_areas(actor=request.user)
    context = {"screening_root": roots[0] if roots else None, **context}
    return render(request, template, context, status=status)


def _form_failed(form: Any, error: ServiceError) -> int:
    apply_service_error(form, error)
    return error.status


def _masked_code(code: str) -> str:
    """An unresolved line echoed back without a full ID or phone number in it."""
    if re.fullmatch(r"[Pp]\d{1,12}", code):
        return code
    return mask_phone(code)


def _resolve_people(actor: Any, text: str) -> tuple[list[int], list[str], str]:
    """Codes or ID numbers, one per line -> person ids, errors per line, and the text to
    show again (found people as their ``P`` codes, never the ID number typed)."""
    ids: list[int] = []
    errors: list[str] = []
    shown: list[str] = []
    for number, line in enumerate((text or "").splitlines()[:MAX_LISTED], start=1):
        code = line.strip()
        if not code:
            continue
        try:
            person = selectors.person_by_code(actor=actor, code=code)
        except ServiceError:
            errors.append(
                _("Line %(n)d (%(code)s): no person with this code in your area.")
                % {"n": number, "code": _masked_code(code)}
            )
            shown.append(_masked_code(code))
            continue
        if person.pk not in ids:
            ids.append(person.pk)
            shown.append(f"P{person.pk}")
    return ids, errors, "\n".join(shown)


MAX_LISTED = 20000


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
    today = clock.today()
    rows = list(progress.policy_list(actor=request.user)[:300])
    above = list(progress.policies_above(actor=request.user)[:100])
    for policy in [*rows, *above]:
        policy.state = _policy_state(policy, today)  # type: ignore[attr-defined]
    return _page(request, "screening/policies.html", {"policies": rows, "above": above})


def _policy_form_data(request: HttpRequest) -> tuple[Any, list[int], list[str]]:
    data = request.POST.copy()
    ids, errors, shown = _resolve_people(request.user, data.get("people", ""))
    data["people"] = shown
    return data, ids, errors


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@renders_service_errors
def policy_new(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method != "POST":
        form = PolicyForm(actor=request.user, initial={"starts_on": clock.today()})
        return _page(request, "screening/policy_form.html", {"form": form})
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
            status = _form_failed(form, error)
        else:
            messages.success(request, _("Policy saved."))
            return redirect("screening:policy_edit", pk=policy.pk)
    else:
        status = 400
    return _page(request, "screening/policy_form.html", {"form": form}, status=status)


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
                status = _form_failed(form, error)
            else:
                messages.success(request, _("Policy saved."))
                return redirect("screening:policy_edit", pk=policy.pk)
        else:
            status = 400
    else:
        listed = scoped(policy.people.all(), request.user).order_by("pk")
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
    context = {
        "form": form,
        "policy": policy,
        "state": _policy_state(policy, clock.today()),
        "end_form": PolicyEndForm(initial={"last_day": clock.today()}),
        "listed": [
            (p.pk, mask_name(p.name))
            for p in scoped(policy.people.all(), request.user).order_by("pk")[:200]
        ],
    }
    return _page(request, "screening/policy_form.html", context, status=status)


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
            status = _form_failed(form, error)
        else:
            messages.success(request, _("Policy ended."))
            return redirect("screening:policy_edit", pk=policy.pk)
    context = {"policy": policy, "end_form": form, "state": _policy_state(policy, clock.today())}
    return _page(request, "screening/policy_end.html", context, status=status)


# Rounds


@never_cache
@login_required
@renders_service_errors
def round_list(request: HttpRequest) -> HttpResponse:
    rounds = list(progress.round_list(actor=request.user).order_by("-target_date", "pk")[:50])
    rows = [progress.round_progress(actor=request.user, rnd=r) for r in rounds]
    return _page(request, "screening/rounds.html", {"rows": rows})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@renders_service_errors
def round_new(request: HttpRequest) -> HttpResponse:
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
                status = _form_failed(form, error)
            else:
                messages.success(request, _("Round saved."))
                return redirect("screening:round_edit", pk=rnd.pk)
    elif not form.is_bound:
        form.initial = {"starts_on": clock.today(), "target_date": clock.today()}
    return _page(request, "screening/round_form.html", {"form": form}, status=status)


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
                status = _form_failed(form, error)
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
    return _page(request, "screening/round_form.html", context, status=status)


# Sites and sessions


@never_cache
@login_required
@renders_service_errors
def site_list(request: HttpRequest) -> HttpResponse:
    sites = progress.site_list(actor=request.user).order_by("area_path", "name")[:300]
    return _page(request, "screening/sites.html", {"sites": sites})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@renders_service_errors
def site_new(request: HttpRequest) -> HttpResponse:
    form = SiteForm(request.POST or None, actor=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            c = form.cleaned_data
            try:
                site = site_create(
                    actor=request.user,
                    area_id=c["area"],
                    name=c["name"],
                    kind=c["kind"],
                    address=c["address"],
                )
            except ServiceError as error:
                status = _form_failed(form, error)
            else:
                messages.success(request, _("Site saved."))
                return redirect("screening:site_edit", pk=site.pk)
    return _page(request, "screening/site_form.html", {"form": form}, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@renders_service_errors
def site_edit(request: HttpRequest, pk: int) -> HttpResponse:
    site = progress.site_get(actor=request.user, site_id=pk)
    status = 200
    if request.method == "POST":
        form = SiteForm(request.POST, actor=request.user, editing=True)
        status = 400
        if form.is_valid():
            c = form.cleaned_data
            try:
                site_update(
                    actor=request.user,
                    site_id=site.pk,
                    name=c["name"],
                    kind=c["kind"],
                    address=c["address"],
                )
            except ServiceError as error:
                status = _form_failed(form, error)
            else:
                messages.success(request, _("Site saved."))
                return redirect("screening:site_edit", pk=site.pk)
    else:
        form = SiteForm(
            actor=request.user,
            editing=True,
            initial={"name": site.name, "kind": site.kind, "address": site.address},
        )
    sessions = selectors.session_list(actor=request.user).filter(site=site)[:100]
    context = {"form": form, "site": site, "sessions": sessions}
    return _page(request, "screening/site_form.html", context, status=status)


@never_cache
@login_required
@renders_service_errors
def session_list(request: HttpRequest) -> HttpResponse:
    sessions = selectors.session_list(actor=request.user)
    kind = request.GET.get("kind", "")
    if kind in SessionKind.values:
        sessions = sessions.filter(kind=kind)
    if request.GET.get("when") != "past":
        sessions = sessions.filter(ends_at__gte=clock.now()).order_by("starts_at")
    rows = sessions.annotate(invited_count=Count("invited", distinct=True))[:300]
    context = {"sessions": rows, "kind": kind, "kinds": SessionKind.choices}
    return _page(request, "screening/sessions.html", context)


def _session_times(session: Session | None) -> dict[str, Any]:
    if session is not None:
        return {"starts_at": session.starts_at, "ends_at": session.ends_at}
    start = clock.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    return {"starts_at": start, "ends_at": start + dt.timedelta(hours=4)}


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@renders_service_errors
def session_new(request: HttpRequest, site_pk: int) -> HttpResponse:
    site = progress.site_get(actor=request.user, site_id=site_pk)
    form = SessionForm(request.POST or None, actor=request.user, site=site)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            c = form.cleaned_data
            try:
                session = session_create(
                    actor=request.user,
                    site_id=site.pk,
                    kind=c["kind"],
                    name=c["name"],
                    starts_at=c["starts_at"],
                    ends_at=c["ends_at"],
                    grid_ids=c["grids"],
                )
            except ServiceError as error:
                status = _form_failed(form, error)
            else:
                messages.success(request, _("Session saved."))
                return redirect("screening:session_edit", pk=session.pk)
    else:
        form.initial = {"kind": SessionKind.REGULAR, **_session_times(None)}
    return _page(request, "screening/session_form.html", {"form": form, "site": site}, status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@renders_service_errors
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = progress.session_get(actor=request.user, session_id=pk)
    status = 200
    if request.method == "POST":
        form = SessionForm(request.POST, actor=request.user, site=session.site)
        status = 400
        if form.is_valid():
            c = form.cleaned_data
            try:
                session_update(
                    actor=request.user,
                    session_id=session.pk,
                    kind=c["kind"],
                    name=c["name"],
                    starts_at=c["starts_at"],
                    ends_at=c["ends_at"],
                    grid_ids=c["grids"],
                )
            except ServiceError as error:
                status = _form_failed(form, error)
            else:
                messages.success(request, _("Session saved."))
                return redirect("screening:session_edit", pk=session.pk)
    else:
        grids = scoped(session.grids.all(), request.user).values_list("pk", flat=True)
        form = SessionForm(
            actor=request.user,
            site=session.site,
            initial={
                "name": session.name,
                "kind": session.kind,
                "grids": list(grids),
                **_session_times(session),
            },
        )
    invited = scoped(session.invited.all(), request.user)
    context = {
        "form": form,
        "site": session.site,
        "session": session,
        "invited_count": invited.count(),
        "invited": [(p.pk, mask_name(p.name)) for p in invited.order_by("pk")[:200]],
    }
    return _page(request, "screening/session_form.html", context, status=status)


# A screening list becomes a session


@login_required
@require_POST
@renders_service_errors
def list_session(request: HttpRequest, area_id: int, kind: str) -> HttpResponse:
    """One action: the people of a list are invited to a new session serving their grids."""
    people = _list_people(request.user, area_id, kind)
    form = ListSessionForm(request.POST, actor=request.user)
    status = 400
    if form.is_valid():
        c = form.cleaned_data
        try:
            session = session_open_for_list(
                actor=request.user,
                site_id=c["site"],
                name=c["name"] or _list_session_name(kind),
                kind=c["kind"],
                starts_at=c["starts_at"],
                ends_at=c["ends_at"],
                person_grid_pairs=list(people.values_list("pk", "grid_id")),
            )
        except ServiceError as error:
            status = _form_failed(form, error)
        else:
            messages.success(request, _("Session opened for the list."))
            return redirect("screening:session_edit", pk=session.pk)
    return _list_page(request, area_id, kind, session_form=form, status=status)


# The daily review and the door-to-door list


@never_cache
@login_required
@renders_service_errors
def review(request: HttpRequest) -> HttpResponse:
    day = parse_date(request.GET.get("day") or "") or clock.today()
    data = selectors.daily_review(actor=request.user, day=day)
    context = {
        "review": data,
        "day": day,
        "per_site": progress.review_per_site(data),
        "sampled_to_result": progress.sampled_to_result_minutes(actor=request.user, day=day),
        "previous": day - dt.timedelta(days=1),
        "next": day + dt.timedelta(days=1),
    }
    return _page(request, "screening/review.html", context)


@never_cache
@login_required
@renders_service_errors
def door_to_door(request: HttpRequest, grid_id: int) -> HttpResponse:
    """Bedridden and disabled people of a grid by household; ``?format=csv`` exports the
    list (names masked), ``?format=visits`` the households still to sample as team visits."""
    grid = progress.area_get(actor=request.user, area_id=grid_id)
    day = clock.today()
    stops = progress.door_to_door_stops(actor=request.user, grid_id=grid.pk, day=day)
    fmt = request.GET.get("format")
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="door-to-door-{grid.pk}.csv"'
        writer = csv.writer(response)
        writer.writerow(
            [_("Person"), _("Name"), _("Building"), _("Unit"), _("Address"), _("Tested today")]
        )
        for stop in stops:
            for pk, name, tested in stop.people:
                yes_no = _("yes") if tested else _("no")
                writer.writerow([pk, name, stop.building, stop.unit_no, stop.address, yes_no])
        return response
    visits, unplaced = progress.as_team_visits(stops, grid=grid, day=day)
    if fmt == "visits":
        return JsonResponse(
            {
                "day": day.isoformat(),
                "grid_id": grid.pk,
                "visits": [
                    {
                        "id": v.id,
                        "lat": v.location.lat,
                        "lng": v.location.lng,
                        "service": v.service,
                        "priority": v.priority,
                        "skill": v.skill,
                        "size": v.size,
                        "area": v.area,
                        "kind": v.kind,
                    }
                    for v in visits
                ],
                "unplaced_households": [s.household_id for s in unplaced],
            }
        )
    context = {
        "grid": grid,
        "stops": stops,
        "visits": len(visits),
        "unplaced": unplaced,
        "to_sample": sum(s.to_sample for s in stops),
    }
    return _page(request, "screening/door_to_door.html", context)


@never_cache
@login_required
def home(request: HttpRequest) -> HttpResponse:
    roots = progress.root_areas(actor=request.user)
    return _page(request, "screening/home.html", {"roots": roots})
