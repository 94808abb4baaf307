"""Work-order endpoints: intake (with Idempotency-Key), scoped lists and detail, the
timeline, and one POST per step of the order's life. Views only translate: selectors read,
services write and refuse."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Header, Query, Router, Status
from ninja.files import UploadedFile

from lifeline.api.pagination import PageParams, page_of, paginate
from lifeline.api.schemas import ERRORS, Id
from lifeline.core.errors import NotFound, ServiceError
from lifeline.core.idempotency import MAX_KEY_LENGTH, idempotent
from lifeline.core.scoping import scoped
from lifeline.registry import selectors as registry
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

IdempotencyKey = Annotated[
    str | None, Header(alias="Idempotency-Key", max_length=MAX_KEY_LENGTH, default=None)
]
Page = Query[PageParams]


def _actor(request: HttpRequest) -> Any:
    """The authenticated user, set by the API's auth (absent on public operations)."""
    return getattr(request, "auth", None)


def _order(request: HttpRequest, pk: int) -> WorkOrder:
    return selectors.workorder_get(actor=_actor(request), pk=pk)


def _unit(request: HttpRequest, pk: int) -> Unit:
    unit = scoped(Unit.objects.all(), _actor(request)).filter(pk=pk).first()
    if unit is None:
        raise ServiceError(_("No such unit."), fields={"unit": [_("Unknown unit.")]})
    return unit


@router.get("/workorders/categories", response={200: list[CategoryOut], **ERRORS})
def categories_list(request: HttpRequest) -> Any:
    return list(selectors.category_list())


@router.get("/workorders", response={200: page_of(WorkOrderOut), **ERRORS})
def workorders_list(request: HttpRequest, filters: Query[WorkOrderFilter], page: Page) -> Any:
    area = registry.area_get(actor=_actor(request), pk=filters.area) if filters.area else None
    qs = selectors.workorder_list(
        actor=_actor(request),
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
def workorders_queue(request: HttpRequest, page: Page) -> Any:
    return paginate(selectors.workorder_queue(actor=_actor(request)), page)


@router.get("/workorders/metrics", response={200: list[MetricsOut], **ERRORS})
def workorders_metrics(request: HttpRequest, by: str = "unit") -> Any:
    if by not in {"unit", "area", "day"}:
        raise ServiceError(
            _("Group by unit, area or day."), fields={"by": [_("unit, area or day")]}
        )
    return selectors.workorder_metrics(actor=_actor(request), by=by)


@router.post("/workorders", response={201: WorkOrderCreatedOut, **ERRORS})
def workorders_create(request: HttpRequest, payload: WorkOrderIn, key: IdempotencyKey) -> Any:
    """File a request. ``call_120`` true means: tell the caller to call 120 now."""
    actor = _actor(request)

    def run() -> tuple[int, Any]:
        intake = services.workorder_create(
            actor=actor,
            description=payload.description,
            category_code=payload.category,
            channel=payload.channel,
            area=registry.area_get(actor=actor, pk=payload.area) if payload.area else None,
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
        return 201, order_out(intake.order, call_120=intake.call_120)

    status, body = idempotent(
        owner=str(actor.pk),  # type: ignore[union-attr]
        key=key,
        endpoint=f"{request.method} {request.path}",
        payload=payload.model_dump(mode="json"),
        create=run,
    )
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


@router.post("/workorders/lists", response={201: list[WorkOrderOut], **ERRORS})
def workorders_list_import(
    request: HttpRequest, category: Form[str], file: File[UploadedFile]
) -> Any:
    """List intake: one order per row of a CSV/XLSX, all or nothing."""
    orders = services.workorder_list_import(
        actor=_actor(request),
        category_code=category,
        file_name=file.name or "",
        content=file.read(),
    )
    return Status(201, orders)


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
def workorders_detail(request: HttpRequest, order_id: Id) -> Any:
    return _order(request, order_id)


@router.get("/workorders/{order_id}/events", response={200: list[EventOut], **ERRORS})
def workorders_events(request: HttpRequest, order_id: Id) -> Any:
    return list(
        selectors.workorder_timeline(actor=_actor(request), order=_order(request, order_id))
    )


@router.get("/workorders/{order_id}/stops", response={200: list[StopOut], **ERRORS})
def workorders_stops(request: HttpRequest, order_id: Id) -> Any:
    return list(_order(request, order_id).stops.all())


def _simple(step: Callable[..., WorkOrder]) -> Callable[..., Any]:
    def view(request: HttpRequest, order_id: Id, payload: VersionIn) -> Any:
        return step(
            actor=_actor(request),
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
def workorders_dispatch(request: HttpRequest, order_id: Id, payload: DispatchIn) -> Any:
    unit = _unit(request, payload.unit) if payload.unit else None
    return services.workorder_dispatch(
        actor=_actor(request),
        order=_order(request, order_id),
        unit=unit,
        note=payload.note,
        expected_version=payload.expected_version,
    )


@router.post("/workorders/{order_id}/resolve", response={200: WorkOrderOut, **ERRORS})
def workorders_resolve(request: HttpRequest, order_id: Id, payload: NoteIn) -> Any:
    return services.workorder_resolve(
        actor=_actor(request),
        order=_order(request, order_id),
        note=payload.note,
        expected_version=payload.expected_version,
    )


@router.post("/workorders/{order_id}/close", response={200: WorkOrderOut, **ERRORS})
def workorders_close(request: HttpRequest, order_id: Id, payload: CloseIn) -> Any:
    """Close after a callback in which the resident confirmed the need was met."""
    return services.workorder_close(
        actor=_actor(request),
        order=_order(request, order_id),
        satisfaction=payload.satisfaction,
        note=payload.note,
    )


@router.post("/workorders/{order_id}/reopen", response={200: WorkOrderOut, **ERRORS})
def workorders_reopen(request: HttpRequest, order_id: Id, payload: ReasonIn) -> Any:
    return services.workorder_reopen(
        actor=_actor(request), order=_order(request, order_id), reason=payload.reason
    )


@router.post("/workorders/{order_id}/cancel", response={200: WorkOrderOut, **ERRORS})
def workorders_cancel(request: HttpRequest, order_id: Id, payload: ReasonIn) -> Any:
    return services.workorder_cancel(
        actor=_actor(request),
        order=_order(request, order_id),
        reason=payload.reason,
        expected_version=payload.expected_version,
    )


@router.post("/workorders/{order_id}/transfer", response={200: WorkOrderOut, **ERRORS})
def workorders_transfer(request: HttpRequest, order_id: Id, payload: TransferIn) -> Any:
    return services.workorder_transfer(
        actor=_actor(request),
        order=_order(request, order_id),
        unit=_unit(request, payload.unit),
        reason=payload.reason,
        expected_version=payload.expected_version,
    )


@router.post("/workorders/{order_id}/return", response={200: WorkOrderOut, **ERRORS})
def workorders_return(request: HttpRequest, order_id: Id, payload: ReasonIn) -> Any:
    return services.workorder_return(
        actor=_actor(request),
        order=_order(request, order_id),
        reason=payload.reason,
        expected_version=payload.expected_version,
    )


@router.post("/workorders/{order_id}/comment", response={201: EventOut, **ERRORS})
def workorders_comment(request: HttpRequest, order_id: Id, payload: NoteIn) -> Any:
    event = services.workorder_comment(
        actor=_actor(request), order=_order(request, order_id), note=payload.note
    )
    return Status(201, event)


@router.post("/workorders/{order_id}/claim", response={200: WorkOrderOut, **ERRORS})
def workorders_claim(request: HttpRequest, order_id: Id) -> Any:
    return services.workorder_claim(actor=_actor(request), order=_order(request, order_id))


@router.post("/workorders/{order_id}/handover", response={200: WorkOrderOut, **ERRORS})
def workorders_handover(request: HttpRequest, order_id: Id, payload: HandoverIn) -> Any:
    from lifeline.accounts.models import User

    to_user = None
    if payload.to_user:
        to_user = User.objects.filter(pk=payload.to_user, is_active=True).first()
        if to_user is None:
            raise NotFound()
    return services.workorder_handover(
        actor=_actor(request), order=_order(request, order_id), to_user=to_user, note=payload.note
    )


@router.post("/workorders/{order_id}/merge", response={200: WorkOrderOut, **ERRORS})
def workorders_merge(request: HttpRequest, order_id: Id, payload: MergeIn) -> Any:
    return services.workorder_merge(
        actor=_actor(request),
        duplicate=_order(request, order_id),
        into=_order(request, payload.into),
        note=payload.note,
    )


@router.post("/workorders/{order_id}/stops/{seq}/complete", response={200: StopOut, **ERRORS})
def workorders_stop_complete(request: HttpRequest, order_id: Id, seq: int, payload: NoteIn) -> Any:
    return services.stop_complete(
        actor=_actor(request), order=_order(request, order_id), seq=seq, note=payload.note
    )
