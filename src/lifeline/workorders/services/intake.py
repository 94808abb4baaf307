"""Intake: one need from any channel becomes one routed order on a clock (or a link to the
open order already doing that work)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import require
from lifeline.core import clock, db
from lifeline.core.actors import Actor, SystemActor
from lifeline.core.errors import NotFound, ServiceError
from lifeline.core.personal import normalise_phone, phone_is_valid
from lifeline.registry.models import Area, Household, Person, Vulnerability
from lifeline.workorders.models import (
    Category,
    Channel,
    EventKind,
    Priority,
    Status,
    Stop,
    WorkOrder,
)
from lifeline.workorders.services import abuse, common
from lifeline.workorders.services.duplicates import likely_duplicate_for
from lifeline.workorders.services.extra_fields import validate_extra
from lifeline.workorders.services.routing import (
    RoutingConfig,
    clock_target,
    config,
    raised_priority,
    route,
)
from lifeline.workorders.services.triage import emergency_words_in, suggest_category

EMERGENCY_CATEGORY = "medical_care"
# Channels a resident reaches without an account; they may not point at registry rows.
PUBLIC_CHANNELS = (Channel.FORM, Channel.OPEN311)


@dataclass(frozen=True)
class Intake:
    """What the caller must know: the order, whether to tell the resident to call 120 now,
    and the earlier open order this one was linked to instead of creating new work."""

    order: WorkOrder
    call_120: bool = False
    duplicate_of: WorkOrder | None = None
    # True when ``order`` is the same resident's identical order filed minutes ago: it was
    # already filed, and nothing was written now.
    repeat: bool = False


@dataclass
class _Draft:
    conf: RoutingConfig
    category: Category
    area: Area
    household: Household | None
    person: Person | None
    extra: dict[str, Any]
    emergency: bool
    priority: int


def workorder_create(
    *,
    actor: Actor | None,
    description: str,
    category_code: str = "",
    channel: str = Channel.STAFF,
    area: Area | None = None,
    household: Household | None = None,
    person: Person | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    extra: dict[str, Any] | None = None,
    address: str = "",
    lat: float | None = None,
    lng: float | None = None,
    stops: list[dict[str, Any]] | None = None,
    client_ip: str = "",
) -> Intake:
    """Validate, prioritise, route and clock one request; all or nothing.

    Emergency words override the category: the order becomes a critical medical order and
    ``call_120`` is set. An open order of the same household and category already doing the
    work makes this one a cancelled duplicate linked to it. Writes the timeline, the audit
    record and the resident's and unit's notifications in the same transaction.

    Orders from outside (form, Open311) count against the abuse caps (``abuse``: per
    contact phone, per ``client_ip``), refused with ``TooManyOrders`` (429); a form order
    identical to one the same phone filed minutes ago is answered with that order
    (``repeat``) and writes nothing.
    """
    errors: dict[str, list[str]] = {}
    description = (description or "").strip()
    if not description:
        errors["description"] = [_("Describe what is needed.")]
    if channel not in Channel.values:
        errors["channel"] = [_("Unknown channel.")]
    contact_phone = normalise_phone(contact_phone or "")
    if contact_phone and not phone_is_valid(contact_phone):
        errors["contact_phone"] = [_("Not a valid phone number.")]
    draft = _draft(
        actor=actor,
        description=description,
        category_code=category_code,
        channel=channel,
        area=area,
        household=household,
        person=person,
        extra=extra,
        errors=errors,
    )
    if draft is not None:
        _check_location(draft, address, lat, lng, stops, errors)
        if not actor_authenticated(actor) and not contact_phone and not _internal(actor, draft):
            errors["contact_phone"] = [_("A phone number is required to follow up.")]
    if errors or draft is None:
        raise ServiceError(_("Please correct the marked fields."), fields=errors)
    contact = {"contact_name": (contact_name or "").strip()[:50], "contact_phone": contact_phone}
    if not contact_phone and draft.person is not None:
        contact["contact_phone"] = draft.person.phone
    elif not contact_phone and draft.household is not None:
        contact["contact_phone"] = draft.household.phone
    with transaction.atomic():
        if channel in PUBLIC_CHANNELS:
            earlier = _count_or_repeat(
                draft, channel, contact["contact_phone"], client_ip, description, address
            )
            if earlier is not None:
                return Intake(order=earlier, call_120=draft.emergency, repeat=True)
        first = _open_duplicate(draft)
        order = _insert(
            actor=actor,
            draft=draft,
            channel=channel,
            description=description,
            address=address,
            lat=lat,
            lng=lng,
            contact=contact,
            first=first,
        )
        if first is None:
            for seq, stop in enumerate(stops or [], start=1):
                Stop.objects.create(
                    order=order,
                    seq=seq,
                    label=str(stop.get("label", ""))[:150],
                    address=str(stop.get("address", ""))[:255],
                    lat=stop.get("lat"),
                    lng=stop.get("lng"),
                )
    return Intake(order=order, call_120=draft.emergency, duplicate_of=first)


def actor_authenticated(actor: Actor | None) -> bool:
    return bool(getattr(actor, "is_authenticated", False))


def _draft(
    *,
    actor: Actor | None,
    description: str,
    category_code: str,
    channel: str,
    area: Area | None,
    household: Household | None,
    person: Person | None,
    extra: dict[str, Any] | None,
    errors: dict[str, list[str]],
) -> _Draft | None:
    emergency = bool(emergency_words_in(description))
    conf = config()
    categories = conf.categories
    by_code = {c.code: c for c in categories}
    if emergency:
        category = by_code.get(EMERGENCY_CATEGORY)
    elif category_code:
        category = by_code.get(category_code)
        if category is not None and category.internal and not actor_authenticated(actor):
            # Internal categories are filed by staff or the city's own services only.
            category = None if not isinstance(actor, SystemActor) else category
        if category is None:
            errors["category"] = [_("Unknown category.")]
    else:
        category = suggest_category(description, categories) or by_code.get("other")
    if category is None:
        errors.setdefault("category", [_("Unknown category.")])
        return None
    if person is not None:
        if household is not None and person.household_id != household.pk:
            errors["person"] = [_("This person does not live in that household.")]
        household = household or person.household
    if household is not None:
        area = Area.objects.get(pk=household.grid_id)
    if area is None:
        errors["area"] = [_("Say where the need is.")]
        return None
    if actor_authenticated(actor):
        _require_filing(actor, area, household)
    elif isinstance(actor, SystemActor) and category.internal and not (household or person):
        pass  # the city's own services (a threshold, a sweep) file internal categories
    elif channel not in PUBLIC_CHANNELS or household is not None or person is not None:
        raise ServiceError(
            _("Sign in to file a request for a registered household."), code="unauthenticated"
        )
    clean, field_errors = validate_extra(category, extra)
    if emergency:
        field_errors = {}  # never hold up an emergency over a form field
        clean = {k: v for k, v in (extra or {}).items() if isinstance(v, str | int | float)}
    errors.update(field_errors)
    vulnerable = _is_vulnerable(household, person)
    priority = (
        int(Priority.CRITICAL)
        if emergency
        else raised_priority(
            base=category.default_priority,
            vulnerable=vulnerable,
            medical=category.medical,
            conf=conf,
        )
    )
    return _Draft(conf, category, area, household, person, clean, emergency, priority)


def _internal(actor: Actor | None, draft: _Draft) -> bool:
    return isinstance(actor, SystemActor) and draft.category.internal


def _require_filing(actor: Actor | None, area: Area, household: Household | None) -> None:
    """Staff file for the residents of the places where a membership lets them file, and
    name a household only where they may also see the registry."""
    try:
        require(
            actor,
            Perm.WORKORDER_FILE,
            path=area.path,
            message=_("Your role may not file work orders here."),
        )
        if household is not None:
            require(actor, Perm.REGISTRY_VIEW, path=household.area_path)
    except NotFound:
        raise NotFound(_("No such place in your area.")) from None


def _is_vulnerable(household: Household | None, person: Person | None) -> bool:
    if person is not None:
        return Vulnerability.objects.filter(person=person).exists()
    if household is not None:
        return Vulnerability.objects.filter(person__household=household).exists()
    return False


def _check_location(
    draft: _Draft,
    address: str,
    lat: float | None,
    lng: float | None,
    stops: list[dict[str, Any]] | None,
    errors: dict[str, list[str]],
) -> None:
    if (lat is None) != (lng is None):
        errors["lat"] = [_("Give both latitude and longitude, or neither.")]
    elif lat is not None and lng is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180):
        errors["lat"] = [_("Not a position on Earth.")]
    located = bool(draft.household or (address or "").strip() or lat is not None or stops)
    if draft.category.location_required and not located and not draft.emergency:
        errors["address"] = [_("This kind of request needs an address or a household.")]
    for i, stop in enumerate(stops or [], start=1):
        if not str(stop.get("label", "")).strip():
            errors[f"stops.{i}"] = [_("Say what is to be done at this stop.")]


def _count_or_repeat(
    draft: _Draft, channel: str, phone: str, client_ip: str, description: str, address: str
) -> WorkOrder | None:
    """Count the order against the caps (TooManyOrders past one); or, for the form, the
    same phone's identical recent order, counting nothing. The count comes first: its
    row lock makes a double submit wait for the first one's commit, then find it."""
    if channel != Channel.FORM:
        if not abuse.orders_count(channel=channel, phone=phone, ip=client_ip):
            raise abuse.TooManyOrders()
        return None
    with transaction.atomic():
        allowed = abuse.orders_count(channel=channel, phone=phone, ip=client_ip)
        earlier = abuse.repeat_of(
            phone=phone,
            category=draft.category,
            area=draft.area,
            address=(address or "").strip()[:255],
            description=description[:4000],
        )
        if earlier is not None:
            transaction.set_rollback(True)  # a repeat counts nothing
    if earlier is None and not allowed:
        raise abuse.TooManyOrders()
    return earlier


def _open_duplicate(draft: _Draft) -> WorkOrder | None:
    if draft.household is None or draft.emergency:
        return None
    # Lock the household so two simultaneous calls cannot both open new work.
    Household.objects.select_for_update().filter(pk=draft.household.pk).first()
    return (
        WorkOrder.objects.select_for_update()
        .filter(
            household=draft.household,
            category=draft.category,
            duplicate_of__isnull=True,
            status__in=[s for s in Status if s not in (Status.CLOSED, Status.CANCELLED)],
        )
        .order_by("created_at", "pk")
        .first()
    )


def _insert(
    *,
    actor: Actor | None,
    draft: _Draft,
    channel: str,
    description: str,
    address: str,
    lat: float | None,
    lng: float | None,
    contact: dict[str, str],
    first: WorkOrder | None,
) -> WorkOrder:
    now = clock.now()
    unit = (first.responsible_unit if first else None) or route(
        category=draft.category, area_path=draft.area.path, conf=draft.conf
    )

    target = clock_target(category=draft.category, priority=draft.priority, conf=draft.conf)
    due_response, due_resolution, warn_at = target.due(now)
    # The number is made of the day and the row's id, drawn first so that the row goes in
    # whole: routed and numbered (or, for a duplicate, already linked and cancelled).
    likely = None
    if first is None:
        likely = likely_duplicate_for(
            category=draft.category,
            area_path=draft.area.path,
            description=description,
            now=now,
            person_id=draft.person.pk if draft.person else None,
            household_id=draft.household.pk if draft.household else None,
            contact_phone=contact.get("contact_phone", ""),
            address=address,
        )
    pk = db.next_id(WorkOrder)
    order = WorkOrder(
        pk=pk,
        number=f"{clock.today():%Y%m%d}{pk:07d}",
        category=draft.category,
        channel=channel,
        priority=draft.priority,
        status=Status.CANCELLED if first is not None else Status.DISPATCHED,
        emergency=draft.emergency,
        area=draft.area,
        area_path=draft.area.path,
        household=draft.household,
        person=draft.person,
        responsible_unit=unit,
        description=description[:4000],
        extra=draft.extra,
        address=(address or "").strip()[:255],
        lat=lat,
        lng=lng,
        sla_version=target.version,
        due_response_at=due_response,
        due_resolution_at=due_resolution,
        warn_at=warn_at,
        closed_at=now if first is not None else None,
        created_by=common.actor_user(actor),
        created_at=now,
        updated_at=now,
        duplicate_of=first,
        likely_duplicate_of=likely,
        **contact,
    )
    db.insert([order])
    created = common.Step(
        EventKind.CREATED,
        to_status=Status.RECEIVED,
        data={"channel": channel},
        audit_fields=("category", "priority", "description", "extra"),
    )
    if first is not None:
        return _link_duplicate(order, first, actor, created)
    # Its messages and its timeline go to the database together.
    writes = db.Writes()
    common.notify(
        order,
        resident=_("Your request %(number)s was received and sent to %(unit)s.")
        % {"number": order.number, "unit": unit.name},
        unit=unit,
        unit_body=_("New work order %(number)s: %(category)s.")
        % {"number": order.number, "category": draft.category.name},
        writes=writes,
    )
    # The audit append comes last: it locks a chain head until the commit.
    dispatched = common.Step(
        EventKind.DISPATCHED, from_status=Status.RECEIVED, data={"routed": True}
    )
    common.record_steps(order, [created, dispatched], actor=actor, writes=writes)
    return order


def _link_duplicate(
    order: WorkOrder, first: WorkOrder, actor: Actor | None, created: common.Step
) -> WorkOrder:
    linked = common.Step(
        EventKind.DUPLICATE,
        from_status=Status.RECEIVED,
        data={"duplicate_of": first.pk},
        note=_("Linked to open order %(number)s.") % {"number": first.number},
    )
    common.record_steps(order, [created, linked], actor=actor)
    common.record(
        first,
        EventKind.DUPLICATE,
        actor=actor,
        data={"duplicate": order.pk},
        note=order.description[:2000],
        audit_fields=("duplicates",),
    )
    common.notify_resident(
        order,
        _("Your request is already being handled as order %(number)s.") % {"number": first.number},
    )
    return order
