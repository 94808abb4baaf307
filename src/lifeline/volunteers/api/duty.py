"""Volunteers API: task groups and posts (the places volunteers are sent to), listed where
the caller may see volunteers and created by coordinators with an Idempotency-Key."""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Query, Router, Schema
from pydantic import Field

from lifeline.api.auth import AuthedRequest
from lifeline.api.creates import IdempotencyKey, create_once
from lifeline.api.pagination import PageParams, page_of, paginate
from lifeline.api.schemas import ERRORS, SAFE, Id, InSchema, bounded
from lifeline.core.errors import NotFound
from lifeline.registry.models import Area
from lifeline.volunteers import selectors, services
from lifeline.volunteers.models import Post, TaskGroup

router = Router(tags=["volunteers"])

Kind = Annotated[str, bounded(12, min_length=1), SAFE]


class TaskGroupOut(Schema):
    id: int
    area_id: int
    area_path: str
    name: str
    kind: str
    kind_label: str


class TaskGroupIn(InSchema):
    area_id: Id
    name: Annotated[str, bounded(60, min_length=1), SAFE]
    kind: Kind


class DutyPostOut(Schema):
    id: int
    area_id: int
    area_path: str
    group_id: int | None
    group_name: str
    name: str
    kind: str
    kind_label: str
    address: str
    lat: float | None
    lng: float | None
    active: bool


class DutyPostIn(InSchema):
    area_id: Id
    name: Annotated[str, bounded(100, min_length=1), SAFE]
    kind: Kind
    group_id: Id | None = None
    address: Annotated[str, bounded(255), SAFE] = ""
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)


def group_out(group: TaskGroup) -> dict[str, Any]:
    return {
        "id": group.pk,
        "area_id": group.area_id,
        "area_path": group.area_path,
        "name": group.name,
        "kind": group.kind,
        "kind_label": str(group.get_kind_display()),
    }


def post_out(post: Post) -> dict[str, Any]:
    return {
        "id": post.pk,
        "area_id": post.area_id,
        "area_path": post.area_path,
        "group_id": post.group_id,
        "group_name": post.group.name if post.group else "",
        "name": post.name,
        "kind": post.kind,
        "kind_label": str(post.get_kind_display()),
        "address": post.address,
        "lat": post.lat,
        "lng": post.lng,
        "active": post.active,
    }


def _area(pk: int) -> Area:
    # Whether the caller may work there is the service's check (404 outside their areas).
    area = Area.objects.filter(pk=pk).first()
    if area is None:
        raise NotFound()
    return area


@router.get("/groups", response={200: page_of(TaskGroupOut), **ERRORS})
def groups_list(request: AuthedRequest, page: Query[PageParams]) -> Any:
    answer = paginate(selectors.group_list(actor=request.auth), page)
    answer["items"] = [group_out(g) for g in answer["items"]]
    return answer


@router.post("/groups", response={201: TaskGroupOut, **ERRORS})
def groups_create(request: AuthedRequest, payload: TaskGroupIn, key: IdempotencyKey) -> Any:
    """A task group of ``area_id`` (``kind``: patrol, supplies, testing, gate, elders,
    publicity, other)."""
    actor = request.auth

    def make() -> dict[str, Any]:
        group = services.group_create(
            actor=actor, area=_area(payload.area_id), name=payload.name, kind=payload.kind
        )
        return group_out(group)

    return create_once(request, key=key, payload=payload, make=make, out=TaskGroupOut)


class DutyPostFilter(Schema):
    group_id: Id | None = None


@router.get("/posts", response={200: page_of(DutyPostOut), **ERRORS})
def posts_list(
    request: AuthedRequest, filters: Query[DutyPostFilter], page: Query[PageParams]
) -> Any:
    """The open posts where the caller may see volunteers."""
    qs = selectors.post_list(actor=request.auth)
    if filters.group_id is not None:
        qs = qs.filter(group_id=filters.group_id)
    answer = paginate(qs, page)
    answer["items"] = [post_out(p) for p in answer["items"]]
    return answer


@router.post("/posts", response={201: DutyPostOut, **ERRORS})
def posts_create(request: AuthedRequest, payload: DutyPostIn, key: IdempotencyKey) -> Any:
    """A post of ``area_id`` (``kind``: checkpoint, enterprise, sampling, building,
    community, other), in one of the area's task groups when ``group_id`` is given."""
    actor = request.auth

    def make() -> dict[str, Any]:
        group = None
        if payload.group_id is not None:
            group = selectors.group_get(actor=actor, pk=payload.group_id)
        post = services.post_create(
            actor=actor,
            area=_area(payload.area_id),
            group=group,
            **payload.model_dump(exclude={"area_id", "group_id"}),
        )
        return post_out(selectors.post_get(actor=actor, pk=post.pk))

    return create_once(request, key=key, payload=payload, make=make, out=DutyPostOut)
