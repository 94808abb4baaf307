"""Staff pages: the unit's queue (filters, overdue, sort by due time), the order page with
its timeline, photos and one button per step, and the photo itself. Every button posts to
``act``, which calls the service of that step; refusals come back as a message."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lifeline.accounts.models import User
from lifeline.accounts.permissions import Perm
from lifeline.core import clock
from lifeline.core.actors import display_label
from lifeline.core.errors import NotFound, ServiceError
from lifeline.core.safetext import refuse_unsafe
from lifeline.registry import selectors as registry
from lifeline.registry.sensitive import REVEAL_REASONS
from lifeline.web.htmx import is_htmx
from lifeline.workorders import selectors, services
from lifeline.workorders.clocks import deadline_of
from lifeline.workorders.labels import choice_label, person_label
from lifeline.workorders.links import order_links
from lifeline.workorders.models import Category, Status, WorkOrder, WorkOrderEvent
from lifeline.workorders.pages.common import flash_error, permission_required
from lifeline.workorders.services.contact import contact_reveal_may
from lifeline.workorders.services.extra_fields import field_label
from lifeline.workorders.services.photos import MAX_PHOTO_BYTES
from lifeline.workorders.services.transitions import workorder_actions

PAGE_SIZE = 50
SORTS = {
    "due": ("due_resolution_at", "priority", "pk"),
    "priority": ("priority", "due_resolution_at", "pk"),
    "new": ("-created_at", "-pk"),
}


@permission_required(Perm.WORKORDER_VIEW)
def queue(request: HttpRequest) -> HttpResponse:
    """Open orders of the actor's units and areas; overdue view; sorted by due time."""
    params = request.GET
    status = params.get("status", "")
    status = status if status in Status.values else ""
    overdue = params.get("overdue") == "1"
    sort = params.get("sort", "due")
    qs = selectors.workorder_list(
        actor=request.user,
        status=status,
        category=params.get("category", "")[:40],
        open_only=not status,
        overdue=overdue,
        q=params.get("q", "")[:100],
    ).order_by(*SORTS.get(sort, SORTS["due"]))
    page = Paginator(qs, PAGE_SIZE).get_page(params.get("page"))
    context: dict[str, Any] = {
        "page": page,
        "statuses": Status.choices,
        "categories": selectors.category_list(internal=True),
        "status": status,
        "overdue": overdue,
        "sort": sort if sort in SORTS else "due",
    }
    now, orders = clock.now(), list(page.object_list)
    duplicates = selectors.likely_duplicate_map(actor=request.user, orders=orders)
    for order in orders:
        order.deadline = deadline_of(order, now)  # type: ignore[attr-defined]
        order.flagged = duplicates.get(order.pk, [])  # type: ignore[attr-defined]
    context["orders"] = orders
    return render(request, "workorders/queue.html", context)


def extra_rows(category: Category, extra: dict[str, Any] | None) -> list[tuple[str, str]]:
    """The order's extra fields as (translated label, shown value), in the category's order.

    Prepared here because a template's ``extra.items`` would find a field named ``items``
    before the dict's method. Values of fields the category no longer defines keep their
    stored name as the label.
    """
    extra = extra if isinstance(extra, dict) else {}
    definitions = {d.get("name"): d for d in category.fields or [] if isinstance(d, dict)}
    names = [n for n in definitions if n in extra] + [n for n in extra if n not in definitions]
    rows = []
    for name in names:
        value = extra[name]
        if value is None or value == "":
            continue
        definition = definitions.get(name, {})
        if isinstance(value, bool):
            shown = _("yes") if value else _("no")
        elif definition.get("type") == "choice":
            shown = choice_label(value)
        else:
            shown = str(value)
        label = field_label(definitions[name]) if name in definitions else str(name)
        rows.append((label, shown))
    return rows


def timeline_rows(events: Iterable[WorkOrderEvent]) -> list[WorkOrderEvent]:
    """The timeline with who took each step as shown (``who``): the person's display name
    or role (never a login name), or "System" in the page's language with the reason the
    system gave (kept in the event's data)."""
    rows = list(events)
    for event in rows:
        if event.actor_id is not None:
            event.who = person_label(event.actor)  # type: ignore[attr-defined]
            continue
        who = display_label("")
        data = event.data if isinstance(event.data, dict) else {}
        reason = str(data.get("system_reason") or "")
        # The reasons are English phrases marked for translation where they are given.
        event.who = (  # type: ignore[attr-defined]
            _("%(who)s (%(reason)s)") % {"who": who, "reason": _(reason)} if reason else who
        )
    return rows


@permission_required(Perm.WORKORDER_VIEW)
def order_page(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.workorder_get(actor=request.user, pk=pk)
    actions = workorder_actions(actor=request.user, order=order)
    context = {
        "order": order,
        "actions": actions,
        "deadline": deadline_of(order, clock.now()),
        "contact": contact_item(request.user, order),
        "likely_duplicates": selectors.workorder_likely_duplicates(actor=request.user, order=order),
        "extra_rows": extra_rows(order.category, order.extra),
        "timeline": timeline_rows(selectors.workorder_timeline(actor=request.user, order=order)),
        "photos": selectors.photo_list(actor=request.user, order=order),
        "stops": order.stops.all(),
        "units": (
            registry.unit_list(actor=request.user).order_by("kind", "name")[:300]
            if "transfer" in actions
            else []
        ),
        "colleagues": selectors.colleagues(actor=request.user, order=order)[:100],
        "mine": order.claimed_by_id == request.user.pk,
        "links": order_links(actor=request.user, order=order),
    }
    return render(request, "workorders/order.html", context)


def _unit(request: HttpRequest, data: QueryDict, *, required: bool) -> Any:
    raw = data.get("unit", "")
    if not raw.isdigit():
        if required:
            raise ServiceError(_("Choose a unit."), fields={"unit": [_("Required.")]})
        return None
    unit = registry.unit_list(actor=request.user).filter(pk=int(raw)).first()
    if unit is None:
        raise ServiceError(_("No such unit."), fields={"unit": [_("Unknown unit.")]})
    return unit


def _to_user(request: HttpRequest, data: QueryDict) -> User | None:
    raw = data.get("to_user", "")
    if not raw.isdigit():
        return None
    user = User.objects.filter(pk=int(raw), is_active=True).first()
    if user is None:
        raise NotFound()
    return user


def _into(request: HttpRequest, data: QueryDict) -> WorkOrder:
    raw = data.get("into", "")
    if not raw.isdigit() or len(raw) > 12:
        raise ServiceError(_("Choose the order to merge into."))
    return selectors.workorder_get(actor=request.user, pk=int(raw))


def _version(data: QueryDict) -> int | None:
    raw = data.get("version", "")
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def _satisfaction(data: QueryDict) -> int | None:
    raw = data.get("satisfaction", "")
    return int(raw) if raw.isdigit() and len(raw) < 3 else None


Step = Callable[[HttpRequest, WorkOrder, QueryDict], Any]

STEPS: dict[str, tuple[Step, str]] = {
    "accept": (
        lambda r, o, d: services.workorder_accept(
            actor=r.user, order=o, expected_version=_version(d)
        ),
        gettext_noop("Accepted."),
    ),
    "start": (
        lambda r, o, d: services.workorder_start(
            actor=r.user, order=o, expected_version=_version(d)
        ),
        gettext_noop("Started."),
    ),
    "resolve": (
        lambda r, o, d: services.workorder_resolve(
            actor=r.user, order=o, note=d.get("note", ""), expected_version=_version(d)
        ),
        gettext_noop("Resolved; the resident was sent a code to confirm."),
    ),
    "close": (
        lambda r, o, d: services.workorder_close(
            actor=r.user, order=o, satisfaction=_satisfaction(d), note=d.get("note", "")
        ),
        gettext_noop("Closed."),
    ),
    "reopen": (
        lambda r, o, d: services.workorder_reopen(
            actor=r.user, order=o, reason=d.get("reason", "")
        ),
        gettext_noop("Reopened."),
    ),
    "cancel": (
        lambda r, o, d: services.workorder_cancel(
            actor=r.user, order=o, reason=d.get("reason", ""), expected_version=_version(d)
        ),
        gettext_noop("Cancelled."),
    ),
    "dispatch": (
        lambda r, o, d: services.workorder_dispatch(
            actor=r.user, order=o, unit=_unit(r, d, required=False), note=d.get("note", "")
        ),
        gettext_noop("Dispatched."),
    ),
    "transfer": (
        lambda r, o, d: services.workorder_transfer(
            actor=r.user, order=o, unit=_unit(r, d, required=True), reason=d.get("reason", "")
        ),
        gettext_noop("Transferred."),
    ),
    "return": (
        lambda r, o, d: services.workorder_return(
            actor=r.user, order=o, reason=d.get("reason", "")
        ),
        gettext_noop("Returned to the sender."),
    ),
    "comment": (
        lambda r, o, d: services.workorder_comment(actor=r.user, order=o, note=d.get("note", "")),
        gettext_noop("Comment added."),
    ),
    "claim": (
        lambda r, o, d: services.workorder_claim(actor=r.user, order=o),
        gettext_noop("Taken."),
    ),
    "handover": (
        lambda r, o, d: services.workorder_handover(
            actor=r.user, order=o, to_user=_to_user(r, d), note=d.get("note", "")
        ),
        gettext_noop("Handed over."),
    ),
    "complete": (
        lambda r, o, d: services.workorder_complete(
            actor=r.user,
            order=o,
            note=d.get("note", ""),
            photo=_upload(r) or None,
        ),
        gettext_noop("Done; the resident was sent a code to confirm."),
    ),
    "merge": (
        lambda r, o, d: services.workorder_merge(
            actor=r.user, duplicate=o, into=_into(r, d), note=d.get("note", "")
        ),
        gettext_noop("Closed as a duplicate."),
    ),
    "photo": (
        lambda r, o, d: services.photo_add(
            actor=r.user,
            order=o,
            data=_upload(r),
            note=d.get("note", ""),
        ),
        gettext_noop("Photo added."),
    ),
}


def _upload(request: HttpRequest) -> bytes:
    """The uploaded photo's bytes, read to one byte past the limit: an oversized file is
    refused without reading it all."""
    upload = request.FILES.get("photo")
    if upload is None:
        return b""
    return bytes(upload.read(MAX_PHOTO_BYTES + 1))


@require_POST
@permission_required(Perm.WORKORDER_VIEW)
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One step of the order's life, by the service of that step."""
    order = selectors.workorder_get(actor=request.user, pk=pk)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    back = back or reverse("workorders:order", args=[order.pk])
    if action not in STEPS:
        raise NotFound()
    step, done = STEPS[action]
    try:
        refuse_unsafe(request.POST)
        step(request, order, request.POST)
    except ServiceError as error:
        flash_error(request, error)
        return redirect(back)
    messages.success(request, _(done))
    return redirect(back)


@permission_required(Perm.WORKORDER_VIEW)
def photo(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.photo_get(actor=request.user, pk=pk)
    response = HttpResponse(bytes(item.data), content_type=item.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = f'inline; filename="photo-{item.pk}"'
    return response


@permission_required(Perm.WORKORDER_WORK)
def my_queue(request: HttpRequest) -> HttpResponse:
    """A team member's queue on the phone: claim, complete with a note and photo, hand over."""
    orders = list(selectors.workorder_queue(actor=request.user)[:100])
    rows = [
        {"order": o, "colleagues": selectors.colleagues(actor=request.user, order=o)[:50]}
        for o in orders
    ]
    return render(request, "workorders/mine.html", {"rows": rows})


def contact_item(actor: Any, order: WorkOrder, **more: Any) -> dict[str, Any]:
    """The contact phone as the registry's reveal partial shows it: masked, with the
    reveal form when the actor may reveal at the order's place."""
    return {
        "field": "contact_phone",
        "label": _("contact phone"),
        "masked": order.contact_phone_masked,
        "reveal_url": reverse("workorders:contact_reveal", args=[order.pk]),
        "reasons": list(REVEAL_REASONS.items()),
        "may_reveal": contact_reveal_may(actor, order),
        **more,
    }


@never_cache
@require_POST
@permission_required(Perm.WORKORDER_VIEW)
def contact_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The contact phone in full, once, with a reason; audited (``workorder_contact_reveal``)."""
    order = selectors.workorder_get(actor=request.user, pk=pk)
    purpose, reason = request.POST.get("purpose", ""), request.POST.get("reason", "")
    item = contact_item(request.user, order, may_reveal=True)
    status = 200
    try:
        refuse_unsafe(request.POST)
        item["value"] = services.workorder_contact_reveal(
            actor=request.user, order=order, reason=reason, purpose=purpose
        )
        item["revealed"] = True
    except ServiceError as error:
        if not ({"purpose", "reason"} & set(error.fields)) and error.status != 429:
            raise
        texts = [m for key in ("reason", "purpose") for m in error.fields.get(key, [])]
        item.update(
            errors=texts or [str(error.message)],
            purpose=purpose[:200],
            reason=reason if reason in REVEAL_REASONS else "",
        )
        status = error.status
    if is_htmx(request):
        return render(request, "registry/partials/reveal.html", {"item": item}, status=status)
    back = reverse("workorders:order", args=[order.pk])
    context = {"item": item, "back_url": back, "heading": order.number}
    return render(request, "registry/reveal_page.html", context, status=status)
