"""The key-users API, mounted at /api/v1/keyusers: the register (contact phones masked),
supply points, interruptions with who they affect (masked), publishing, and unplanned
outages. Creates take an Idempotency-Key. Views only translate: selectors read, services
write."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from lifeline.api.auth import AuthedRequest
from lifeline.api.creates import IdempotencyKey, create_once
from lifeline.api.pagination import PageParams, page_of, paginate
from lifeline.api.schemas import ERRORS, SAFE, Id, InSchema, bounded
from lifeline.core.errors import NotFound, ServiceError
from lifeline.keyusers import exports, mapdata, selectors, services
from lifeline.keyusers.models import Interruption, KeyUser, SupplyPoint
from lifeline.registry.models import Area, Unit

router = Router(tags=["keyusers"])

Code = Annotated[str, bounded(20), SAFE]
Ids = list[Id]


class KeyUserFilter(Schema):
    q: str | None = Field(None, max_length=100)
    kind: str | None = Field(None, max_length=20)


class KeyUserIn(InSchema):
    area_id: Id
    supply_point_ids: Ids = Field(min_length=1, max_length=20)
    name: Annotated[str, bounded(150, min_length=1), SAFE]
    kind: Code
    contact_name: Annotated[str, bounded(50, min_length=1), SAFE]
    contact_phone: Annotated[str, bounded(20, min_length=1), SAFE]
    response_minutes: int = Field(30, ge=-(2**31), le=2**31)
    backup_source: Annotated[str, bounded(200), SAFE] = ""
    special_plan: Annotated[str, bounded(4000), SAFE] = ""
    address: Annotated[str, bounded(255), SAFE] = ""


class KeyUserOut(Schema):
    id: int
    area_path: str
    name: str
    kind: str
    kind_label: str
    address: str
    contact_name: str  # masked
    contact_phone: str  # masked
    response_minutes: int
    backup_source: str
    special_plan: str
    private: bool
    supply_points: list[str]


class KeyUserPatchIn(InSchema):
    """The fields to change; those left out stay as they are. ``supply_point_ids``, when
    given, replaces the key user's supply points."""

    supply_point_ids: Ids | None = Field(None, min_length=1, max_length=20)
    name: Annotated[str, bounded(150, min_length=1), SAFE] | None = None
    kind: Code | None = None
    contact_name: Annotated[str, bounded(50, min_length=1), SAFE] | None = None
    contact_phone: Annotated[str, bounded(20, min_length=1), SAFE] | None = None
    response_minutes: int | None = Field(None, ge=-(2**31), le=2**31)
    backup_source: Annotated[str, bounded(200), SAFE] | None = None
    special_plan: Annotated[str, bounded(4000), SAFE] | None = None
    address: Annotated[str, bounded(255), SAFE] | None = None


class SupplyPointIn(InSchema):
    utility_id: Id
    area_id: Id
    code: Annotated[str, bounded(32, min_length=1), SAFE]
    name: Annotated[str, bounded(100, min_length=1), SAFE]
    kind: Code = "feeder"
    utility_kind: Code = "power"


class SupplyPointOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    utility_kind: str
    utility: str
    area_path: str


class InterruptionIn(InSchema):
    supply_point_ids: Ids = Field(min_length=1, max_length=50)
    starts_at: dt.datetime
    ends_at: dt.datetime
    reason: Annotated[str, bounded(300, min_length=1), SAFE]


class OutageIn(InSchema):
    supply_point_ids: Ids = Field(min_length=1, max_length=50)
    reason: Annotated[str, bounded(300, min_length=1), SAFE]
    starts_at: dt.datetime | None = None


class PublishIn(InSchema):
    override_reason: Annotated[str, bounded(300), SAFE] = ""


class AffectedHouseholdOut(Schema):
    household_id: int
    building: str
    unit_no_masked: str
    phone_masked: str
    needs: list[str]


class InterruptionOut(Schema):
    id: int
    area_path: str
    kind: str
    status: str
    status_label: str
    utility: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    reason: str
    supply_points: list[str]
    notice_days: int
    override_reason: str
    key_users_affected: int
    households_affected: int
    notices_sent: int


class ImpactOut(Schema):
    interruption: InterruptionOut
    key_users: list[KeyUserOut]
    households: list[AffectedHouseholdOut]


def _aware(moment: dt.datetime | None, field: str) -> dt.datetime | None:
    if moment is None:
        return None
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        message = _("This time is out of range.")
        raise ServiceError(message, fields={field: [message]}) from None


def keyuser_out(key_user: KeyUser) -> dict[str, Any]:
    row = selectors.keyuser_row(key_user)
    row.pop("id")
    return {
        "id": key_user.pk,
        "area_path": key_user.area_path,
        **row,
        "supply_points": [p.code for p in key_user.supply_points.all()],
    }


def supply_point_out(point: SupplyPoint) -> dict[str, Any]:
    return {
        "id": point.pk,
        "code": point.code,
        "name": point.name,
        "kind": point.kind,
        "utility_kind": point.utility_kind,
        "utility": point.utility.name,
        "area_path": point.area_path,
    }


def interruption_out(interruption: Interruption) -> dict[str, Any]:
    return {
        "id": interruption.pk,
        "area_path": interruption.area_path,
        "kind": interruption.kind,
        "status": interruption.status,
        "status_label": str(interruption.get_status_display()),
        "utility": interruption.utility.name,
        "starts_at": interruption.starts_at,
        "ends_at": interruption.ends_at,
        "reason": interruption.reason,
        "supply_points": [p.code for p in interruption.supply_points.all()],
        "notice_days": interruption.notice_days,
        "override_reason": interruption.override_reason,
        "key_users_affected": interruption.key_users_affected,
        "households_affected": interruption.households_affected,
        "notices_sent": interruption.notices_sent,
    }


@router.get("/supply-points", response={200: page_of(SupplyPointOut), **ERRORS})
def supply_points_list(request: AuthedRequest, page: Query[PageParams]) -> Any:
    """The supply points where the caller may see key users or outages."""
    answer = paginate(selectors.supply_point_list(actor=request.auth).order_by("code"), page)
    answer["items"] = [supply_point_out(p) for p in answer["items"]]
    return answer


@router.post("/supply-points", response={201: SupplyPointOut, **ERRORS})
def supply_points_create(
    request: AuthedRequest, payload: SupplyPointIn, key: IdempotencyKey
) -> Any:
    """Add a feeder, station or main of the utility ``utility_id`` serving ``area_id``."""
    actor = request.auth

    def make() -> dict[str, Any]:
        area = Area.objects.filter(pk=payload.area_id).first()
        utility = Unit.objects.filter(pk=payload.utility_id, kind=Unit.Kind.UTILITY).first()
        if area is None or utility is None:
            raise NotFound()
        point = services.supply_point_create(
            actor=actor,
            utility=utility,
            area=area,
            **payload.model_dump(exclude={"area_id", "utility_id"}),
        )
        return supply_point_out(point)

    return create_once(request, key=key, payload=payload, make=make, out=SupplyPointOut)


@router.get("/key-users/map", response={200: dict[str, Any], **ERRORS})
def keyusers_map(request: AuthedRequest, filters: Query[KeyUserFilter]) -> Any:
    """The key users the caller sees as a GeoJSON FeatureCollection ([lng, lat]), as the
    register's map draws them: a person at home never at home, only counted at the area's
    centre, without a name; ``left_out`` counts those with no place to draw."""
    return mapdata.keyuser_geojson(actor=request.auth, q=filters.q or "", kind=filters.kind or "")


@router.get("/key-users", response={200: page_of(KeyUserOut), **ERRORS})
def keyusers_list(
    request: AuthedRequest, filters: Query[KeyUserFilter], page: Query[PageParams]
) -> Any:
    """The key users where the caller may see them (``q``: name, contact or supply point
    code); contacts masked, and a person at home masked by name and address."""
    qs = selectors.keyuser_list(actor=request.auth, q=filters.q or "", kind=filters.kind or "")
    answer = paginate(qs.prefetch_related("supply_points"), page)
    answer["items"] = [keyuser_out(k) for k in answer["items"]]
    return answer


@router.post("/key-users", response={201: KeyUserOut, **ERRORS})
def keyusers_create(request: AuthedRequest, payload: KeyUserIn, key: IdempotencyKey) -> Any:
    """Register a key user in ``area_id`` on its supply points, with its protection plan."""
    actor = request.auth

    def make() -> dict[str, Any]:
        area = Area.objects.filter(pk=payload.area_id).first()
        if area is None:
            raise NotFound()
        key_user = services.keyuser_register(
            actor=actor,
            area=area,
            supply_points=payload.supply_point_ids,
            **payload.model_dump(exclude={"area_id", "supply_point_ids"}),
        )
        return keyuser_out(key_user)

    return create_once(request, key=key, payload=payload, make=make, out=KeyUserOut)


@router.get("/key-users/{int:key_user_id}", response={200: KeyUserOut, **ERRORS})
def keyusers_get(request: AuthedRequest, key_user_id: Id) -> Any:
    return keyuser_out(selectors.keyuser_get(actor=request.auth, pk=key_user_id))


@router.patch("/key-users/{int:key_user_id}", response={200: KeyUserOut, **ERRORS})
def keyusers_update(request: AuthedRequest, key_user_id: Id, payload: KeyUserPatchIn) -> Any:
    """Change a key user's protection plan and, with ``supply_point_ids``, its supply
    points; all or nothing, audited with the names of the fields changed."""
    actor = request.auth
    key_user = selectors.keyuser_get(actor=actor, pk=key_user_id)
    changes = payload.model_dump(exclude={"supply_point_ids"}, exclude_none=True)
    key_user = services.keyuser_update(
        actor=actor, key_user=key_user, supply_points=payload.supply_point_ids, **changes
    )
    return keyuser_out(selectors.keyuser_get(actor=actor, pk=key_user.pk))


@router.get("/interruptions", response={200: page_of(InterruptionOut), **ERRORS})
def interruptions_list(request: AuthedRequest, page: Query[PageParams]) -> Any:
    qs = selectors.interruption_list(actor=request.auth).prefetch_related("supply_points")
    answer = paginate(qs, page)
    answer["items"] = [interruption_out(i) for i in answer["items"]]
    return answer


@router.post("/interruptions", response={201: InterruptionOut, **ERRORS})
def interruptions_plan(request: AuthedRequest, payload: InterruptionIn, key: IdempotencyKey) -> Any:
    """A draft planned interruption of ``supply_point_ids`` (one utility); see who it
    affects at ``GET /interruptions/{id}``, then publish it."""
    actor = request.auth

    def make() -> dict[str, Any]:
        interruption = services.interruption_plan(
            actor=actor,
            supply_points=payload.supply_point_ids,
            starts_at=_aware(payload.starts_at, "starts_at"),
            ends_at=_aware(payload.ends_at, "ends_at"),
            reason=payload.reason,
        )
        return interruption_out(interruption)

    return create_once(request, key=key, payload=payload, make=make, out=InterruptionOut)


@router.get("/interruptions/{int:interruption_id}", response={200: ImpactOut, **ERRORS})
def interruptions_get(request: AuthedRequest, interruption_id: Id) -> Any:
    """An interruption with the key users and households it affects (masked)."""
    actor = request.auth
    interruption = selectors.interruption_get(actor=actor, pk=interruption_id)
    impact = selectors.interruption_impact(actor=actor, interruption=interruption)
    return {
        "interruption": interruption_out(interruption),
        "key_users": [keyuser_out(k) for k in impact.key_users],
        "households": [selectors.household_row(h) for h in impact.households],
    }


@router.post(
    "/interruptions/{int:interruption_id}/publish", response={200: InterruptionOut, **ERRORS}
)
def interruptions_publish(request: AuthedRequest, interruption_id: Id, payload: PublishIn) -> Any:
    """Publish a draft and text everyone it affects; refused (``short_notice``) inside the
    notice period unless the caller may override it and gives ``override_reason``."""
    actor = request.auth
    interruption = selectors.interruption_get(actor=actor, pk=interruption_id)
    done = services.interruption_publish(
        actor=actor, interruption=interruption, override_reason=payload.override_reason
    )
    return interruption_out(done)


@router.post("/outages", response={201: InterruptionOut, **ERRORS})
def outages_record(request: AuthedRequest, payload: OutageIn, key: IdempotencyKey) -> Any:
    """An unplanned outage, published at once: those affected are texted and a critical
    work order is opened per affected key user."""
    actor = request.auth

    def make() -> dict[str, Any]:
        interruption = services.outage_record(
            actor=actor,
            supply_points=payload.supply_point_ids,
            starts_at=_aware(payload.starts_at, "starts_at"),
            reason=payload.reason,
        )
        return interruption_out(interruption)

    return create_once(request, key=key, payload=payload, make=make, out=InterruptionOut)


FILE_ANSWER = {
    "responses": {
        200: {
            "description": "The file (CSV in UTF-8 with a byte-order mark, or XLSX).",
            "content": {
                exports.CONTENT_TYPES[fmt]: {"schema": {"type": "string", "format": "binary"}}
                for fmt in exports.FORMATS
            },
        }
    }
}


class KeyUsersExportIn(InSchema):
    q: Annotated[str, bounded(100), SAFE] = ""
    kind: Code = ""
    format: Literal["csv", "xlsx"] = "csv"


class AffectedExportIn(InSchema):
    format: Literal["csv", "xlsx"] = "csv"


def _file(export: exports.ExportFile) -> HttpResponse:
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    return response


@router.post("/exports/key-users", response={200: None, **ERRORS}, openapi_extra=FILE_ANSWER)
def exports_key_users(request: AuthedRequest, payload: KeyUsersExportIn) -> Any:
    """The register the caller sees (``q``, ``kind`` as in the list): name, kind, area,
    address, supply points and the plan; contacts masked unless the caller may export
    revealed lists there. A POST because it is audited."""
    export = exports.register_export(
        actor=request.auth,
        q=payload.q.strip(),
        kind=payload.kind,
        fmt=payload.format,
        language=get_language() or "zh-hans",
    )
    return _file(export)


@router.post(
    "/interruptions/{int:interruption_id}/export",
    response={200: None, **ERRORS},
    openapi_extra=FILE_ANSWER,
)
def exports_affected(request: AuthedRequest, interruption_id: Id, payload: AffectedExportIn) -> Any:
    """Those the interruption affects, masked as in ``GET /interruptions/{id}``. Audited."""
    actor = request.auth
    interruption = selectors.interruption_get(actor=actor, pk=interruption_id)
    export = exports.affected_export(
        actor=actor,
        interruption=interruption,
        fmt=payload.format,
        language=get_language() or "zh-hans",
    )
    return _file(export)
