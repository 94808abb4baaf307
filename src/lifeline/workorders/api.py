"""Work-order endpoints: intake (with Idempotency-Key), scoped lists and detail, the
timeline, and one POST per step of the order's life. Views only translate: selectors read,
services write and refuse."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router
from ninja.files import UploadedFile

from lifeline.accounts.scoping import scoped
from lifeline.api.auth import AuthedRequest
from lifeline.api.creates import IdempotencyKey, create_once
from lifeline.api.pagination import PageParams, page_of, paginate
from lifeline.api.schemas import ERRORS, Id
from lifeline.core.errors import NotFound, ServiceError
from lifeline.registry import selectors as registry
from lifeline.registry import tree
from lifeline.registry.models import Unit
from lifeline.workorders import selectors, services
from lifeline.workorders.models import WorkOrder
from lifeline.workorders.schemas import (
    CategoryOut,
    CloseIn,
    ConfirmedOut,
    ConfirmIn,
    DispatchIn,
    EventOut,
    HandoverIn,
    MergeIn,
    MetricsOut,
    NoteIn,
    ReasonIn,
    StopOut,
    TransferIn,
    VersionIn,
    WorkOrderCreatedOut,
    WorkOrderFilter,
    WorkOrderIn,
    WorkOrderOut,
    order_out,
)

router = Router(tags=["workorders"])

Page = Query[PageParams]


def _order(request: AuthedRequest, pk: int) -> WorkOrder:
    return selectors.workorder_get(actor=request.auth, pk=pk)


def _unit(request: AuthedRequest, pk: int) -> Unit:
    unit = scoped(Unit.objects.all(), request.auth).filter(pk=pk).first()
    if unit is None:
        raise ServiceError(_("No such unit."), fields={"unit": [_("Unknown unit.")]})
    return unit


@router.get("/workorders/categories", response={200: list[CategoryOut], **ERRORS})
def categories_list(request: AuthedRequest) -> Any:
    return list(selectors.category_list())


@router.get("/workorders", response={200: page_of(WorkOrderOut), **ERRORS})
def workorders_list(request: AuthedRequest, filters: Query[WorkOrderFilter], page: Page) -> Any:
    area = tree.area_get(actor=request.auth, pk=filters.area) if filters.area else None
    qs = selectors.workorder_list(
        actor=request.auth,
        status=filters.status,
        category=filters.category,
        unit_id=filters.unit,
        area_path=area.path if area else "",
        open_only=filters.open,
        overdue=filters.overdue,
        priority=filters.priority,
        q=filters.q,
    )
    return paginate(qs, page)


@router.get("/workorders/queue", response={200: page_of(WorkOrderOut), **ERRORS})
def workorders_queue(request: AuthedRequest, page: Page) -> Any:
    return paginate(selectors.workorder_queue(actor=request.auth), page)


@router.get("/workorders/metrics", response={200: list[MetricsOut], **ERRORS})
def workorders_metrics(request: AuthedRequest, by: str = "unit") -> Any:
    if by not in {"unit", "area", "day"}:
        raise ServiceError(
            _("Group by unit, area or day."), fields={"by": [_("unit, area or day")]}
        )
    return selectors.workorder_metrics(actor=request.auth, by=by)


@router.post("/workorders", response={201: WorkOrderCreatedOut, **ERRORS})
def workorders_create(request: AuthedRequest, payload: WorkOrderIn, key: IdempotencyKey) -> Any:
    """File a request. ``call_120`` true means: tell the caller to call 120 now."""
    actor = request.auth

    def make() -> dict[str, Any]:
        intake = services.workorder_create(
            actor=actor,
            description=payload.description,
            category_code=payload.category,
            channel=payload.channel,
            area=tree.area_get(actor=actor, pk=payload.area) if payload.area else None,
            household=(
                registry.household_get(actor=actor, pk=payload.household)
                if payload.household
                else None
            ),
            person=registry.person_get(actor=actor, pk=payload.person) if payload.person else None,
            contact_name=payload.contact_name,
            contact_phone=payload.contact_phone,
            extra=payload.extra,
            address=payload.address,
            lat=payload.lat,
            lng=payload.lng,
            stops=[s.model_dump() for s in payload.stops],
        )
        return order_out(intake.order, call_120=intake.call_120)

    return create_once(request, key=key, payload=payload, make=make, out=WorkOrderCreatedOut)


@router.post("/workorders/lists", response={201: list[WorkOrderOut], **ERRORS})
def workorders_list_import(
    request: AuthedRequest, category: Form[str], file: File[UploadedFile], key: IdempotencyKey
) -> Any:
    """List intake: one order per row of a CSV/XLSX, all or nothing."""
    content = file.read()
    name = file.name or ""
    # The retry must send the same category and the same file (by name and content).
    sent = {"category": category, "file": name, "sha256": hashlib.sha256(content).hexdigest()}

    def make() -> list[WorkOrder]:
        return services.workorder_list_import(
            actor=request.auth, category_code=category, file_name=name, content=content
        )

    return create_once(request, key=key, payload=sent, make=make, out=list[WorkOrderOut])


@router.post("/workorders/confirm", auth=None, response={200: ConfirmedOut, **ERRORS})
def workorders_confirm(request: HttpRequest, payload: ConfirmIn) -> Any:
    """The resident's answer with the one-time code sent when the order was resolved."""
    return services.workorder_confirm(
        number=payload.number,
        code=payload.code,
        satisfied=payload.satisfied,
        satisfaction=payload.satisfaction,
        note=payload.note,
    )


@router.get("/workorders/{order_id}", response={200: WorkOrderOut, **ERRORS})
def workorders_detail(request: AuthedRequest, order_id: Id) -> Any:
    return _order(request, order_id)


@router.get("/workorders/{order_id}/events", response={200: list[EventOut], **ERRORS})
def workorders_events(request: AuthedRequest, order_id: Id) -> Any:
    return list(selectors.workorder_timeline(actor=request.auth, order=_order(request, order_id)))


@router.get("/workorders/{order_id}/stops", response={200: list[StopOut], **ERRORS})
def workorders_stops(request: AuthedRequest, order_id: Id) -> Any:
    return list(_order(request, order_id).stops.all())


def _simple(step: Callable[..., WorkOrder]) -> Callable[..., Any]:
    def view(request: AuthedRequest, order_id: Id, payload: VersionIn) -> Any:
        return step(
            actor=request.auth,
            order=_order(request, order_id),
            expected_version=payload.expected_version,
        )

    return view


for _name, _step in (("accept", services.workorder_accept), ("start", services.workorder_start)):
    router.post(
        f"/workorders/{{order_id}}/{_name}",
        response={200: WorkOrderOut, **ERRORS},
        operation_id=f"workorders_{_name}",
    )(_simple(_step))


@router.post("/workorders/{order_id}/dispatch", response={200: WorkOrderOut, **ERRORS})
def workorders_dispatch(request: AuthedRequest, order_id: Id, payload: DispatchIn) -> Any:
    unit = _unit(request, payload.unit) if payload.unit else None
    return services.workorder_dispatch(
        actor=request.auth,
        order=_order(request, order_id),
        unit=unit,
        note=payload.note,
        expected_version=payload.expected_version,
    )


@router.post("/workorders/{order_id}/resolve", response={200: WorkOrderOut, **ERRORS})
def workorders_resolve(request: AuthedRequest, order_id: Id, payload: NoteIn) -> Any:
    return services.workorder_resolve(
        actor=request.auth,
        order=_order(request, order_id),
        note=payload.note,
        expected_version=payload.expected_version,
    )


@router.post("/workorders/{order_id}/close", response={200: WorkOrderOut, **ERRORS})
def workorders_close(request: AuthedRequest, order_id: Id, payload: CloseIn) -> Any:
    """Close after a callback in which the resident confirmed the need was met."""
    return services.workorder_close(
        actor=request.auth,
        order=_order(request, order_id),
        satisfaction=payload.satisfaction,
        note=payload.note,
    )


@router.post("/workorders/{order_id}/reopen", response={200: WorkOrderOut, **ERRORS})
def workorders_reopen(request: AuthedRequest, order_id: Id, payload: ReasonIn) -> Any:
    return services.workorder_reopen(
        actor=request.auth, order=_order(request, order_id), reason=payload.reason
    )


@router.post("/workorders/{order_id}/cancel", response={200: WorkOrderOut, **ERRORS})
def workorders_cancel(request: AuthedRequest, order_id: Id, payload: ReasonIn) -> Any:
    return services.workorder_cancel(
        actor=request.auth,
        order=_order(request, order_id),
        reason=payload.reason,
        expected_version=payload.expected_version,
    )


@router.post("/workorders/{order_id}/transfer", response={200: WorkOrderOut, **ERRORS})
def workorders_transfer(request: AuthedRequest, order_id: Id, payload: TransferIn) -> Any:
    return services.workorder_transfer(
        actor=request.auth,
        order=_order(request, order_id),
        unit=_unit(request, payload.unit),
        reason=payload.reason,
        expected_version=payload.expected_version,
    )


@router.post("/workorders/{order_id}/return", response={200: WorkOrderOut, **ERRORS})
def workorders_return(request: AuthedRequest, order_id: Id, payload: ReasonIn) -> Any:
    return services.workorder_return(
        actor=request.auth,
        order=_order(request, order_id),
        reason=payload.reason,
        expected_version=payload.expected_version,
    )


@router.post("/workorders/{order_id}/comment", response={201: EventOut, **ERRORS})
def workorders_comment(
    request: AuthedRequest, order_id: Id, payload: NoteIn, key: IdempotencyKey
) -> Any:
    def make() -> Any:
        order = _order(request, order_id)
        return services.workorder_comment(actor=request.auth, order=order, note=payload.note)

    return create_once(request, key=key, payload=payload, make=make, out=EventOut)


@router.post("/workorders/{order_id}/claim", response={200: WorkOrderOut, **ERRORS})
def workorders_claim(request: AuthedRequest, order_id: Id) -> Any:
    return services.workorder_claim(actor=request.auth, order=_order(request, order_id))


@router.post("/workorders/{order_id}/handover", response={200: WorkOrderOut, **ERRORS})
def workorders_handover(request: AuthedRequest, order_id: Id, payload: HandoverIn) -> Any:
    from lifeline.accounts.models import User

    to_user = None
    if payload.to_user:
        to_user = User.objects.filter(pk=payload.to_user, is_active=True).first()
        if to_user is None:
            raise NotFound()
    return services.workorder_handover(
        actor=request.auth, order=_order(request, order_id), to_user=to_user, note=payload.note
    )


@router.post("/workorders/{order_id}/merge", response={200: WorkOrderOut, **ERRORS})
def workorders_merge(request: AuthedRequest, order_id: Id, payload: MergeIn) -> Any:
    return services.workorder_merge(
        actor=request.auth,
        duplicate=_order(request, order_id),
        into=_order(request, payload.into),
        note=payload.note,
    )


@router.post("/workorders/{order_id}/stops/{seq}/complete", response={200: StopOut, **ERRORS})
def workorders_stop_complete(
    request: AuthedRequest, order_id: Id, seq: int, payload: NoteIn
) -> Any:
    return services.order_stop_complete(
        actor=request.auth, order=_order(request, order_id), seq=seq, note=payload.note
    )
