"""Transfer and standing-need endpoints, added to the health router (``health.api``).

Creates take an ``Idempotency-Key`` (``api.creates``): a retried request returns the first
answer and files nothing new.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from ninja import Router

from lifeline.api.auth import AuthedRequest
from lifeline.api.creates import IdempotencyKey, create_once
from lifeline.api.schemas import ERRORS, Id
from lifeline.core.actors import Actor
from lifeline.core.errors import ServiceError
from lifeline.health.api_common import decision_out
from lifeline.health.models import DesignatedHospital, MedicalTransfer, StandingNeed
from lifeline.health.schemas import (
    EndIn,
    MedicalTransferIn,
    StandingNeedIn,
    StandingNeedOut,
    TimeIn,
    TransferOut,
)
from lifeline.health.selectors import (
    hospital_list,
    standing_need_get,
    transfer_get,
)
from lifeline.health.services import (
    medical_transfer_record,
    medical_transfer_request,
    standing_need_create,
    standing_need_end,
)
from lifeline.health.vocab import TRANSFER_FIELDS
from lifeline.registry.selectors import person_get

router = Router(tags=["health"])


def _hospital(actor: Actor, pk: int | None) -> DesignatedHospital | None:
    if pk is None:
        return None
    hospital = hospital_list(actor=actor).filter(pk=pk).first()
    if hospital is None:
        raise ServiceError(_("No such hospital."), fields={"hospital_id": [_("Unknown.")]})
    return hospital


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def transfer_out(transfer: MedicalTransfer) -> dict[str, Any]:
    order = transfer.order
    return {
        "id": transfer.pk,
        "kind": transfer.kind,
        "area_path": transfer.area_path,
        "person_id": transfer.person_id,
        "order": {
            "id": order.pk,
            "number": order.number,
            "priority": order.priority,
            "status": order.status,
            "emergency": order.emergency,
        },
        "decision": decision_out(transfer.decision),
        "hospital_name": transfer.hospital_name,
        "appointment_at": _iso(transfer.appointment_at),
        "standing_need_id": transfer.standing_need_id,
        "times": {step: _iso(getattr(transfer, field)) for step, field in TRANSFER_FIELDS.items()},
        "hospital_told_at": _iso(transfer.hospital_told_at),
    }


def standing_need_out(need: StandingNeed) -> dict[str, Any]:
    return {
        "id": need.pk,
        "area_path": need.area_path,
        "person_id": need.person_id,
        "kind": need.kind,
        "weekdays": need.weekdays,
        "dates": need.dates,
        "time": need.time.isoformat(timespec="minutes"),
        "hospital_id": need.hospital_id,
        "active_from": _iso(need.active_from),
        "active_to": _iso(need.active_to),
        "lead_hours": need.lead_hours,
        "active": need.active,
        "last_error": need.last_error,
    }


@router.post("/transfers", response={201: TransferOut, **ERRORS})
def transfer_create(request: AuthedRequest, payload: MedicalTransferIn, key: IdempotencyKey) -> Any:
    """A medical transfer: a top-priority work order with the access decision attached."""
    actor = request.auth

    def make() -> dict[str, Any]:
        transfer = medical_transfer_request(
            actor=actor,
            person=person_get(actor=actor, pk=payload.person_id),
            urgency=payload.urgency,
            needs=payload.needs,
            note=payload.note,
            channel="api",
            capabilities=payload.capabilities,
        )
        return transfer_out(transfer)

    return create_once(request, key=key, payload=payload, make=make, out=TransferOut)


@router.get("/transfers/{transfer_id}", response={200: TransferOut, **ERRORS})
def transfer_read(request: AuthedRequest, transfer_id: Id) -> Any:
    return transfer_out(transfer_get(actor=request.auth, pk=transfer_id))


@router.post("/transfers/{transfer_id}/times", response={200: TransferOut, **ERRORS})
def transfer_time(request: AuthedRequest, transfer_id: Id, payload: TimeIn) -> Any:
    """Record call, dispatch, arrival or handover: in order, once each."""
    actor = request.auth
    transfer = transfer_get(actor=actor, pk=transfer_id)
    updated = medical_transfer_record(
        actor=actor,
        transfer=transfer,
        step=payload.step,
        at=payload.at,
        hospital=_hospital(actor, payload.hospital_id),
    )
    return transfer_out(transfer_get(actor=actor, pk=updated.pk))


@router.post("/standing-needs", response={201: StandingNeedOut, **ERRORS})
def need_create(request: AuthedRequest, payload: StandingNeedIn, key: IdempotencyKey) -> Any:
    """Dialysis weekdays or chemo dates: their transport orders are filed ahead."""
    actor = request.auth

    def make() -> dict[str, Any]:
        need = standing_need_create(
            actor=actor,
            person=person_get(actor=actor, pk=payload.person_id),
            kind=payload.kind,
            weekdays=payload.weekdays,
            dates=payload.dates,
            time=payload.time,
            hospital=_hospital(actor, payload.hospital_id),
            active_from=payload.active_from,
            active_to=payload.active_to,
            lead_hours=payload.lead_hours,
            note=payload.note,
        )
        return standing_need_out(need)

    return create_once(request, key=key, payload=payload, make=make, out=StandingNeedOut)


@router.get("/standing-needs/{need_id}", response={200: StandingNeedOut, **ERRORS})
def need_read(request: AuthedRequest, need_id: Id) -> Any:
    return standing_need_out(standing_need_get(actor=request.auth, pk=need_id))


@router.post("/standing-needs/{need_id}/end", response={200: StandingNeedOut, **ERRORS})
def need_end(request: AuthedRequest, need_id: Id, payload: EndIn) -> Any:
    actor = request.auth
    need = standing_need_end(
        actor=actor, need=standing_need_get(actor=actor, pk=need_id), reason=payload.reason
    )
    return standing_need_out(need)
