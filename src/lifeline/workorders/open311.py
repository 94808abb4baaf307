"""Open311 GeoReport v2, so that existing 311 clients and partner platforms file and follow
requests: services (one per category), service definitions (the category's extra fields),
POST requests (form-encoded, ``api_key``), GET requests, one request, and tokens.

``api_key`` is an ``accounts.ApiToken``; its user's memberships scope what it may read and
where it may file, like any other actor. Requests are created by ``workorder_create`` on
the ``open311`` channel, so routing, clocks, audit and outbox are the same as everywhere.

Reading needs no key, as the spec says: without one, ``GET requests`` and
``GET requests/{id}`` answer public fields only (status, service, times, the agency
responsible, the expected time, and a place no finer than the grid: the grid's centre),
never a description, a name, a phone, an address or a photo. Medical requests are left out
of key-less answers altogether (a need for medicine at a grid and a time is health data);
the resident follows one with the token their request was answered with. With a key, the
full record, scoped by the key's memberships, with ``media_url`` for the first photo.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from lifeline.api.creates import header_key, once
from lifeline.core import clock
from lifeline.core.errors import NotFound, PermissionDenied
from lifeline.core.personal import lookup_hash
from lifeline.registry.models import Area
from lifeline.web.templatetags.lifeline_web import local_name
from lifeline.workorders import open311_render as render
from lifeline.workorders import selectors, services
from lifeline.workorders.models import OPEN_STATUSES, Category, Channel, Photo, WorkOrder
from lifeline.workorders.open311_input import (
    Open311Error,
    allow_methods,
    jurisdiction_area,
    machine_user,
    open311_view,
    parse_float,
    parse_w3,
    place_of,
    refuse_control_characters,
    split_csv,
)
from lifeline.workorders.services.extra_fields import field_label

MAX_RESULTS = 1000
MAX_SPAN = dt.timedelta(days=90)
MAX_IDS = 100

# Category field types as Open311 attribute datatypes.
_DATATYPES = {
    "text": "string",
    "int": "number",
    "decimal": "number",
    "date": "datetime",
    "bool": "singlevaluelist",
    "choice": "singlevaluelist",
    "multichoice": "multivaluelist",
}


# --- services -------------------------------------------------------------------------


def _service(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": local_name(category),
        "description": local_name(category),
        "metadata": bool(category.fields),
        "type": "realtime",
        "keywords": ",".join(str(k) for k in category.keywords or []),
        "group": _("Medical") if category.medical else "",
    }


@open311_view
def services_list(request: HttpRequest, fmt: str) -> HttpResponse:
    allow_methods(request, "GET", "HEAD")
    jurisdiction_area(request.GET.get("jurisdiction_id", ""))
    return render.document(fmt, "services", [_service(c) for c in selectors.category_list()])


def _attribute(order: int, definition: dict[str, Any]) -> dict[str, Any]:
    kind = str(definition.get("type", "text"))
    values: list[dict[str, str]] = []
    if kind in ("choice", "multichoice"):
        values = [{"key": str(c), "name": str(c)} for c in definition.get("choices", [])]
    elif kind == "bool":
        values = [{"key": "true", "name": _("Yes")}, {"key": "false", "name": _("No")}]
    limits = [
        text % {"n": definition[key]}
        for key, text in (("min", _("at least %(n)s")), ("max", _("at most %(n)s")))
        if definition.get(key) is not None
    ]
    descriptions = {
        "int": _("A whole number"),
        "decimal": _("A number"),
        "date": _("A date (YYYY-MM-DD)"),
    }
    datatype_description = " ".join([str(descriptions.get(kind, "")), *limits]).strip()
    return {
        "variable": True,
        "code": str(definition.get("name", "")),
        "datatype": _DATATYPES.get(kind, "string"),
        "required": bool(definition.get("required")),
        "datatype_description": datatype_description,
        "order": order,
        "description": field_label(definition),
        "values": values,
    }


@open311_view
def service_definition(request: HttpRequest, service_code: str, fmt: str) -> HttpResponse:
    allow_methods(request, "GET", "HEAD")
    jurisdiction_area(request.GET.get("jurisdiction_id", ""))
    category = selectors.category_list().filter(code=service_code).first()
    if category is None:
        raise Open311Error(404, _("service_code not found."))
    body = {
        "service_code": category.code,
        "attributes": [_attribute(i, d) for i, d in enumerate(category.fields or [], start=1)],
    }
    return render.document(fmt, "service_definition", body)


# --- requests -------------------------------------------------------------------------


def request_token(order: WorkOrder) -> str:
    """A token that names one order and cannot be guessed from its number."""
    return f"{order.pk}.{lookup_hash(f'open311-token:{order.pk}')[:20]}"


def _order_for_token(token: str) -> WorkOrder:
    pk_text = token.partition(".")[0]
    if not pk_text.isdigit() or len(pk_text) > 18:
        raise Open311Error(404, _("token not found."))
    order = selectors.workorder_track_by_pk(pk=int(pk_text))
    if order is None or not secrets.compare_digest(request_token(order), token):
        raise Open311Error(404, _("token not found."))
    return order


def _tracked(numbers: list[str], tokens: list[str]) -> list[WorkOrder]:
    """Anonymous lookups: a number is a date and a serial that anyone can guess, so each
    must come with the token its request was answered with (``token``, comma-separated)."""
    found: list[WorkOrder] = []
    for token in tokens[:MAX_IDS]:
        try:
            order = _order_for_token(token)
        except Open311Error:
            continue
        if order.number in numbers:
            found.append(order)
    return found


def _status_notes(order: WorkOrder) -> str:
    if order.duplicate_of_id is not None and order.duplicate_of is not None:
        return _("Handled as request %(number)s.") % {"number": order.duplicate_of.number}
    return str(order.get_status_display())


def _public_place(order: WorkOrder) -> tuple[float | None, float | None]:
    """The centre of the order's grid (or coarser area): never the point that was filed."""
    area = order.area
    return area.lat, area.lng


def media_url(request: HttpRequest, order: WorkOrder) -> str | None:
    """The first photo of the order, fetched with the same key (``X-Api-Key``)."""
    first = min((p.pk for p in order.photos.all()), default=None)
    if first is None:
        return None
    return request.build_absolute_uri(f"/open311/v2/media/{first}")


def _record(order: WorkOrder, *, full: bool, request: HttpRequest | None = None) -> dict[str, Any]:
    unit = order.responsible_unit
    lat, lng = (order.lat, order.lng) if full else _public_place(order)
    return {
        "service_request_id": order.number,
        "status": "open" if order.is_open else "closed",
        "status_notes": _status_notes(order),
        "service_name": local_name(order.category),
        "service_code": order.category.code,
        "description": order.description if full else None,
        "agency_responsible": local_name(unit) if unit is not None else "",
        "service_notice": "",
        "requested_datetime": render.w3_datetime(order.created_at),
        "updated_datetime": render.w3_datetime(order.updated_at),
        "expected_datetime": render.w3_datetime(order.due_resolution_at),
        "address": order.address if full else None,
        "address_id": None,
        "zipcode": None,
        "lat": lat,
        "long": lng,
        "media_url": media_url(request, order) if full and request is not None else None,
    }


@open311_view
def requests_endpoint(request: HttpRequest, fmt: str) -> HttpResponse:
    allow_methods(request, "GET", "HEAD", "POST")
    if request.method == "POST":
        return _create(request, fmt)
    return _query(request, fmt)


def _query(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.GET
    # Every parameter is checked before the key, so a bad one is a 400 with or without it.
    jurisdiction = jurisdiction_area(params.get("jurisdiction_id", ""))
    numbers = split_csv(params.get("service_request_id", ""))
    if len(numbers) > MAX_IDS:
        raise Open311Error(400, _("Ask for at most %(n)d requests at once.") % {"n": MAX_IDS})
    states = {"open": True, "closed": False}
    wanted = split_csv(params.get("status", ""))
    if any(s not in states for s in wanted):
        raise Open311Error(400, _("status must be open or closed."))
    start = parse_w3("start_date", params.get("start_date", ""))
    end = parse_w3("end_date", params.get("end_date", ""))
    if not numbers:
        # The spec's default window: the 90 days up to end_date (or now).
        end_or_now = end or clock.now()
        start = start or end_or_now - MAX_SPAN
        if end_or_now - start > MAX_SPAN:
            raise Open311Error(400, _("The date range may not span more than 90 days."))
    filters: dict[str, Any] = {
        "numbers": numbers,
        "category_codes": split_csv(params.get("service_code", "")),
        "since": None if numbers else start,
        "until": None if numbers else end,
        "open_states": [states[s] for s in wanted] if wanted else None,
    }
    actor = machine_user(request, params, required=False)
    if actor is None:
        orders = _public_feed(jurisdiction=jurisdiction, **filters)[:MAX_RESULTS]
        found = {o.pk: o for o in orders}
        for order in _tracked(numbers, split_csv(params.get("token", ""))):
            found.setdefault(order.pk, order)
        return render.document(
            fmt, "service_requests", [_record(o, full=False) for o in found.values()]
        )
    feed = selectors.workorder_feed(actor=actor, **filters)
    if jurisdiction is not None:
        feed = feed.filter(area_path__startswith=jurisdiction.path)
    orders = feed.select_related("duplicate_of").prefetch_related(_PHOTO_IDS)
    return render.document(
        fmt,
        "service_requests",
        [_record(o, full=True, request=request) for o in orders[:MAX_RESULTS]],
    )


_PHOTO_IDS = Prefetch("photos", queryset=Photo.objects.only("pk", "order_id"))


def _public_feed(
    *,
    jurisdiction: Area | None,
    numbers: list[str],
    category_codes: list[str],
    since: dt.datetime | None,
    until: dt.datetime | None,
    open_states: list[bool] | None,
) -> QuerySet[WorkOrder]:
    """Requests anyone may read: every order but the medical ones, newest first, with only
    what the public fields need loaded."""
    qs = WorkOrder.objects.filter(category__medical=False)
    if jurisdiction is not None:
        qs = qs.filter(area_path__startswith=jurisdiction.path)
    if numbers:
        qs = qs.filter(number__in=numbers)
    if category_codes:
        qs = qs.filter(category__code__in=category_codes)
    if since:
        qs = qs.filter(created_at__gte=since)
    if until:
        qs = qs.filter(created_at__lte=until)
    if open_states is not None and len(set(open_states)) == 1:
        qs = (
            qs.filter(status__in=OPEN_STATUSES)
            if open_states[0]
            else qs.exclude(status__in=OPEN_STATUSES)
        )
    return qs.select_related("category", "responsible_unit", "area", "duplicate_of").order_by(
        "-created_at", "-pk"
    )


def attributes_of(data: Any) -> dict[str, Any]:
    """``attribute[code]=value`` as one value, and ``attribute[code][]=a&attribute[code][]=b``
    (a ``multivaluelist``) as a list of values."""
    extra: dict[str, Any] = {}
    for key in data:
        if not key.startswith("attribute["):
            continue
        code = key[len("attribute[") :]
        if code.endswith("][]"):
            code = code[:-3]
            values = [v for v in data.getlist(key) if v.strip()]
        elif code.endswith("]"):
            code = code[:-1]
            values = None
        else:
            continue
        if not code or "[" in code or "]" in code:
            continue
        extra[code] = values if values is not None else data.get(key, "")
    return extra


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    data = request.POST
    refuse_control_characters(data)
    actor = machine_user(request, data, required=True)
    jurisdiction = jurisdiction_area(data.get("jurisdiction_id", ""))
    service_code = data.get("service_code", "").strip()
    if not service_code:
        raise Open311Error(400, _("service_code is required."))
    lat = parse_float("lat", data.get("lat", ""), limit=90)
    lng = parse_float("long", data.get("long", ""), limit=180)
    if (lat is None) != (lng is None):
        raise Open311Error(400, _("Give both lat and long, or neither."))
    area = place_of(actor, jurisdiction, lat, lng)
    extra = attributes_of(data)
    name = " ".join(p for p in (data.get("first_name", ""), data.get("last_name", "")) if p)

    def create() -> tuple[int, Any]:
        intake = services.workorder_create(
            actor=actor,
            description=data.get("description", ""),
            category_code=service_code,
            channel=Channel.OPEN311,
            area=area,
            contact_name=name[:50],
            contact_phone=data.get("phone", "")[:20],
            extra=extra,
            address=data.get("address_string", "")[:255],
            lat=lat,
            lng=lng,
            client_ip=str(request.META.get("REMOTE_ADDR", ""))[:45],
        )
        live = intake.duplicate_of or intake.order
        notice = ""
        if intake.call_120:
            notice = _("Call 120 now. This request was also filed as a medical emergency.")
        elif intake.duplicate_of is not None:
            notice = _("Already being handled as request %(number)s.") % {"number": live.number}
        item = {
            "service_request_id": live.number,
            "token": request_token(live),
            "service_notice": notice,
            "account_id": None,
        }
        return 201, [item]

    # Keys of Open311 clients are apart from the same user's API keys.
    payload = {k: data.getlist(k) for k in sorted(data) if k != "api_key"}
    status, body = once(
        request, key=header_key(request), payload=payload, run=create, owner=f"open311:{actor.pk}"
    )
    return render.document(fmt, "service_requests", body, status=status)


@open311_view
def request_detail(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    allow_methods(request, "GET", "HEAD")
    jurisdiction_area(request.GET.get("jurisdiction_id", ""))
    actor = machine_user(request, request.GET, required=False)
    if actor is None:
        no_filter: dict[str, Any] = {"since": None, "until": None, "open_states": None}
        public = _public_feed(
            jurisdiction=None, numbers=[request_id], category_codes=[], **no_filter
        )
        found = list(public[:1]) or _tracked([request_id], split_csv(request.GET.get("token", "")))
        full = False
    else:
        feed = selectors.workorder_feed(actor=actor, numbers=[request_id])
        found = list(feed.select_related("duplicate_of").prefetch_related(_PHOTO_IDS))
        full = True
    if not found:
        raise Open311Error(404, _("service_request_id not found."))
    return render.document(fmt, "service_requests", [_record(found[0], full=full, request=request)])


@open311_view
def media(request: HttpRequest, photo_id: int, fmt: str = "json") -> HttpResponse:
    """A request's photo, for a key that may read the request (``media_url`` points here)."""
    allow_methods(request, "GET", "HEAD")
    actor = machine_user(request, request.GET, required=True)
    try:
        photo = selectors.photo_get(actor=actor, pk=photo_id)
    except (NotFound, PermissionDenied):
        raise Open311Error(404, _("Not found.")) from None
    response = HttpResponse(bytes(photo.data), content_type=photo.content_type)
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = f'inline; filename="photo-{photo.pk}"'
    return response


@open311_view
def token_detail(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    allow_methods(request, "GET", "HEAD")
    order = _order_for_token(token)
    body = [{"service_request_id": order.number, "token": token}]
    return render.document(fmt, "service_requests", body)


@open311_view
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    """The service discovery document pointing clients at this endpoint (.json or .xml)."""
    allow_methods(request, "GET", "HEAD")
    base = request.build_absolute_uri("/open311/v2/")
    body = {
        "changeset": "2022-11-05T00:00:00+08:00",
        "contact": "",
        "key_service": "",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base,
                "changeset": "2022-11-05T00:00:00+08:00",
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return render.document(fmt, "discovery", body)


@csrf_exempt
def unknown_path(request: HttpRequest) -> HttpResponse:
    fmt = "xml" if request.path.endswith(".xml") else "json"
    return render.errors(fmt, 404, [_("Not found.")])
