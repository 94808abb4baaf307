"""Supplies API: shipments. Read (scoped to the destination and the sending unit),
dispatch (texts the receiving contact), cancel before dispatch, and a receipt recorded by
staff for the contact (with the texted code or a drawn signature). Shipments are made by
the allocation approval (``/allocations``), so there is no create here."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Query, Router, Schema
from pydantic import Field

from lifeline.api.auth import AuthedRequest
from lifeline.api.pagination import PageParams, page_of, paginate
from lifeline.api.schemas import ERRORS, SAFE, Id, InSchema, bounded
from lifeline.core.personal import mask_phone
from lifeline.supplies.models import Shipment
from lifeline.supplies.selectors.shipments import shipment_get, shipment_list
from lifeline.supplies.services import shipments as services
from lifeline.supplies.services.quantities import show

router = Router(tags=["supplies"])


class ShipmentLineOut(Schema):
    id: int
    item: str
    item_name: str
    unit: str
    quantity: str
    received: str | None
    discrepancy: str
    need_id: int | None
    lot_no: str


class ShipmentOut(Schema):
    id: int
    waybill_no: str
    status: str
    status_label: str
    from_warehouse: str
    to_warehouse: str | None
    to_label: str
    area_path: str
    unit_id: int
    contact_name: str
    contact_phone: str
    created_at: dt.datetime
    dispatched_at: dt.datetime | None
    delivered_at: dt.datetime | None
    received_by: str
    signed: bool
    delivery_id: int | None
    note: str


class ShipmentDetailOut(ShipmentOut):
    lines: list[ShipmentLineOut]


class ShipmentFilter(Schema):
    status: str | None = Field(None, max_length=12)
    warehouse_id: Id | None = None


class ShipmentCancelIn(InSchema):
    reason: Annotated[str, bounded(200), SAFE] = ""


class ReceivedLineIn(InSchema):
    line_id: Id
    received: Decimal = Field(ge=0, max_digits=12, decimal_places=3)
    note: Annotated[str, bounded(300), SAFE] = ""


class ShipmentConfirmIn(InSchema):
    received_by: Annotated[str, bounded(50, min_length=1), SAFE]
    lines: list[ReceivedLineIn] = Field(max_length=500)
    code: Annotated[str, bounded(6), SAFE] = ""
    signature: Annotated[str, bounded(services.SIGNATURE_MAX)] = ""
    note: Annotated[str, bounded(300), SAFE] = ""


def shipment_out(shipment: Shipment) -> dict[str, Any]:
    return {
        "id": shipment.pk,
        "waybill_no": shipment.waybill_no,
        "status": shipment.status,
        "status_label": str(shipment.get_status_display()),
        "from_warehouse": shipment.from_warehouse.name,
        "to_warehouse": shipment.to_warehouse.name if shipment.to_warehouse else None,
        "to_label": shipment.to_label,
        "area_path": shipment.area_path,
        "unit_id": shipment.unit_id,
        "contact_name": shipment.contact_name,
        "contact_phone": mask_phone(shipment.contact_phone),
        "created_at": shipment.created_at,
        "dispatched_at": shipment.dispatched_at,
        "delivered_at": shipment.delivered_at,
        "received_by": shipment.received_by,
        "signed": bool(shipment.signature),
        "delivery_id": shipment.delivery_id,
        "note": shipment.note,
    }


def shipment_detail_out(shipment: Shipment) -> dict[str, Any]:
    answer = shipment_out(shipment)
    answer["lines"] = [
        {
            "id": line.pk,
            "item": line.item.code,
            "item_name": line.item.local_name,
            "unit": line.item.base_unit.local_name,
            "quantity": show(line.quantity),
            "received": None if line.received is None else show(line.received),
            "discrepancy": line.discrepancy,
            "need_id": line.need_id,
            "lot_no": line.lot.lot_no,
        }
        for line in shipment.lines.all()
    ]
    return answer


@router.get("/shipments", response={200: page_of(ShipmentOut), **ERRORS})
def shipments_list(
    request: AuthedRequest, filters: Query[ShipmentFilter], page: Query[PageParams]
) -> Any:
    qs = shipment_list(actor=request.auth, status=filters.status, warehouse_id=filters.warehouse_id)
    answer = paginate(qs, page)
    answer["items"] = [shipment_out(s) for s in answer["items"]]
    return answer


@router.get("/shipments/{int:shipment_id}", response={200: ShipmentDetailOut, **ERRORS})
def shipments_detail(request: AuthedRequest, shipment_id: Id) -> Any:
    return shipment_detail_out(shipment_get(actor=request.auth, pk=shipment_id))


@router.post("/shipments/{int:shipment_id}/dispatch", response={200: ShipmentDetailOut, **ERRORS})
def shipments_dispatch(request: AuthedRequest, shipment_id: Id) -> Any:
    """The shipment leaves; the receiving contact is texted a one-time code and the link."""
    actor = request.auth
    services.shipment_dispatch(actor=actor, shipment=shipment_get(actor=actor, pk=shipment_id))
    return shipment_detail_out(shipment_get(actor=actor, pk=shipment_id))


@router.post("/shipments/{int:shipment_id}/cancel", response={200: ShipmentDetailOut, **ERRORS})
def shipments_cancel(request: AuthedRequest, shipment_id: Id, payload: ShipmentCancelIn) -> Any:
    """Before it leaves: the stock goes back into its lots."""
    actor = request.auth
    services.shipment_cancel(
        actor=actor, shipment=shipment_get(actor=actor, pk=shipment_id), reason=payload.reason
    )
    return shipment_detail_out(shipment_get(actor=actor, pk=shipment_id))


@router.post("/shipments/{int:shipment_id}/confirm", response={200: ShipmentDetailOut, **ERRORS})
def shipments_confirm(request: AuthedRequest, shipment_id: Id, payload: ShipmentConfirmIn) -> Any:
    """The receipt, recorded for the receiving contact with their code or signature."""
    actor = request.auth
    services.shipment_confirm(
        actor=actor,
        token_or_shipment=shipment_get(actor=actor, pk=shipment_id),
        received_by=payload.received_by,
        lines={line.line_id: line.received for line in payload.lines},
        notes={line.line_id: line.note for line in payload.lines},
        code=payload.code,
        signature=payload.signature,
        note=payload.note,
    )
    return shipment_detail_out(shipment_get(actor=actor, pk=shipment_id))
