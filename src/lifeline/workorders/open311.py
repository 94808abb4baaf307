"""Open311 GeoReport v2, so that existing 311 clients and partner platforms file and follow
requests: services (one per category), service definitions (the category's extra fields),
POST requests (form-encoded, ``api_key``), GET requests, one request, and tokens.

``api_key`` is an ``accounts.ApiToken``; its user's memberships scope what it may read and
where it may file, like any other actor. Requests are created by ``workorder_create`` on
the ``open311`` channel, so routing, clocks, audit and outbox are the same as everywhere.

Reading without a key is limited to tracking: ``GET requests`` with ``service_request_id``
(the order number, given to the resident) shows status, category, times and the unit in
charge, never the description, the place or the contact.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from lifeline.api.creates import header_key, once
from lifeline.core import clock
from lifeline.core.personal import lookup_hash
from lifeline.web.templatetags.lifeline_web import local_name
from lifeline.workorders import open311_render as render
from lifeline.workorders import selectors, services
from lifeline.workorders.models import Category, Channel, WorkOrder
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
    if kind == "choice":
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


def _record(order: WorkOrder, *, full: bool) -> dict[str, Any]:
    unit = order.responsible_unit
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
        "lat": order.lat if full else None,
        "long": order.lng if full else None,
        "media_url": None,
    }


@open311_view
def requests_endpoint(request: HttpRequest, fmt: str) -> HttpResponse:
    allow_methods(request, "GET", "HEAD", "POST")
    if request.method == "POST":
        return _create(request, fmt)
    return _query(request, fmt)


def _query(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.GET
    jurisdiction_area(params.get("jurisdiction_id", ""))
    actor = machine_user(request, params, required=False)
    numbers = split_csv(params.get("service_request_id", ""))
    if len(numbers) > MAX_IDS:
        raise Open311Error(400, _("Ask for at most %(n)d requests at once.") % {"n": MAX_IDS})
    if actor is None:
        if not numbers:
            raise Open311Error(
                403,
                _("api_key is required to list requests; give service_request_id to follow one."),
            )
        tracked = _tracked(numbers, split_csv(params.get("token", "")))
        return render.document(
            fmt, "service_requests", [_record(o, full=False) for o in tracked[:MAX_RESULTS]]
        )
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
    orders = selectors.workorder_feed(
        actor=actor,
        numbers=numbers,
        category_codes=split_csv(params.get("service_code", "")),
        since=None if numbers else start,
        until=None if numbers else end,
        open_states=[states[s] for s in wanted] if wanted else None,
    ).select_related("duplicate_of")
    return render.document(
        fmt, "service_requests", [_record(o, full=True) for o in orders[:MAX_RESULTS]]
    )


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
    extra = {
        key[len("attribute[") : -1]: data.get(key, "")
        for key in data
        if key.startswith("attribute[") and key.endswith("]") and "][" not in key
    }
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
        found = _tracked([request_id], split_csv(request.GET.get("token", "")))
        full = False
    else:
        found = list(selectors.workorder_feed(actor=actor, numbers=[request_id]))
        full = True
    if not found:
        raise Open311Error(404, _("service_request_id not found."))
    return render.document(fmt, "service_requests", [_record(found[0], full=full)])


@open311_view
def token_detail(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    allow_methods(request, "GET", "HEAD")
    order = _order_for_token(token)
    body = [{"service_request_id": order.number, "token": token}]
    return render.document(fmt, "service_requests", body)


def discovery(request: HttpRequest) -> HttpResponse:
    """The service discovery document pointing clients at this endpoint."""
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
    return render.document("json", "discovery", body)


@csrf_exempt
def unknown_path(request: HttpRequest) -> HttpResponse:
    fmt = "xml" if request.path.endswith(".xml") else "json"
    return render.errors(fmt, 404, [_("Not found.")])
