"""Transfer and standing-need endpoints, added to the health router by ``api.build_router``.

Creates take an ``Idempotency-Key``: a retried request returns the first answer and files
nothing new.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Header, Router, Schema, Status

from lifeline.api.schemas import Id
from lifeline.core.errors import ServiceError
from lifeline.core.idempotency import MAX_KEY_LENGTH, idempotent
from lifeline.health.api_common import decision_out
from lifeline.health.models import DesignatedHospital, MedicalTransfer, StandingNeed
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

IdempotencyKey = Annotated[
    str | None, Header(alias="Idempotency-Key", max_length=MAX_KEY_LENGTH, default=None)
]


class MedicalTransferIn(Schema):
    person_id: Id
    urgency: str = Field("necessary", max_length=20)
    needs: list[Annotated[str, Field(max_length=20)]] = Field(default_factory=list, max_length=10)
    note: str = Field("", max_length=2000)


class TimeIn(Schema):
    step: str = Field(..., max_length=20)
    at: dt.datetime | None = None
    hospital_id: Id | None = None


class StandingNeedIn(Schema):
    person_id: Id
    kind: str = Field(..., max_length=20)
    weekdays: list[int] = Field(default_factory=list, max_length=7)
    dates: list[dt.date] = Field(default_factory=list, max_length=200)
    time: dt.time
    hospital_id: Id | None = None
    active_from: dt.date | None = None
    active_to: dt.date | None = None
    lead_hours: int = Field(24, ge=1, le=168)
    note: str = Field("", max_length=200)


class EndIn(Schema):
    reason: str = Field(..., max_length=500)


def _hospital(actor: Any, pk: int | None) -> DesignatedHospital | None:
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


def add_transfer_routes(router: Router) -> None:
    @router.post("/transfers", response={201: dict})
    def transfer_create(
        request: HttpRequest, payload: MedicalTransferIn, key: IdempotencyKey
    ) -> Any:
        """A medical transfer: a top-priority work order with the access decision attached."""
        actor = request.user

        def run() -> tuple[int, Any]:
            transfer = medical_transfer_request(
                actor=actor,
                person=person_get(actor=actor, pk=payload.person_id),
                urgency=payload.urgency,
                needs=payload.needs,
                note=payload.note,
                channel="api",
            )
            return 201, transfer_out(transfer)

        status, body = idempotent(
            owner=str(actor.pk),
            key=key,
            endpoint="health.transfer_create",
            payload=payload.dict(),
            create=run,
        )
        return Status(status, body)

    @router.get("/transfers/{transfer_id}", response=dict)
    def transfer_read(request: HttpRequest, transfer_id: Id) -> dict[str, Any]:
        return transfer_out(transfer_get(actor=request.user, pk=transfer_id))

    @router.post("/transfers/{transfer_id}/times", response=dict)
    def transfer_time(request: HttpRequest, transfer_id: Id, payload: TimeIn) -> dict[str, Any]:
        """Record call, dispatch, arrival or handover: in order, once each."""
        actor = request.user
        transfer = transfer_get(actor=actor, pk=transfer_id)
        updated = medical_transfer_record(
            actor=actor,
            transfer=transfer,
            step=payload.step,
            at=payload.at,
            hospital=_hospital(actor, payload.hospital_id),
        )
        return transfer_out(transfer_get(actor=actor, pk=updated.pk))

    @router.post("/standing-needs", response={201: dict})
    def need_create(request: HttpRequest, payload: StandingNeedIn, key: IdempotencyKey) -> Any:
        """Dialysis weekdays or chemo dates: their transport orders are filed ahead."""
        actor = request.user

        def run() -> tuple[int, Any]:
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
            return 201, standing_need_out(need)

        status, body = idempotent(
            owner=str(actor.pk),
            key=key,
            endpoint="health.standing_need_create",
            payload=payload.dict(),
            create=run,
        )
        return Status(status, body)

    @router.get("/standing-needs/{need_id}", response=dict)
    def need_read(request: HttpRequest, need_id: Id) -> dict[str, Any]:
        return standing_need_out(standing_need_get(actor=request.user, pk=need_id))

    @router.post("/standing-needs/{need_id}/end", response=dict)
    def need_end(request: HttpRequest, need_id: Id, payload: EndIn) -> dict[str, Any]:
        actor = request.user
        need = standing_need_end(
            actor=actor, need=standing_need_get(actor=actor, pk=need_id), reason=payload.reason
        )
        return standing_need_out(need)
