"""Supplies pages: shipments. The list and one shipment (dispatch, cancel, a new code,
the receipt and its discrepancies), the printable waybill, and the receiving contact's
phone page, reached by the signed link in their text, without signing in."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import can
from lifeline.core.errors import ServiceError
from lifeline.core.personal import mask_phone
from lifeline.core.safetext import refuses_unsafe_text
from lifeline.supplies.models import Shipment, ShipmentStatus
from lifeline.supplies.selectors.shipments import shipment_get, shipment_lines, shipment_list
from lifeline.supplies.services import shipments as services
from lifeline.supplies.services.quantities import show
from lifeline.web.errors import error_text, renders_service_errors

PAGE_SIZE = 100


def _signed_in(view: Any) -> Any:
    return login_required(renders_service_errors(view))


def _may_send(request: HttpRequest, shipment: Shipment) -> bool:
    warehouse = shipment.from_warehouse
    return can(
        request.user,
        (Perm.SUPPLIES_ALLOCATE, Perm.SUPPLIES_STOCK),
        path=warehouse.area_path,
        unit_id=warehouse.unit_id,
    )


def _rows(shipment: Shipment, lines: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "line": line,
            "name": line.item.local_name,
            "unit": line.item.base_unit.local_name,
            "sent": show(line.quantity),
            "received": None if line.received is None else show(line.received),
            "short": line.received is not None and line.received < line.quantity,
        }
        for line in lines
    ]


@_signed_in
def shipments_page(request: HttpRequest) -> HttpResponse:
    status = (request.GET.get("status") or "").strip()
    if status not in ShipmentStatus.values:
        status = ""
    rows = list(shipment_list(actor=request.user, status=status or None)[:PAGE_SIZE])
    return render(
        request,
        "supplies/shipments/list.html",
        {"shipments": rows, "status": status, "statuses": ShipmentStatus.choices},
    )


@_signed_in
def shipment_page(request: HttpRequest, pk: int) -> HttpResponse:
    shipment = shipment_get(actor=request.user, pk=pk)
    return render(
        request,
        "supplies/shipments/detail.html",
        {
            "shipment": shipment,
            "rows": _rows(shipment, list(shipment.lines.all())),
            "phone": mask_phone(shipment.contact_phone),
            "may_send": _may_send(request, shipment),
            "discrepancies": [line for line in shipment.lines.all() if line.discrepancy],
        },
    )


ACTIONS = {
    "dispatch": (
        lambda actor, shipment, data: services.shipment_dispatch(actor=actor, shipment=shipment),
        _("The shipment is on its way; the receiving contact has been sent a text."),
    ),
    "cancel": (
        lambda actor, shipment, data: services.shipment_cancel(
            actor=actor, shipment=shipment, reason=(data.get("reason") or "")[:200]
        ),
        _("The shipment is cancelled and its stock is back in the warehouse."),
    ),
    "resend": (
        lambda actor, shipment, data: services.shipment_resend_code(actor=actor, shipment=shipment),
        _("A new code has been sent to the receiving contact."),
    ),
}


@require_POST
@_signed_in
@refuses_unsafe_text
def shipment_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    shipment = shipment_get(actor=request.user, pk=pk)
    if action not in ACTIONS:
        return redirect("supplies:shipment", pk=pk)
    run, done = ACTIONS[action]
    try:
        run(request.user, shipment, request.POST)
    except ServiceError as error:
        messages.error(request, error_text(error, field_names=False))
    else:
        messages.success(request, done)
    return redirect("supplies:shipment", pk=pk)


@_signed_in
def waybill_page(request: HttpRequest, pk: int) -> HttpResponse:
    shipment = shipment_get(actor=request.user, pk=pk)
    warehouse = shipment.from_warehouse
    return render(
        request,
        "supplies/shipments/waybill.html",
        {
            "shipment": shipment,
            "rows": _rows(shipment, list(shipment.lines.all())),
            "phone": mask_phone(shipment.contact_phone),
            "sender_phone": mask_phone(warehouse.contact_phone),
        },
    )


# The receiving contact's phone page --------------------------------------------------


def _receive_context(
    shipment: Shipment, posted: Any = None, fields: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    fields = fields or {}
    rows = []
    for row in _rows(shipment, shipment_lines(shipment)):
        pk = row["line"].pk
        row["value"] = posted.get(f"line_{pk}", row["sent"]) if posted else row["sent"]
        row["note"] = posted.get(f"note_{pk}", "") if posted else ""
        row["errors"] = fields.get(f"line_{pk}", []) + fields.get(f"note_{pk}", [])
        rows.append(row)
    return {
        "shipment": shipment,
        "rows": rows,
        "posted": posted or {},
        "fields": fields,
        "waiting": shipment.status == ShipmentStatus.DISPATCHED,
        "done": shipment.status in (ShipmentStatus.DELIVERED, ShipmentStatus.DISCREPANCY),
    }


@renders_service_errors
@refuses_unsafe_text
def receive_page(request: HttpRequest, token: str) -> HttpResponse:
    """No login: the signed link says which shipment; the code or a signature says who."""
    shipment = services.shipment_for_token(token)
    if request.method != "POST":
        return render(request, "supplies/shipments/receive.html", _receive_context(shipment))
    lines = shipment_lines(shipment)
    try:
        services.shipment_confirm(
            token_or_shipment=token,
            received_by=request.POST.get("received_by", ""),
            lines={line.pk: request.POST.get(f"line_{line.pk}", "") for line in lines},
            notes={line.pk: request.POST.get(f"note_{line.pk}", "") for line in lines},
            code=request.POST.get("code", ""),
            signature=request.POST.get("signature", ""),
            note=request.POST.get("note", ""),
        )
    except ServiceError as error:
        context = _receive_context(shipment, request.POST, error.fields)
        context["error"] = str(error.message)
        return render(request, "supplies/shipments/receive.html", context, status=error.status)
    return redirect("supplies:receive", token=token)


urlpatterns: list[URLPattern] = [
    path("shipments/", shipments_page, name="shipments"),
    path("shipments/<int:pk>/", shipment_page, name="shipment"),
    path("shipments/<int:pk>/waybill/", waybill_page, name="waybill"),
    path(
        "shipments/<int:pk>/<str:action>/",
        shipment_act,
        name="shipment_act",
    ),
    path("receive/<str:token>/", receive_page, name="receive"),
]
