"""Field-team endpoints (mounted under /teams): teams and vehicles, route plans (create
with Idempotency-Key, read, publish, insert an urgent visit, move a stop, each naming the
version it saw), the crew's arrival and completion, and the queues' inputs (a work order's
time window, a delivery). Views only translate: selectors read, services write."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Query, Router

from lifeline.api.auth import AuthedRequest
from lifeline.api.creates import IdempotencyKey, create_once, key_used
from lifeline.api.pagination import PageParams, page_of, paginate
from lifeline.api.schemas import ERRORS, Id
from lifeline.core.errors import NotFound
from lifeline.teams import access, selectors, services
from lifeline.teams.answers import (
    appointment_out,
    delivery_out,
    plan_detail_out,
    plan_out,
    route_out,
    stop_out,
    team_detail_out,
    team_out,
    vehicle_out,
)
from lifeline.teams.schemas import (
    AppointmentIn,
    AppointmentOut,
    ArriveIn,
    CompleteIn,
    DeliveryIn,
    DeliveryOut,
    MoveIn,
    MyRouteOut,
    PlanDetailOut,
    PlanFilter,
    PlanIn,
    PlanOut,
    PlanStopOut,
    PlanVersionIn,
    TeamDetailOut,
    TeamIn,
    TeamOut,
    UrgentIn,
    VehicleIn,
    VehicleOut,
)

router = Router(tags=["teams"])


def _detail(request: AuthedRequest, plan_id: int) -> dict[str, Any]:
    plan = selectors.plan_get(actor=request.auth, pk=plan_id)
    return plan_detail_out(plan, selectors.routes_of(plan))


# Plans (static paths before the team's numeric ones) -----------------------------------


@router.get("/plans", response={200: page_of(PlanOut), **ERRORS})
def plans_list(request: AuthedRequest, filters: Query[PlanFilter], page: Query[PageParams]) -> Any:
    qs = selectors.plan_list(actor=request.auth, day=filters.day, team_id=filters.team_id)
    answer = paginate(qs, page)
    answer["items"] = [plan_out(p) for p in answer["items"]]
    return answer


@router.post("/plans", response={201: PlanOut, **ERRORS})
def plans_create(request: AuthedRequest, payload: PlanIn, key: IdempotencyKey) -> Any:
    """Plan a team's (``team_id``) or a unit's (``unit_id``) day. The solver runs for up to
    ``time_limit`` seconds; a retry with the same Idempotency-Key returns the same plan."""
    actor = request.auth
    # Solve before the idempotency transaction, so no lock is held while the solver runs.
    replay = key_used(request, key)
    solved = None if replay else services.plan_solve(actor=actor, **payload.model_dump())

    def make() -> dict[str, Any]:
        return plan_out(services.plan_create(actor=actor, solved=solved, **payload.model_dump()))

    return create_once(request, key=key, payload=payload, make=make, out=PlanOut)


@router.get("/plans/{int:plan_id}", response={200: PlanDetailOut, **ERRORS})
def plans_detail(request: AuthedRequest, plan_id: Id) -> Any:
    """Per vehicle, the ordered stops with ETAs and kilometres; the unserved visits with
    their reasons; the by-hand baseline beside the optimised figures."""
    return _detail(request, plan_id)


@router.post("/plans/{int:plan_id}/publish", response={200: PlanDetailOut, **ERRORS})
def plans_publish(request: AuthedRequest, plan_id: Id, payload: PlanVersionIn) -> Any:
    actor = request.auth
    plan = selectors.plan_get(actor=actor, pk=plan_id)
    services.plan_publish(actor=actor, plan=plan, expected_version=payload.expected_version)
    return _detail(request, plan_id)


@router.post("/plans/{int:plan_id}/urgent", response={200: PlanDetailOut, **ERRORS})
def plans_urgent(request: AuthedRequest, plan_id: Id, payload: UrgentIn) -> Any:
    """Insert a queue visit into the live plan at its cheapest feasible place (or list it
    unserved with the reason) without re-planning the day."""
    actor = request.auth
    plan = selectors.plan_get(actor=actor, pk=plan_id)
    services.plan_insert_urgent(
        actor=actor,
        plan=plan,
        kind=payload.kind,
        ref_id=payload.ref_id,
        expected_version=payload.expected_version,
    )
    return _detail(request, plan_id)


@router.post(
    "/plans/{int:plan_id}/stops/{int:stop_id}/move", response={200: PlanDetailOut, **ERRORS}
)
def plans_move_stop(request: AuthedRequest, plan_id: Id, stop_id: Id, payload: MoveIn) -> Any:
    actor = request.auth
    plan = selectors.plan_get(actor=actor, pk=plan_id)
    services.plan_move_stop(
        actor=actor,
        plan=plan,
        stop_id=stop_id,
        vehicle_id=payload.vehicle_id,
        position=payload.position,
        expected_version=payload.expected_version,
    )
    return _detail(request, plan_id)


# The crew ------------------------------------------------------------------------------


@router.get("/my-route", response={200: MyRouteOut, **ERRORS})
def my_route(request: AuthedRequest, day: dt.date | None = None) -> Any:
    """The published route(s) of the vehicle the caller rides, with the next stop."""
    mine = selectors.route_for_member(actor=request.auth, day=day)
    routes = [route_out(r, r.plan) for r in mine.routes]
    following = mine.next_stop
    return {
        "day": mine.day,
        "done": mine.done,
        "total": len(mine.stops),
        "next_stop": stop_out(following, following.plan, following.route.vehicle_id)
        if following
        else None,
        "routes": routes,
    }


@router.post("/stops/{int:stop_id}/arrive", response={200: PlanStopOut, **ERRORS})
def stops_arrive(request: AuthedRequest, stop_id: Id, payload: ArriveIn) -> Any:
    actor = request.auth
    stop = selectors.stop_get(actor=actor, pk=stop_id)
    stop = services.stop_arrive(actor=actor, stop=stop, km=payload.km, note=payload.note)
    return stop_out(stop, stop.plan, stop.route.vehicle_id)


@router.post("/stops/{int:stop_id}/complete", response={200: PlanStopOut, **ERRORS})
def stops_complete(request: AuthedRequest, stop_id: Id, payload: CompleteIn) -> Any:
    actor = request.auth
    stop = selectors.stop_get(actor=actor, pk=stop_id)
    stop = services.stop_complete(
        actor=actor, stop=stop, outcome=payload.outcome, note=payload.note, km=payload.km
    )
    return stop_out(stop, stop.plan, stop.route.vehicle_id)


# Queue inputs --------------------------------------------------------------------------


@router.post("/appointments", response={201: AppointmentOut, **ERRORS})
def appointments_set(request: AuthedRequest, payload: AppointmentIn, key: IdempotencyKey) -> Any:
    """When the resident of a work order can be reached on a day (the visit's window)."""

    def make() -> dict[str, Any]:
        return appointment_out(services.appointment_set(actor=request.auth, **payload.model_dump()))

    return create_once(request, key=key, payload=payload, make=make, out=AppointmentOut)


@router.post("/deliveries", response={201: DeliveryOut, **ERRORS})
def deliveries_create(request: AuthedRequest, payload: DeliveryIn, key: IdempotencyKey) -> Any:
    def make() -> dict[str, Any]:
        return delivery_out(services.delivery_create(actor=request.auth, **payload.model_dump()))

    return create_once(request, key=key, payload=payload, make=make, out=DeliveryOut)


# Teams and vehicles --------------------------------------------------------------------


@router.get("", response={200: page_of(TeamOut), **ERRORS})
def teams_list(request: AuthedRequest, page: Query[PageParams]) -> Any:
    answer = paginate(selectors.team_list(actor=request.auth), page)
    answer["items"] = [team_out(t) for t in answer["items"]]
    return answer


@router.post("", response={201: TeamOut, **ERRORS})
def teams_create(request: AuthedRequest, payload: TeamIn, key: IdempotencyKey) -> Any:
    def make() -> dict[str, Any]:
        return team_out(services.team_create(actor=request.auth, **payload.model_dump()))

    return create_once(request, key=key, payload=payload, make=make, out=TeamOut)


@router.get("/{int:team_id}", response={200: TeamDetailOut, **ERRORS})
def teams_detail(request: AuthedRequest, team_id: Id) -> Any:
    return team_detail_out(selectors.team_get(actor=request.auth, pk=team_id))


@router.post("/{int:team_id}/vehicles", response={201: VehicleOut, **ERRORS})
def teams_vehicle_create(
    request: AuthedRequest, team_id: Id, payload: VehicleIn, key: IdempotencyKey
) -> Any:
    actor = request.auth
    team = selectors.team_get(actor=actor, pk=team_id)
    data = payload.model_dump()
    serves = list(selectors.team_list(actor=actor).filter(pk__in=data.pop("serves")))
    if len(serves) != len(set(payload.serves)):
        raise NotFound(access.NO_TEAM)

    def make() -> dict[str, Any]:
        return vehicle_out(services.vehicle_create(actor=actor, team=team, serves=serves, **data))

    return create_once(request, key=key, payload=payload, make=make, out=VehicleOut)
